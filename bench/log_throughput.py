#!/usr/bin/env python3
"""How fast a background session's output reaches its process log, beside a plain shell redirect
of the same command measured in the same run.

A session runs COMMAND (default: 200 MB of 'a' as fast as `tr` makes it); the baseline is
`sh -c 'COMMAND > file'` on the same file system. Figures:

  - the baseline's wall time
  - the session's durationMs from its run record (agent started -> its last byte written to
    the log and the agent reaped): what the holder adds to the output path
  - the same with a "stream-json" agent profile (every stdout line looked at for JSON)
  - the wall time of POST /api/v1/runs with wait=true (adds the start of a holder)

Goal (issue 4): the session at >= 0.9 of the baseline's speed, i.e. its time <= baseline / 0.9.
Runs under a temporary STANDBY_HOME on 127.0.0.1 and ends every process it started, by PID.
"""
import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

from benchlib import print_table, row

DEFAULT_COMMAND = "head -c 200000000 /dev/zero | tr '\\0' a"


def post(endpoint, path, body, timeout=600):
    request = urllib.request.Request(endpoint + path, data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json"}, method="POST")
    with urllib.request.urlopen(request, timeout=timeout) as reply:
        return json.load(reply)["data"]


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bin", default="build/bin")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--command", default=DEFAULT_COMMAND)
    parser.add_argument("--transcript-mb", type=int, default=None,
                        help="logs.transcriptOutputMb for the sessions (default: the default)")
    args = parser.parse_args()
    standby = os.path.abspath(os.path.join(args.bin, "standby"))
    if not os.access(standby, os.X_OK):
        sys.exit(f"bench: {standby} is not built; run 'make' first")

    home = tempfile.mkdtemp(prefix="standby-bench-logs-")
    env = dict(os.environ, STANDBY_HOME=home)
    os.makedirs(home, mode=0o700, exist_ok=True)
    with open(os.path.join(home, "config.json"), "w") as f:
        config = {"agents": {"jsonl": {"command": ["/bin/sh", "-c", "{prompt}"],
                                       "output": "stream-json"}}}
        if args.transcript_mb is not None:
            config["logs"] = {"transcriptOutputMb": args.transcript_mb}
        json.dump(config, f)
    out = subprocess.run([standby, "daemon", "start"], env=env, check=True,
                         stdout=subprocess.PIPE, text=True).stdout
    status = json.loads(out)
    endpoint, daemon_pid = status["endpoint"], status["pid"]
    baseline, session, stream_json, wall = [], [], [], []
    size = None
    try:
        target = os.path.join(home, "baseline.out")
        for i in range(args.runs):
            t0 = time.perf_counter()
            subprocess.run(["/bin/sh", "-c", f"{args.command} > {target}"], check=True)
            baseline.append((time.perf_counter() - t0) * 1000)
            size = os.path.getsize(target)
            os.remove(target)
            for agent, figures in (("shell", session), ("jsonl", stream_json)):
                name = f"{agent}-{i}"
                t0 = time.perf_counter()
                run = post(endpoint, "/api/v1/runs",
                           {"prompt": args.command, "name": name, "agent": agent, "wait": True})
                if agent == "shell":
                    wall.append((time.perf_counter() - t0) * 1000)
                assert run["status"] == "exited" and run["exitCode"] == 0, run
                logged = sum(os.path.getsize(os.path.join(home, "logs", f))
                             for f in os.listdir(os.path.join(home, "logs"))
                             if f == f"{name}.log" or f.startswith(f"{name}.log."))
                assert logged == size, f"{name}: {logged} bytes logged, {size} printed"
                figures.append(run["durationMs"])
                for f in os.listdir(os.path.join(home, "logs")):
                    if f.startswith(f"{name}.log"):
                        os.remove(os.path.join(home, "logs", f))
    finally:
        try:
            os.kill(daemon_pid, signal.SIGTERM)
        except OSError:
            pass
        time.sleep(0.2)
        shutil.rmtree(home, ignore_errors=True)

    goal = statistics.median(baseline) / 0.9
    rows = [
        row(f"sh -c '... > file' (baseline, {size / 1e6:.0f} MB)", baseline, "ms"),
        row("session: agent start -> all in its log", session, "ms", round(goal, 1), baseline),
        row("same, stream-json agent profile", stream_json, "ms", round(goal, 1), baseline),
        row("POST /api/v1/runs wait=true (wall)", wall, "ms", None, baseline),
    ]
    code = print_table(f"Standby log throughput, {args.runs} runs, command: {args.command}, "
                       f"{os.cpu_count()} cores, {time.strftime('%Y-%m-%d %H:%M')}", rows)
    print(f"speed vs baseline: session {statistics.median(baseline) / statistics.median(session):.2f}"
          f", stream-json {statistics.median(baseline) / statistics.median(stream_json):.2f}"
          f", wall {statistics.median(baseline) / statistics.median(wall):.2f} (goal >= 0.9)")
    return code


if __name__ == "__main__":
    sys.exit(main())
