#!/usr/bin/env python3
"""Daemon lifecycle figures: cold `standby daemon start` until the API answers, and
`standby daemon status`, each the median of N runs with min and max, beside baselines measured
in the same run on the same machine:

  * `/bin/true`           - the cost of starting any process at all (fork + exec)
  * `standby --version`   - the CLI's own start-up (dynamic linking, QCoreApplication), no work

Goals (issue 2, 2-core machine): start-to-ready < 50 ms, status < 10 ms.
Everything runs under temporary STANDBY_HOMEs on 127.0.0.1 and is stopped afterwards.
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


def run(cmd, env, check=True):
    return subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          check=check, text=True)


def timed(fn, runs):
    samples = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t0) * 1000.0)
    return samples


def health(endpoint):
    with urllib.request.urlopen(endpoint + "/api/v1/health", timeout=5) as reply:
        return reply.status == 200


def kill_daemon(home):
    """End the daemon of a bench home by its PID (only ever ours)."""
    try:
        with open(os.path.join(home, "daemon.json")) as f:
            pid = json.load(f)["pid"]
        os.kill(pid, signal.SIGTERM)
        deadline = time.time() + 10
        while time.time() < deadline:
            os.kill(pid, 0)
            time.sleep(0.01)
    except (FileNotFoundError, ProcessLookupError, KeyError, ValueError):
        pass


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bin", default="build/bin", help="folder with standby and standbyd")
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    standby = os.path.abspath(os.path.join(args.bin, "standby"))
    if not os.access(standby, os.X_OK):
        sys.exit(f"bench: {standby} is not built; run 'make' first")

    base_env = dict(os.environ)
    base_env.pop("STANDBY_GATEWAY_AUTH", None)
    true_ms = timed(lambda: run(["/bin/true"], base_env), args.runs)
    version_ms = timed(lambda: run([standby, "--version"], base_env), args.runs)

    # 1. Cold start: a fresh home each run, from invoking the CLI until our own GET /health
    #    succeeds against the endpoint it printed.
    start_ms = []
    for _ in range(args.runs):
        home = tempfile.mkdtemp(prefix="standby-bench-")
        env = dict(base_env, STANDBY_HOME=home)
        try:
            t0 = time.perf_counter()
            out = run([standby, "daemon", "start"], env).stdout
            assert health(json.loads(out)["endpoint"])
            start_ms.append((time.perf_counter() - t0) * 1000.0)
        finally:
            kill_daemon(home)
            shutil.rmtree(home, ignore_errors=True)

    # 2. Status against a running daemon.
    home = tempfile.mkdtemp(prefix="standby-bench-")
    env = dict(base_env, STANDBY_HOME=home)
    try:
        run([standby, "daemon", "start"], env)
        status_ms = timed(lambda: run([standby, "daemon", "status"], env), args.runs)
        stopped_home = tempfile.mkdtemp(prefix="standby-bench-")
        stopped_env = dict(base_env, STANDBY_HOME=stopped_home)
        stopped_ms = timed(lambda: run([standby, "daemon", "status"], stopped_env, check=False),
                           args.runs)
        shutil.rmtree(stopped_home, ignore_errors=True)
    finally:
        kill_daemon(home)
        shutil.rmtree(home, ignore_errors=True)

    rows = [
        row("/bin/true (process start)", true_ms, "ms"),
        row("standby --version (CLI start-up)", version_ms, "ms", baseline=true_ms),
        row("daemon start -> API answers (cold)", start_ms, "ms", 50, version_ms),
        row("daemon status (running)", status_ms, "ms", 10, version_ms),
        row("daemon status (stopped)", stopped_ms, "ms", baseline=version_ms),
    ]
    missed = print_table(f"Standby daemon lifecycle, {args.runs} runs each, {os.cpu_count()} cores, "
                         f"{time.strftime('%Y-%m-%d %H:%M')}", rows)
    print("\n'vs baseline': the median over standby --version's (daemon rows) or /bin/true's.")
    return missed

if __name__ == "__main__":
    sys.exit(main())
