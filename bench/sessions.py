#!/usr/bin/env python3
"""Background-session figures with 100 live `sleep` sessions, beside baselines measured in the
same run:

  1. start 100 sessions and see all 100 listed as running:
       - through the API, 8 requests in flight (how a UI or script starts many)
       - through `standby --bg`, one after another (how a person starts them)
     baseline: 100 `/bin/sleep` started straight from this script (the cost of the processes)
  2. `standby ps` with 100 live, median of 20 (baseline: procps `ps -e`)
  3. the daemon's resident memory with 0 and with 100 sessions
  4. each holder's proportional memory (PSS) - the price of sessions that outlive the daemon
  5. the daemon's CPU over N idle seconds with 100 sessions (default 30)

Goals (issue 3): 100 started < 0.6 s, ps < 15 ms, daemon RSS < 20 / 25 MB, holder PSS < 2 MB,
idle CPU < 0.2 % of a core. Runs under temporary STANDBY_HOMEs on 127.0.0.1 only, and ends
every process it started, by PID.
"""
import argparse
import concurrent.futures
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

N = 100


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def pss_kb(pid):
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def cpu_ticks(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime + stime (fields 14, 15)


def start_ticks(pid):
    """Field 22 of /proc/{pid}/stat: identifies the process beyond its reusable PID."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return int(f.read().rsplit(")", 1)[1].split()[19])
    except (OSError, IndexError, ValueError):
        return None


def post(endpoint, path, body):
    request = urllib.request.Request(endpoint + path, data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json"}, method="POST")
    with urllib.request.urlopen(request, timeout=30) as reply:
        return json.load(reply)["data"]


def live_bg(home):
    """Names of live background sessions whose agent has started, from the registry files."""
    names = set()
    sessions = os.path.join(home, "sessions")
    for entry in os.listdir(sessions):
        try:
            with open(os.path.join(sessions, entry)) as f:
                data = json.load(f)
        except (OSError, ValueError):
            continue
        if data.get("kind") == "bg" and data.get("childPid"):
            names.add(data["name"])
    return names


def wait_listed(home, count, deadline_s=60):
    end = time.time() + deadline_s
    while time.time() < end:
        if len(live_bg(home)) >= count:
            return True
        time.sleep(0.002)
    return False


class Home:
    def __init__(self, standby):
        self.standby = standby
        self.path = tempfile.mkdtemp(prefix="standby-bench-")
        self.env = dict(os.environ, STANDBY_HOME=self.path)
        out = subprocess.run([standby, "daemon", "start"], env=self.env, check=True,
                             stdout=subprocess.PIPE, text=True).stdout
        status = json.loads(out)
        self.endpoint, self.daemon_pid = status["endpoint"], status["pid"]

    def holders(self):
        pids = []
        for entry in os.listdir(os.path.join(self.path, "sessions")):
            try:
                with open(os.path.join(self.path, "sessions", entry)) as f:
                    data = json.load(f)
                if data.get("kind") == "bg":
                    pids.append(data["pid"])
            except (OSError, ValueError, KeyError):
                pass
        return pids

    def close(self):
        """Kill every holder's agent group and holder, then the daemon - all by PID."""
        for entry in os.listdir(os.path.join(self.path, "sessions")):
            try:
                with open(os.path.join(self.path, "sessions", entry)) as f:
                    data = json.load(f)
                if data.get("kind") != "bg" or start_ticks(data["pid"]) != data.get("procStart"):
                    continue  # not (or no longer) the holder this bench started
                child = data.get("childPid")
                if child and start_ticks(child) is not None:
                    os.killpg(child, signal.SIGKILL)
                os.kill(data["pid"], signal.SIGKILL)
            except (OSError, ValueError, KeyError):
                pass
        try:
            os.kill(self.daemon_pid, signal.SIGTERM)
        except OSError:
            pass
        time.sleep(0.2)
        shutil.rmtree(self.path, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bin", default="build/bin")
    parser.add_argument("--idle-seconds", type=float, default=30.0)
    parser.add_argument("--runs", type=int, default=3, help="repetitions of the start figures")
    args = parser.parse_args()
    standby = os.path.abspath(os.path.join(args.bin, "standby"))
    if not os.access(standby, os.X_OK):
        sys.exit(f"bench: {standby} is not built; run 'make' first")
    # Baseline: 100 plain processes.
    base = []
    for _ in range(args.runs):
        t0 = time.perf_counter()
        procs = [subprocess.Popen(["/bin/sleep", "600"]) for _ in range(N)]
        base.append((time.perf_counter() - t0) * 1000)
        for p in procs:
            p.kill()
            p.wait()

    api_ms, cli_ms = [], []
    for run in range(args.runs):
        home = Home(standby)
        try:
            t0 = time.perf_counter()
            with concurrent.futures.ThreadPoolExecutor(8) as pool:
                list(pool.map(lambda i: post(home.endpoint, "/api/v1/runs",
                                             {"prompt": "sleep 600", "name": f"api-{i}"}), range(N)))
            assert wait_listed(home.path, N), "not all sessions came up"
            api_ms.append((time.perf_counter() - t0) * 1000)
        finally:
            home.close()
        home = Home(standby)
        try:
            t0 = time.perf_counter()
            for i in range(N):
                subprocess.run([standby, "--bg", "--name", f"cli-{i}", "sleep 600"], env=home.env,
                               check=True, stdout=subprocess.DEVNULL)
            assert wait_listed(home.path, N), "not all sessions came up"
            cli_ms.append((time.perf_counter() - t0) * 1000)
        finally:
            home.close()

    home = Home(standby)
    try:
        rss_idle = rss_kb(home.daemon_pid)
        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            list(pool.map(lambda i: post(home.endpoint, "/api/v1/runs",
                                         {"prompt": "sleep 600", "name": f"s-{i}"}), range(N)))
        assert wait_listed(home.path, N)
        ps_ms, procps_ms = [], []
        for _ in range(20):
            t0 = time.perf_counter()
            subprocess.run([standby, "ps"], env=home.env, check=True, stdout=subprocess.DEVNULL)
            ps_ms.append((time.perf_counter() - t0) * 1000)
            t0 = time.perf_counter()
            subprocess.run(["ps", "-e"], check=True, stdout=subprocess.DEVNULL)
            procps_ms.append((time.perf_counter() - t0) * 1000)
        rss_full = rss_kb(home.daemon_pid)
        pss = [p for p in (pss_kb(pid) for pid in home.holders()) if p is not None]
        ticks0 = cpu_ticks(home.daemon_pid)
        t0 = time.time()
        time.sleep(args.idle_seconds)
        ticks = cpu_ticks(home.daemon_pid) - ticks0
        cpu_pct = 100.0 * ticks / os.sysconf("SC_CLK_TCK") / (time.time() - t0)
    finally:
        home.close()

    rows = [
        row("100 x /bin/sleep straight (baseline)", base, "ms"),
        row("start 100 via API (8 in flight) + listed", api_ms, "ms", 600, base),
        row("start 100 via standby --bg, one by one + listed", cli_ms, "ms", None, base),
        row("procps ps -e (baseline)", procps_ms, "ms"),
        row("standby ps with 100 live", ps_ms, "ms", 15, procps_ms),
        row("daemon RSS idle", [rss_idle / 1024], "MB", 20),
        row("daemon RSS with 100 sessions", [rss_full / 1024], "MB", 25),
        row("holder PSS (each of 100)", [p / 1024 for p in pss], "MB", 2),
        row(f"daemon CPU over {args.idle_seconds:.0f} s idle, 100 sessions", [cpu_pct], "%", 0.2),
    ]
    return print_table(f"Standby sessions bench, {N} sessions, {args.runs} runs for start figures, "
                       f"{os.cpu_count()} cores, {time.strftime('%Y-%m-%d %H:%M')}", rows)

if __name__ == "__main__":
    sys.exit(main())
