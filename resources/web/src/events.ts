// One EventSource on /api/v1/events for the whole page: what happens to workers, pushed by the
// daemon (inotify and pidfds on its side), so lists refresh when something changed rather than
// on a timer. The browser reconnects by itself, sending Last-Event-ID, and the daemon replays
// what was missed.
import { useEffect, useRef, useState } from 'preact/hooks';

export type EventsState = 'connecting' | 'live' | 'down';

export interface DaemonEvent {
  type: string; // worker.added, worker.started, worker.exited, worker.removed, daemon.stopping,
  // and "reconnected" (made here: the stream came back, anything may have changed)
  data: Record<string, unknown>;
}

const NAMES = ['worker.added', 'worker.started', 'worker.exited', 'worker.removed', 'daemon.stopping'];

type Listener = (event: DaemonEvent) => void;
const listeners = new Set<Listener>();
const stateListeners = new Set<(s: EventsState) => void>();
let source: EventSource | null = null;
let state: EventsState = 'connecting';
let everLive = false;

function setState(next: EventsState) {
  if (next === state) return;
  state = next;
  for (const l of stateListeners) l(state);
}

function emit(event: DaemonEvent) {
  for (const l of listeners) l(event);
}

function ensureSource() {
  if (source) return;
  source = new EventSource('/api/v1/events');
  source.onopen = () => {
    setState('live');
    if (everLive) emit({ type: 'reconnected', data: {} });
    everLive = true;
  };
  source.onerror = () => setState('down'); // it retries by itself
  for (const name of NAMES) {
    source.addEventListener(name, (e) => {
      let data: Record<string, unknown> = {};
      try {
        data = JSON.parse((e as MessageEvent).data);
      } catch {
        // an event without a body still says something happened
      }
      emit({ type: name, data });
    });
  }
}

export function useDaemonEvents(listener: Listener): void {
  const ref = useRef(listener);
  ref.current = listener;
  useEffect(() => {
    ensureSource();
    const l: Listener = (e) => ref.current(e);
    listeners.add(l);
    return () => void listeners.delete(l);
  }, []);
}

export function useEventsState(): EventsState {
  const [value, setValue] = useState(state);
  useEffect(() => {
    ensureSource();
    stateListeners.add(setValue);
    setValue(state);
    return () => void stateListeners.delete(setValue);
  }, []);
  return value;
}

// Calls fn at most once per `ms` however many events arrive: a hundred sessions starting at once
// are one refetch, not a hundred.
export function debounce(fn: () => void, ms: number): (() => void) & { cancel(): void } {
  let timer: number | undefined;
  const call = () => {
    if (timer !== undefined) return;
    timer = window.setTimeout(() => {
      timer = undefined;
      fn();
    }, ms);
  };
  call.cancel = () => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
  };
  return call;
}
