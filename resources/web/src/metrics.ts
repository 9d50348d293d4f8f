// The daemon's metrics, polled at the interval it samples at. A daemon without the metrics
// routes answers 404: that is "unavailable", shown as such, and asked again only slowly.
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiError } from './api';

export interface Polled<T> {
  data?: T;
  error?: ApiError;
  unavailable: boolean;
}

export function usePolledMetrics<T extends { intervalMs?: number }>(path: string | null): Polled<T> {
  const [state, setState] = useState<Polled<T>>({ unavailable: false });
  const interval = useRef(2000);
  useEffect(() => {
    if (!path) return;
    let timer: number | undefined;
    let stopped = false;
    const controller = new AbortController();
    const poll = async () => {
      timer = undefined;
      let next = interval.current;
      try {
        const data = await api<T>(path, { signal: controller.signal });
        if (data && typeof data.intervalMs === 'number' && data.intervalMs >= 500) interval.current = data.intervalMs;
        next = interval.current;
        setState({ data, unavailable: false });
      } catch (e) {
        if (stopped) return;
        const error = e as ApiError;
        const unavailable = error.status === 404; // no such route (an older daemon) or worker
        setState((s) => ({ data: unavailable ? undefined : s.data, error, unavailable }));
        next = unavailable ? 30_000 : 5000;
      }
      if (!stopped && !document.hidden) timer = window.setTimeout(poll, next);
    };
    const onVisibility = () => {
      if (!document.hidden && timer === undefined && !stopped) poll();
    };
    poll();
    document.addEventListener('visibilitychange', onVisibility);
    return () => {
      stopped = true;
      controller.abort();
      if (timer !== undefined) clearTimeout(timer);
      document.removeEventListener('visibilitychange', onVisibility);
    };
  }, [path]);
  return state;
}

export const WINDOW_SEC = 15 * 60;

// [seconds[], ...values[]] for uPlot, the last `windowSec` only.
export function columns<P extends { time: number }>(
  points: P[] | undefined,
  pick: ((p: P) => number | null)[],
  windowSec = WINDOW_SEC,
): [number[], ...(number | null)[][]] {
  // Measured from the newest sample, not from this browser's clock, which may differ from the
  // daemon's.
  const list = points ?? [];
  const from = (list.length ? list[list.length - 1].time : 0) - windowSec * 1000;
  const recent = list.filter((p) => p.time >= from);
  return [recent.map((p) => p.time / 1000), ...pick.map((f) => recent.map(f))];
}
