#!/usr/bin/env python3
"""Metrics figures (issue 5): what sampling costs the daemon with 100 live `sleep` sessions,
beside a baseline measured in the same run on the same processes.

  (a) idle: nobody asks for metrics, so the daemon samples only the system (4 small files every
      2 s) and walks no process tree;
  (b) demand: a client polls GET /api/v1/metrics every 2 s, so every tick walks /proc and the
      100 trees (stat, fd count and io of each member) and answers the poll; once with the
      default answer (history included) and once with ?history=0, as a UI polls after its first
      load;
  (c) a Prometheus scrape of GET /metrics every 2 s;
  baseline: procps `ps -e -o pid,ppid,rss,pcpu` run every 2 s over the same processes (a plain
      tool reading the same /proc), its CPU from this script's reaped children.

Each figure is the daemon's CPU over N-second windows, as % of one core, from the exact runtime
of each of its threads (/proc/{pid}/task/*/schedstat), and the part of it spent on the sampling
thread; also the last sampling pass's wall time (from /metrics), the answer's size and the
daemon's resident memory once it holds the trees' history.

Goal: sampling 100 workers costs the daemon < 0.2 % of a core. Runs under a temporary
STANDBY_HOME on 127.0.0.1 and ends every process it started, by PID.

Run: python3 bench/metrics.py [--bin build/bin] [--seconds 30] [--windows 3]
"""
import argparse
import concurrent.futures
import os
import resource
import subprocess
import sys
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchlib import print_table, row  # noqa: E402
from sessions import Home, cpu_ticks, post, rss_kb, wait_listed  # noqa: E402

N = 100
PERIOD = 2.0
HZ = os.sysconf("SC_CLK_TCK")


def fetch(url):
    with urllib.request.urlopen(url, timeout=30) as reply:
        return reply.read()


def thread_cpu(pid):
    """CPU ns of each of the daemon's threads (schedstat: exact, where stat has 10 ms ticks)."""
    out = {}
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/schedstat") as f:
                out[int(tid)] = int(f.read().split()[0])
        except (OSError, ValueError):
            pass
    return out


def poll_windows(pid, seconds, windows, action):
    """Runs action() every PERIOD seconds for windows x seconds. Per window, the daemon's CPU as
    % of one core: all threads, and the sampling thread(s) alone (every thread but the main)."""
    total, sampling = [], []
    for _ in range(windows):
        ticks0, threads0, t0 = cpu_ticks(pid), thread_cpu(pid), time.time()
        next_at = t0
        while time.time() - t0 < seconds:
            if action and time.time() >= next_at:
                action()
                next_at += PERIOD
            time.sleep(max(0.0, min(next_at, t0 + seconds) - time.time()))
        elapsed = time.time() - t0
        threads1 = thread_cpu(pid)
        if set(threads0) <= set(threads1):
            spent = {tid: threads1[tid] - threads0.get(tid, 0) for tid in threads1}
            total.append(100.0 * sum(spent.values()) / 1e9 / elapsed)
            sampling.append(100.0 * sum(v for t, v in spent.items() if t != pid) / 1e9 / elapsed)
        else:  # a thread ended in the window and took its exact time along: use the ticks
            total.append(100.0 * (cpu_ticks(pid) - ticks0) / HZ / elapsed)
    return total, sampling


def children_cpu():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def ps_windows(seconds, windows):
    """The baseline: ps over every process every PERIOD seconds; its CPU % of one core."""
    out = []
    for _ in range(windows):
        cpu0, t0 = children_cpu(), time.time()
        next_at = t0
        while time.time() - t0 < seconds:
            if time.time() >= next_at:
                subprocess.run(["ps", "-e", "-o", "pid,ppid,rss,pcpu"], check=True,
                               stdout=subprocess.DEVNULL)
                next_at += PERIOD
            time.sleep(max(0.0, min(next_at, t0 + seconds) - time.time()))
        out.append(100.0 * (children_cpu() - cpu0) / (time.time() - t0))
    return out


