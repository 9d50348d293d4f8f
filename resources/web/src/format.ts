// How figures read: the same short forms as `standby ps` (12s, 3m, 61M).

export function bytes(n: number | null | undefined, digits = 1): string {
  if (n == null || !isFinite(n)) return '–';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = n;
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? Math.round(value) : value.toFixed(value >= 100 ? 0 : digits)} ${units[unit]}`;
}

export function percent(n: number | null | undefined, digits = 1): string {
  if (n == null || !isFinite(n)) return '–';
  return `${n.toFixed(digits)}%`;
}

// 45s, 12m, 3h 5m, 2d 4h
export function duration(ms: number | null | undefined): string {
  if (ms == null || !isFinite(ms)) return '–';
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 24) return m % 60 ? `${h}h ${m % 60}m` : `${h}h`;
  const d = Math.floor(h / 24);
  return h % 24 ? `${d}d ${h % 24}h` : `${d}d`;
}

export function ago(time: number | null | undefined, now = Date.now()): string {
  if (!time) return '–';
  const ms = now - time;
  if (ms < 5000) return 'just now';
  return `${duration(ms)} ago`;
}

export function clock(time: number | null | undefined): string {
  if (!time) return '–';
  const d = new Date(time);
  const sameDay = d.toDateString() === new Date().toDateString();
  return sameDay ? d.toLocaleTimeString() : d.toLocaleString();
}

export function count(n: number | null | undefined): string {
  return n == null ? '–' : n.toLocaleString();
}
