import { useMemo } from 'preact/hooks';
import { LOG_TYPES, type LogType } from '../api';
import { LogView } from '../components/LogView';
import { EmptyState, ErrorNote, Loading } from '../components/ui';
import { href, replaceQuery } from '../router';
import { isSession, sortWorkers, useRuns, useWorkers } from '../workers';

export function LogsPage({ query }: { query: URLSearchParams }) {
  const workers = useWorkers();
  const runs = useRuns(50);
  const requested = query.get('worker') ?? '';
  const type = LOG_TYPES.includes(query.get('type') as LogType) ? (query.get('type') as LogType) : undefined;
  const q = query.get('q') ?? '';

  // Running sessions, then the daemon, then ended sessions by name (their newest run).
  const options = useMemo(() => {
    const live = sortWorkers(workers.data ?? []).filter((w) => w.mode !== 'remote');
    const liveNames = new Set(live.map((w) => w.name));
    const ended: string[] = [];
    for (const r of runs.data ?? []) if (!liveNames.has(r.name) && !ended.includes(r.name)) ended.push(r.name);
    return { live, ended, liveNames };
  }, [workers.data, runs.data]);

  if (!workers.data && workers.error) return <ErrorNote error={workers.error} onRetry={workers.reload} />;
  if (!workers.data || !runs.data) return <Loading />;

  const firstSession = options.live.find(isSession)?.name ?? options.ended[0];
  const selected = requested || firstSession || '';
  const pick = (name: string) => {
    location.hash = href(['logs'], { worker: name });
  };

  return (
    <div class="page page-wide">
      <div class="page-head page-head-row">
        <div>
          <h1>Logs</h1>
          <p class="muted">What a session printed, live or after it ended, and its other logs.</p>
        </div>
        <label class="picker">
          <span>Session</span>
          <select
            value={selected}
            onChange={(e) => pick((e.target as HTMLSelectElement).value)}
            aria-label="Session"
            data-testid="log-picker"
          >
            {!selected && <option value="">No sessions</option>}
            {requested && !options.liveNames.has(requested) && !options.ended.includes(requested) && (
              <option value={requested}>{requested}</option>
            )}
            {options.live.length > 0 && (
              <optgroup label="Running">
                {options.live.map((w) => (
                  <option key={w.id} value={w.name}>
                    {w.name}
                    {w.kind === 'daemon' ? ' (daemon)' : ''}
                  </option>
                ))}
              </optgroup>
            )}
            {options.ended.length > 0 && (
              <optgroup label="Ended">
                {options.ended.map((name) => (
                  <option key={name} value={name}>
                    {name}
                  </option>
                ))}
              </optgroup>
            )}
          </select>
        </label>
      </div>
      {selected ? (
        <div class="card card-flush">
          <LogView
            key={selected}
            id={selected}
            live={options.liveNames.has(selected)}
            initial={{ type, q }}
            onChange={(s) => replaceQuery(['logs'], { worker: selected, type: s.type, q: s.q })}
          />
        </div>
      ) : (
        <div class="card">
          <EmptyState title="No logs yet" icon="logs">
            Every session keeps its output here. Start one with <code>standby --bg "make test"</code> or from the{' '}
            <a href="#/workers">Workers</a> page.
          </EmptyState>
        </div>
      )}
    </div>
  );
}