def pass_seconds(endpoint):
    for line in fetch(endpoint + "/metrics").decode().splitlines():
        if line.startswith("standby_metrics_sample_duration_seconds "):
            return float(line.split()[1])
    return 0.0


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bin", default="build/bin")
    parser.add_argument("--seconds", type=float, default=30.0,
                        help="length of each measurement (split into --windows windows)")
    parser.add_argument("--windows", type=int, default=3)
    args = parser.parse_args()
    standby = os.path.abspath(os.path.join(args.bin, "standby"))
    if not os.access(standby, os.X_OK):
        sys.exit(f"bench: {standby} is not built; run 'make' first")
    window = args.seconds / args.windows

    home = Home(standby)
    try:
        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            list(pool.map(lambda i: post(home.endpoint, "/api/v1/runs",
                                         {"prompt": "sleep 600", "name": f"m-{i}"}), range(N)))
        assert wait_listed(home.path, N), "not all sessions came up"
        pid = home.daemon_pid
        time.sleep(PERIOD)  # let the start-up settle

        idle, idle_sampling = poll_windows(pid, window, args.windows, None)
        full_sizes = []
        full, full_sampling = poll_windows(
            pid, window, args.windows,
            lambda: full_sizes.append(len(fetch(home.endpoint + "/api/v1/metrics"))))
        bare, _ = poll_windows(pid, window, args.windows,
                               lambda: fetch(home.endpoint + "/api/v1/metrics?history=0"))
        scrape, scrape_sampling = poll_windows(pid, window, args.windows,
                                               lambda: fetch(home.endpoint + "/metrics"))
        passes = []
        for _ in range(5):
            time.sleep(PERIOD)
            passes.append(pass_seconds(home.endpoint) * 1000)
        rss = rss_kb(pid) / 1024
        baseline = ps_windows(window, args.windows)
    finally:
        home.close()

    secs = f"{args.seconds:.0f} s"
    rows = [
        row("ps -e -o pid,ppid,rss,pcpu every 2 s (baseline)", baseline, "%", digits=2),
        row(f"daemon CPU, idle (nobody asks), {secs}", idle, "%", 0.2, baseline, 2),
        row("  of which the sampling thread", idle_sampling, "%", digits=2),
        row(f"daemon CPU, GET /api/v1/metrics every 2 s, {secs}", full, "%", 0.2, baseline, 2),
        row("  of which the sampling thread", full_sampling, "%", digits=2),
        row(f"daemon CPU, GET /api/v1/metrics?history=0 every 2 s, {secs}", bare, "%", 0.2,
            baseline, 2),
        row(f"daemon CPU, GET /metrics every 2 s, {secs}", scrape, "%", 0.2, baseline, 2),
        row("  of which the sampling thread (trees and run records)", scrape_sampling, "%",
            digits=2),
        row("one sampling pass, 100 trees (wall time)", passes, "ms"),
        row(f"GET /api/v1/metrics answer ({len(full_sizes)} polls)",
            [s / 1024 for s in full_sizes], "KB"),
        row("daemon RSS with 100 trees' history", [rss], "MB", 25),
    ]
    missed = print_table(f"Standby metrics bench, {N} sleep sessions, {args.windows} windows of "
                f"{window:.0f} s, {os.cpu_count()} cores, {time.strftime('%Y-%m-%d %H:%M')}",
                rows)
    print(f"'vs baseline': the median over ps's. The answer grows with history: "
          f"{full_sizes[-1] / 1024:.0f} KB after {args.seconds:.0f} s of polling here; 15 "
          f"minutes of it for 100 workers is about "
          f"{(full_sizes[-1] - full_sizes[0]) / max(1, len(full_sizes) - 1) * 450 / 1024 / 1024:.1f} MB.")
    return missed


if __name__ == "__main__":
    sys.exit(main())
