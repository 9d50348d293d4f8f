// GET /api/v1/metrics as issue 5 defines it, made up around the sessions that really run, for
// checking the Metrics page while the daemon has no metrics route (tests/e2e/web_ui.mjs).
export function contractMetrics(workers) {
  let seed = 42;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const now = Date.now();
  const interval = 2000;
  const points = 450; // 15 minutes
  const times = Array.from({ length: points }, (_, i) => now - (points - 1 - i) * interval);
  const GiB = 1024 ** 3;
  const history = times.map((time, i) => ({
    time,
    cpuPercent: Math.max(2, Math.min(98, 22 + 14 * Math.sin(i / 40) + 6 * random() + (i % 97 < 6 ? 35 : 0))),
    memoryUsedBytes: Math.round((7.4 + 0.8 * Math.sin(i / 70) + 0.2 * random()) * GiB),
  }));
  const sessions = workers.filter((w) => w.kind === 'bg' && w.mode === 'local');
  return {
    intervalMs: interval,
    sampledAt: now,
    system: {
      cpuPercent: history[points - 1].cpuPercent,
      cpuCount: 2,
      memoryUsedBytes: history[points - 1].memoryUsedBytes,
      memoryTotalBytes: 24 * GiB,
      swapUsedBytes: 0,
      swapTotalBytes: 0,
      load1: 0.62,
      load5: 0.48,
      load15: 0.35,
      diskUsedBytes: Math.round(171.3 * GiB),
      diskTotalBytes: 252 * GiB,
      uptimeSec: 3 * 86400 + 5 * 3600,
    },
    history,
    workers: sessions.map((w, k) => ({
      pid: w.pid,
      name: w.name,
      kind: w.kind,
      processes: 2 + k,
      cpuPercent: [34.2, 8.5, 0.4, 1.2, 12.9][k % 5],
      rssBytes: [412, 96, 14, 38, 210][k % 5] * 1024 * 1024,
      threads: 3 + 2 * k,
      fds: 9 + k,
      readBytes: k === 2 ? null : (k + 1) * 7.5 * 1024 * 1024,
      writeBytes: k === 2 ? null : (k + 1) * 2.1 * 1024 * 1024,
      uptimeSec: 600 - 40 * k,
      history: times.map((time, i) => ({
        time,
        cpuPercent: Math.max(0, [30, 8, 0.5, 1, 12][k % 5] * (1 + 0.6 * Math.sin(i / (15 + 5 * k))) + 0.8 * random()),
        rssBytes: Math.round([400, 90, 14, 36, 200][k % 5] * 1024 * 1024 * (1 + 0.1 * Math.sin(i / 60))),
      })),
    })),
  };
}
