// A session's log: type switch (only the types it has), keyword search with the matches marked,
// live follow over Server-Sent Events with auto-scroll that pauses while the reader scrolls up,
// and download of the whole log.
import type { ComponentChildren, JSX } from 'preact';
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import { api, ApiError, LOG_TYPES, workerPath, type LogsAnswer, type LogType } from '../api';
import { Icon } from './ui';

const MAX_LINES = 10_000;
const TAILS = [200, 1000, 5000];
const TYPE_HELP: Record<LogType, string> = {
  process: 'What the session printed (stdout and stderr)',
  transcript: 'The session as events: prompt, output, input, exit',
  debug: "The holder's detailed record (sessions started with --debug)",
  telemetry: 'Info, warning and error lines of standby about this session',
};

interface Line {
  n: number;
  text: string;
}

interface Exit {
  status: string;
  exitCode: number | null;
  signal: string | null;
}

export interface LogViewState {
  type?: LogType;
  q: string;
}

// Colour and cursor escapes make no sense as text: shown without them.
// eslint-disable-next-line no-control-regex
const ANSI = /\x1b(?:\[[0-9;?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[@-Z\\-_])/g;
const clean = (s: string) => (s.includes('\x1b') ? s.replace(ANSI, '') : s);

export function LogView({
  id,
  live,
  initial,
  onChange,
  header,
}: {
  id: string;
  live: boolean;
  initial?: LogViewState;
  onChange?: (state: LogViewState) => void;
  header?: ComponentChildren;
}) {
  const [available, setAvailable] = useState<LogType[]>();
  const [type, setType] = useState<LogType | undefined>(initial?.type);
  const [input, setInput] = useState(initial?.q ?? '');
  const [q, setQ] = useState(initial?.q ?? '');
  const [ignoreCase, setIgnoreCase] = useState(true);
  const [follow, setFollow] = useState(live);
  const [tail, setTail] = useState(TAILS[0]);
  const [lines, setLines] = useState<Line[]>([]);
  const [phase, setPhase] = useState<'loading' | 'ready' | 'following' | 'reconnecting' | 'ended'>('loading');
  const [exit, setExit] = useState<Exit>();
  const [truncated, setTruncated] = useState(false);
  const [error, setError] = useState<ApiError>();
  const seq = useRef(0);

  // The search applies a moment after typing stops.
  useEffect(() => {
    const t = setTimeout(() => setQ(input.trim()), 300);
    return () => clearTimeout(t);
  }, [input]);

  useEffect(() => onChange?.({ type, q }), [type, q]);

  // Which types this session has; the process log is the default, when there is one.
  useEffect(() => {
    const controller = new AbortController();
    setAvailable(undefined);
    setError(undefined);
    const probe = (t?: LogType) =>
      api<LogsAnswer>(`${workerPath(id)}/logs?tail=1${t ? '&type=' + t : ''}`, { signal: controller.signal });
    probe(type ?? 'process')
      .catch((e) => {
        if (e instanceof ApiError && e.code === 'no_logs') return probe();
        throw e;
      })
      .then((answer) => {
        setAvailable(answer.available);
        setType((t) => (t && answer.available.includes(t) ? t : answer.type));
      })
      .catch((e) => {
        if (controller.signal.aborted) return;
        if (e instanceof ApiError && e.code === 'no_logs' && live) {
          // A session that has printed nothing yet: follow its process log from the start.
          setAvailable([]);
          setType('process');
          return;
        }
        setError(e as ApiError);
        setPhase('ready');
      });
    return () => controller.abort();
  }, [id]);

  // Appends arrive in bursts: they are collected and shown once per frame.
  const pending = useRef<string[]>([]);
  const frame = useRef(0);
  const flush = () => {
    frame.current = 0;
    const incoming = pending.current;
    pending.current = [];
    if (incoming.length === 0) return;
    setLines((old) => {
      const next = old.concat(incoming.map((text) => ({ n: seq.current++, text: clean(text) })));
      return next.length > MAX_LINES ? next.slice(next.length - MAX_LINES) : next;
    });
  };
  const append = (data: string) => {
    pending.current.push(...data.split('\n'));
    if (!frame.current) frame.current = requestAnimationFrame(flush);
  };

  useEffect(() => {
    if (!type) return;
    setError(undefined);
    setExit(undefined);
    setTruncated(false);
    pending.current = [];
    const params = new URLSearchParams({ type, tail: String(tail) });
    if (q) params.set('q', q);
    if (q && ignoreCase) params.set('ignoreCase', '1');
    const base = `${workerPath(id)}/logs?${params}`;

    if (!follow) {
      const controller = new AbortController();
      setPhase('loading');
      api<LogsAnswer>(base, { signal: controller.signal })
        .then((answer) => {
          setLines(answer.lines.map((text) => ({ n: seq.current++, text: clean(text) })));
          setAvailable(answer.available);
          setTruncated(answer.truncated);
          setPhase('ready');
        })
        .catch((e) => {
          if (controller.signal.aborted) return;
          setLines([]);
          setError(e as ApiError);
          setPhase('ready');
        });
      return () => controller.abort();
    }

    setPhase('loading');
    const source = new EventSource(`${base}&follow=1`);
    source.addEventListener('session', () => {
      // First event of every connection, reconnections too: the tail comes again after it.
      pending.current = [];
      setLines([]);
      setPhase('following');
    });
    source.addEventListener('log', (e) => append((e as MessageEvent).data));
    source.addEventListener('exit', (e) => {
      try {
        setExit(JSON.parse((e as MessageEvent).data));
      } catch {
        setExit({ status: 'ended', exitCode: null, signal: null });
      }
      setPhase('ended');
      source.close(); // or the browser would connect again and replay the tail
    });
    source.addEventListener('error', (e) => {
      const data = (e as MessageEvent).data;
      if (data) {
        // An error the daemon sent as an event (the log cannot be watched).
        try {
          const { code, message } = JSON.parse(data);
          setError(new ApiError(0, code, message));
        } catch {
          setError(new ApiError(0, 'follow_failed', String(data)));
        }
        source.close();
        setPhase('ready');
        return;
      }
      if (source.readyState === EventSource.CLOSED) {
        // Refused before it began (no such session, no such log): ask once more, plainly, for
        // the reason.
        api<LogsAnswer>(base).then(
          () => setError(new ApiError(0, 'follow_failed', 'The live follow was refused.')),
          (err) => setError(err as ApiError),
        );
        setPhase('ready');
      } else {
        setPhase('reconnecting');
      }
    });
    return () => {
      source.close();
      if (frame.current) cancelAnimationFrame(frame.current);
      frame.current = 0;
    };
  }, [id, type, q, ignoreCase, follow, tail]);

  // Auto-scroll: stay at the end while the reader is there; stop while they scroll up.
  const scroller = useRef<HTMLDivElement>(null);
  const stick = useRef(true);
  const [unseen, setUnseen] = useState(0);
  const newest = useRef(-1);
  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const last = lines.length ? lines[lines.length - 1].n : newest.current;
    const added = newest.current >= 0 ? Math.max(0, last - newest.current) : 0;
    newest.current = last;
    if (stick.current) el.scrollTop = el.scrollHeight;
    else if (added > 0) setUnseen((u) => u + added);
  }, [lines]);
  const onScroll = () => {
    const el = scroller.current!;
    const atEnd = el.scrollHeight - el.scrollTop - el.clientHeight < 32;
    stick.current = atEnd;
    if (atEnd) setUnseen(0);
  };
  const toEnd = () => {
    const el = scroller.current!;
    stick.current = true;
    el.scrollTop = el.scrollHeight;
    setUnseen(0);
  };

  const downloadHref = type && type !== 'telemetry' ? `${workerPath(id)}/logs/download?type=${type}` : undefined;
  const downloadTelemetry = async () => {
    // Telemetry files are shared with other sessions, so the daemon has no download of them:
    // this session's lines (up to 100000) are saved from here.
    try {
      const answer = await api<LogsAnswer>(`${workerPath(id)}/logs?type=telemetry&tail=100000`);
      saveText(answer.lines.join('\n') + '\n', `${id}-telemetry.log`);
    } catch (e) {
      setError(e as ApiError);
    }
  };

  return (
    <div class="logview" data-testid="logview" data-phase={phase}>
      <div class="logview-toolbar">
        {header}
        <div class="segmented" role="group" aria-label="Log type">
          {LOG_TYPES.map((t) => {
            const there = !available || available.includes(t) || (available.length === 0 && t === 'process');
            return (
              <button
                key={t}
                type="button"
                class={t === type ? 'active' : ''}
                aria-pressed={t === type}
                disabled={!there}
                title={there ? TYPE_HELP[t] : `No ${t} log for this session`}
                onClick={() => setType(t)}
              >
                {t}
              </button>
            );
          })}
        </div>
        <label class="search">
          <Icon name="search" />
          <input
            type="search"
            placeholder="Search the log"
            aria-label="Search the log"
            value={input}
            onInput={(e) => setInput((e.target as HTMLInputElement).value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter') setQ(input.trim());
            }}
          />
          <button
            type="button"
            class={`toggle ${ignoreCase ? '' : 'on'}`}
            aria-pressed={!ignoreCase}
            title={ignoreCase ? 'Ignoring case (click to match case)' : 'Matching case'}
            onClick={() => setIgnoreCase(!ignoreCase)}
          >
            Aa
          </button>
        </label>
        <div class="logview-controls">
          <label class="select-inline" title="How many of the last lines">
            <span class="sr-only">Lines</span>
            <select value={tail} onChange={(e) => setTail(Number((e.target as HTMLSelectElement).value))}>
              {TAILS.map((t) => (
                <option key={t} value={t}>
                  last {t.toLocaleString()}
                </option>
              ))}
            </select>
          </label>
          <label class="switch" title="Show new lines as they are written">
            <input
              type="checkbox"
              role="switch"
              checked={follow}
              onChange={(e) => setFollow((e.target as HTMLInputElement).checked)}
            />
            <span>Follow</span>
          </label>
          {downloadHref ? (
            <a class="btn btn-small" href={downloadHref} download title="Download the whole log">
              <Icon name="download" />
              <span class="label">Download</span>
            </a>
          ) : (
            <button class="btn btn-small" onClick={downloadTelemetry} disabled={!type} title="Download these lines">
              <Icon name="download" />
              <span class="label">Download</span>
            </button>
          )}
        </div>
      </div>
      <div class="logview-body">
        <div
          class="logview-lines"
          ref={scroller}
          onScroll={onScroll}
          tabIndex={0}
          aria-label="Log lines"
          aria-live="off"
        >
          {error ? (
            <div class="logview-note">{error.message}</div>
          ) : lines.length === 0 && phase !== 'loading' ? (
            <div class="logview-note">
              {q
                ? `No line matches “${q}”.`
                : phase === 'following'
                  ? 'Nothing written yet; new lines appear here as they come.'
                  : 'This log is empty.'}
            </div>
          ) : (
            lines.map((l) => <Highlighted key={l.n} text={l.text} q={q} ignoreCase={ignoreCase} />)
          )}
        </div>
        {unseen > 0 && (
          <button class="jump" onClick={toEnd}>
            <Icon name="down" size={14} />
            {unseen === 1 ? '1 new line' : `${unseen.toLocaleString()} new lines`}
          </button>
        )}
      </div>
      <div class="logview-status muted small">
        <span class={`phase phase-${phase}`}>
          {phase === 'loading' && 'Loading…'}
          {phase === 'following' && (
            <>
              <span class="dot" aria-hidden="true" /> Following live
            </>
          )}
          {phase === 'reconnecting' && 'Connection lost; reconnecting…'}
          {phase === 'ready' && (follow ? 'Not following' : 'Follow is off: these are the lines as they were')}
          {phase === 'ended' && exit && `Session ${describeExit(exit)}`}
        </span>
        <span>
          {lines.length.toLocaleString()} {lines.length === 1 ? 'line' : 'lines'}
          {q ? ` matching “${q}”` : ''}
          {truncated ? ' · the search stopped after the last 64 MB' : ''}
        </span>
      </div>
    </div>
  );
}

export function describeExit(exit: Exit): string {
  if (exit.status === 'exited') return `exited with code ${exit.exitCode}`;
  if (exit.status === 'killed') return `was killed by SIG${exit.signal}`;
  return exit.status;
}

function Highlighted({ text, q, ignoreCase }: { text: string; q: string; ignoreCase: boolean }) {
  const parts = useMemo(() => {
    if (!q) return [text];
    const hay = ignoreCase ? text.toLowerCase() : text;
    const needle = ignoreCase ? q.toLowerCase() : q;
    const out: (string | JSX.Element)[] = [];
    let at = 0;
    for (let i = hay.indexOf(needle); i >= 0; i = hay.indexOf(needle, i + needle.length)) {
      if (i > at) out.push(text.slice(at, i));
      out.push(<mark key={i}>{text.slice(i, i + needle.length)}</mark>);
      at = i + needle.length;
    }
    if (at < text.length) out.push(text.slice(at));
    return out;
  }, [text, q, ignoreCase]);
  return <div class="line">{text ? parts : '\u00a0'}</div>;
}

function saveText(text: string, name: string) {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/plain' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
