// The live worker list and the run history, kept current: refetched when the daemon reports a
// change (debounced), and every 10 s for the CPU and memory figures, which change without events.
import { useEffect, useMemo } from 'preact/hooks';
import { api, type Run, type Worker } from './api';
import { debounce, useDaemonEvents } from './events';
import { useResource, useVisibleInterval, type Resource } from './hooks';

export const FIGURES_REFRESH_MS = 10_000;

export function useWorkers(): Resource<Worker[]> {
  const resource = useResource((signal) => api<Worker[]>('/api/v1/workers', { signal }), []);
  const refetch = useMemo(() => debounce(resource.reload, 250), [resource.reload]);
  useEffect(() => refetch.cancel, [refetch]);
  useDaemonEvents((e) => {
    if (e.type.startsWith('worker.') || e.type === 'reconnected') refetch();
  });
  useVisibleInterval(resource.reload, FIGURES_REFRESH_MS);
  return resource;
}

export function useRuns(limit = 20): Resource<Run[]> {
  const resource = useResource((signal) => api<Run[]>(`/api/v1/runs?limit=${limit}`, { signal }), [limit]);
  const refetch = useMemo(() => debounce(resource.reload, 400), [resource.reload]);
  useEffect(() => refetch.cancel, [refetch]);
  useDaemonEvents((e) => {
    if (e.type === 'worker.added' || e.type === 'worker.exited' || e.type === 'reconnected') refetch();
  });
  return resource;
}

// Sessions first, newest first; the daemon last.
export function sortWorkers(workers: Worker[]): Worker[] {
  return [...workers].sort((a, b) => {
    const da = a.kind === 'daemon' ? 1 : 0;
    const db = b.kind === 'daemon' ? 1 : 0;
    return da - db || b.startedAt - a.startedAt;
  });
}

export function isSession(w: Worker): boolean {
  return w.kind !== 'daemon';
}
