import { useState } from 'preact/hooks';
import { api, ApiError, workerPath, type Info, type StartedRun, type Worker } from '../api';
import { confirmAction, notify } from '../components/overlays';
import { Badge, Card, EmptyState, ErrorNote, Icon, Loading, statusTone } from '../components/ui';
import { ago, bytes, clock, duration, percent } from '../format';
import { useNow } from '../hooks';
import { href } from '../router';
import { isSession, sortWorkers, useRuns, useWorkers } from '../workers';

export function WorkersPage({ info }: { info?: Info }) {
  const workers = useWorkers();
  const runs = useRuns(50);
  const [formOpen, setFormOpen] = useState<boolean | null>(null);
  // The form opens by itself when there is nothing running: the one thing to do then.
  const noSessions = !!workers.data && !workers.data.some(isSession);
  const showForm = formOpen ?? noSessions;
  return (
    <div class="page">
      <div class="page-head page-head-row">
        <div>
          <h1>Workers</h1>
          <p class="muted">Sessions running in the background, the ones in terminals, and the daemon itself.</p>
        </div>
        <button
          class="btn btn-primary"
          onClick={() => setFormOpen(!showForm)}
          aria-expanded={showForm}
          aria-controls="start-task"
        >
          <Icon name="play" />
          New task
        </button>
      </div>
      <DaemonCard info={info} />
      {showForm && <StartTask onStarted={() => workers.reload()} onClose={() => setFormOpen(false)} />}
      <WorkersTable resource={workers} />
      <RecentRuns runs={runs.data} />
    </div>
  );
}

function DaemonCard({ info }: { info?: Info }) {
  const [state, setState] = useState<'running' | 'stopping' | 'stopped' | 'restarting'>('running');
  const now = useNow(5000);
  if (!info)
    return (
      <section class="card daemon-bar" aria-label="Daemon">
        <Loading label="Daemon…" />
      </section>
    );

  const stop = async () => {
    const ok = await confirmAction({
      title: 'Stop the daemon?',
      body: (
        <p>
          Sessions keep running and keep writing their logs. This page stops working until the daemon is started again
          with <code>standby daemon start</code>.
        </p>
      ),
      confirmLabel: 'Stop daemon',
      danger: true,
    });
    if (!ok) return;
    setState('stopping');
    try {
      await api('/api/v1/daemon/stop', { method: 'POST' });
      setState('stopped');
    } catch (e) {
      setState('running');
      notify((e as ApiError).message, 'bad');
    }
  };
  const restart = async () => {
    const ok = await confirmAction({
      title: 'Restart the daemon?',
      body: <p>Sessions keep running. The page reconnects when the new daemon answers.</p>,
      confirmLabel: 'Restart',
    });
    if (!ok) return;
    setState('restarting');
    try {
      await api('/api/v1/daemon/restart', { method: 'POST' });
      notify('The daemon is restarting…');
      waitForDaemon().then(
        () => {
          setState('running');
          notify('The daemon is back.', 'ok');
        },
        () => {
          setState('stopped');
          notify('The daemon did not come back at this address. Find it with: standby daemon status', 'bad');
        },
      );
    } catch (e) {
      setState('running');
      notify((e as ApiError).message, 'bad');
    }
  };

  const stopped = state === 'stopped';
  return (
    <section class="card daemon-bar" aria-label="Daemon">
      <div class="daemon-status" data-testid="daemon-state" data-state={state}>
        <span class={`status-dot status-${stopped ? 'bad' : state === 'running' ? 'ok' : 'warn'}`} aria-hidden="true" />
        <strong>
          Daemon{' '}
          {state === 'running'
            ? 'running'
            : state === 'stopped'
              ? 'stopped'
              : state === 'stopping'
                ? 'stopping…'
                : 'restarting…'}
        </strong>
      </div>
      {stopped ? (
        <p class="muted daemon-facts">
          Sessions run on without it. Start it again with <code>standby daemon start</code>, then reload this page.
        </p>
      ) : (
        <dl class="daemon-facts">
          <div>
            <dt>PID</dt>
            <dd class="mono">{info.pid}</dd>
          </div>
          <div>
            <dt>Up</dt>
            <dd>{duration(now - info.startedAt)}</dd>
          </div>
          <div>
            <dt>Version</dt>
            <dd>{info.version}</dd>
          </div>
          <div>
            <dt>Mode</dt>
            <dd>{info.resident ? 'resident' : 'foreground'}</dd>
          </div>
          <div class="daemon-endpoint">
            <dt>Endpoint</dt>
            <dd class="mono">{info.endpoint}</dd>
          </div>
          <div class="daemon-home">
            <dt>Home</dt>
            <dd class="path" title={info.home}>
              {info.home}
            </dd>
          </div>
        </dl>
      )}
      {!stopped && (
        <div class="card-actions daemon-actions">
          <button
            class="btn btn-small"
            onClick={restart}
            disabled={!info.resident || state !== 'running'}
            title={
              info.resident
                ? 'Replace the daemon with a fresh one; sessions keep running'
                : 'This daemon runs in the foreground (--serve): restart it where it was started'
            }
          >
            <Icon name="restart" />
            Restart
          </button>
          <button class="btn btn-small btn-danger-outline" onClick={stop} disabled={state !== 'running'}>
            <Icon name="stop" />
            Stop
          </button>
        </div>
      )}
    </section>
  );
}

// After a restart the new daemon answers at the same address when it was started with a fixed
// port; polls /api/v1/health for a while with growing pauses.
async function waitForDaemon(): Promise<void> {
  const deadline = Date.now() + 20_000;
  let pause = 300;
  await new Promise((r) => setTimeout(r, 500));
  while (Date.now() < deadline) {
    try {
      await api('/api/v1/health');
      return;
    } catch {
      await new Promise((r) => setTimeout(r, pause));
      pause = Math.min(pause * 1.5, 2000);
    }
  }
  throw new Error('not back');
}

function StartTask({ onStarted, onClose }: { onStarted: () => void; onClose: () => void }) {
  const [prompt, setPrompt] = useState('');
  const [name, setName] = useState('');
  const [agent, setAgent] = useState('');
  const [cwd, setCwd] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError>();

  const submit = async (e: Event) => {
    e.preventDefault();
    if (!prompt.trim()) return;
    setBusy(true);
    setError(undefined);
    try {
      const body: Record<string, string> = { prompt };
      if (name.trim()) body.name = name.trim();
      if (agent.trim()) body.agent = agent.trim();
      if (cwd.trim()) body.cwd = cwd.trim();
      const run = await api<StartedRun>('/api/v1/runs', { method: 'POST', body });
      notify(
        <span>
          Started <a href={href(['workers', run.name])}>{run.name}</a> (pid {run.pid})
        </span>,
        'ok',
      );
      setPrompt('');
      setName('');
      onStarted();
    } catch (err) {
      setError(err as ApiError);
    } finally {
      setBusy(false);
    }
  };
  // "name: …" in a refusal names the field it is about.
  const field =
    error?.code === 'invalid_field' ? error.message.split(':', 1)[0] : error?.code === 'name_taken' ? 'name' : '';
  return (
    <Card title="Start a task" class="start-card">
      <form class="form" id="start-task" onSubmit={submit} aria-label="Start a task">
        <label class="field field-wide">
          <span>Task</span>
          <textarea
            name="prompt"
            rows={2}
            required
            autofocus
            placeholder={'make -j8 check   ·   or a prompt for an agent profile'}
            value={prompt}
            onInput={(e) => setPrompt((e.target as HTMLTextAreaElement).value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) submit(e);
            }}
            aria-invalid={field === 'prompt'}
          />
        </label>
        <label class="field">
          <span>Name</span>
          <input
            name="name"
            placeholder="made from the task"
            value={name}
            pattern="[A-Za-z0-9_][A-Za-z0-9._\-]{0,63}"
            onInput={(e) => setName((e.target as HTMLInputElement).value)}
            aria-invalid={field === 'name'}
          />
        </label>
        <label class="field">
          <span>Agent</span>
          <input
            name="agent"
            placeholder="shell"
            value={agent}
            onInput={(e) => setAgent((e.target as HTMLInputElement).value)}
            aria-invalid={field === 'agent'}
          />
        </label>
        <label class="field field-2">
          <span>Working directory</span>
          <input
            name="cwd"
            placeholder="your home folder"
            value={cwd}
            onInput={(e) => setCwd((e.target as HTMLInputElement).value)}
            aria-invalid={field === 'cwd'}
          />
        </label>
        {error && (
          <div class="note note-error field-wide" role="alert">
            {error.message}
          </div>
        )}
        <div class="form-actions field-wide">
          <span class="muted small">
            Runs in the background, like <code>standby --bg</code>. Ctrl+Enter starts it.
          </span>
          <div class="card-actions">
            <button type="button" class="btn" onClick={onClose}>
              Close
            </button>
            <button type="submit" class="btn btn-primary" disabled={busy || !prompt.trim()}>
              <Icon name="play" />
              {busy ? 'Starting…' : 'Start'}
            </button>
          </div>
        </div>
      </form>
    </Card>
  );
}

function WorkersTable({ resource }: { resource: ReturnType<typeof useWorkers> }) {
  const now = useNow(1000);
  const [stopping, setStopping] = useState<Record<string, boolean>>({});
  const { data, error, reload } = resource;
  if (!data) return <Card title="Running">{error ? <ErrorNote error={error} onRetry={reload} /> : <Loading />}</Card>;

  const workers = sortWorkers(data);
  const sessions = workers.filter(isSession);
  const kill = async (w: Worker) => {
    const remote = w.mode === 'remote';
    const ok = await confirmAction({
      title: remote ? `Forget ${w.name}?` : `Kill ${w.name}?`,
      body: remote ? (
        <p>The remote worker is removed from this list. It is not stopped on its machine.</p>
      ) : (
        <p>
          Sends SIGTERM to <strong>{w.name}</strong> (pid {w.pid}) and everything it started; SIGKILL follows after the
          grace period. Its log stays.
        </p>
      ),
      confirmLabel: remote ? 'Forget' : 'Kill',
      danger: true,
    });
    if (!ok) return;
    setStopping((s) => ({ ...s, [w.id]: true }));
    try {
      await api(workerPath(w.id), { method: 'DELETE' });
      notify(remote ? `Forgot ${w.name}` : `Stopping ${w.name}…`);
    } catch (e) {
      setStopping((s) => ({ ...s, [w.id]: false }));
      notify((e as ApiError).message, 'bad');
    }
  };

  return (
    <Card
      title={
        <>
          Running <span class="count">{sessions.length}</span>
        </>
      }
      actions={
        <button class="btn btn-ghost btn-small" onClick={reload} title="Refresh now">
          <Icon name="refresh" />
        </button>
      }
    >
      {error && <ErrorNote error={error} onRetry={reload} />}
      {sessions.length === 0 && (
        <EmptyState title="No sessions yet">
          Start one with <code>standby --bg "make test"</code> or with the form above. Sessions keep running when the
          daemon stops.
        </EmptyState>
      )}
      {sessions.length > 0 && (
        <div class="table-wrap">
          <table class="table workers-table" data-testid="workers-table">
            <thead>
              <tr>
                <th>Name</th>
                <th class="num">PID</th>
                <th>Kind</th>
                <th>Status</th>
                <th class="num">Age</th>
                <th class="num">CPU</th>
                <th class="num">Memory</th>
                <th>Agent</th>
                <th>Working directory</th>
                <th class="actions-col">
                  <span class="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {workers.map((w) => (
                <WorkerRow key={w.id} worker={w} now={now} stopping={!!stopping[w.id]} onKill={() => kill(w)} />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Card>
  );
}

function WorkerRow({
  worker: w,
  now,
  stopping,
  onKill,
}: {
  worker: Worker;
  now: number;
  stopping: boolean;
  onKill: () => void;
}) {
  const remote = w.mode === 'remote';
  const age = w.ageMs + (now - fetchedAt(w));
  const heartbeat = remote ? (w.heartbeatAgeMs ?? 0) + (now - fetchedAt(w)) : 0;
  return (
    <tr data-worker={w.name} class={stopping ? 'row-stopping' : ''}>
      <td data-label="Name" class="cell-name">
        {w.kind === 'daemon' ? (
          <span class="name">{w.name}</span>
        ) : (
          <a class="name" href={href(['workers', w.name])}>
            {w.name}
          </a>
        )}
        {remote && (
          <span class="sub">
            <Icon name="remote" size={12} /> {w.hostname ?? w.url} · heartbeat {duration(heartbeat)} ago
          </span>
        )}
      </td>
      <td data-label="PID" class="num mono">
        {w.pid ?? '–'}
      </td>
      <td data-label="Kind">
        <Badge tone={w.kind === 'daemon' ? 'info' : remote ? 'violet' : 'neutral'}>{remote ? 'remote' : w.kind}</Badge>
      </td>
      <td data-label="Status">
        <Badge tone={stopping ? 'warn' : remote && heartbeat > 60_000 ? 'warn' : statusTone(w.status)}>
          {stopping ? 'stopping' : w.status}
        </Badge>
      </td>
      <td data-label="Age" class="num">
        {duration(age)}
      </td>
      <td data-label="CPU" class="num">
        {percent(w.cpuPercent)}
      </td>
      <td data-label="Memory" class="num">
        {bytes(w.rssBytes)}
      </td>
      <td data-label="Agent">{w.agent ?? '–'}</td>
      <td data-label="Working dir" class="path" title={w.cwd ?? ''}>
        {w.cwd ?? '–'}
      </td>
      <td class="actions-col">
        {w.kind !== 'daemon' && (
          <div class="row-actions">
            {!remote && (
              <a class="btn btn-small btn-ghost" href={href(['logs'], { worker: w.name })} title="Logs">
                <Icon name="logs" />
                <span class="label">Logs</span>
              </a>
            )}
            <button
              class="btn btn-small btn-danger-outline"
              onClick={onKill}
              disabled={stopping}
              aria-label={`${remote ? 'Forget' : 'Kill'} ${w.name}`}
            >
              <Icon name="kill" />
              <span class="label">{remote ? 'Forget' : 'Kill'}</span>
            </button>
          </div>
        )}
      </td>
    </tr>
  );
}

// When the figures of a worker object were taken: ages count on from there between refetches.
const seen = new WeakMap<Worker, number>();
function fetchedAt(w: Worker): number {
  let t = seen.get(w);
  if (t === undefined) {
    t = Date.now();
    seen.set(w, t);
  }
  return t;
}

// Runs that have ended (the running ones are in the list above), newest first.
function RecentRuns({ runs: all }: { runs?: import('../api').Run[] }) {
  const runs = (all ?? []).filter((r) => r.status !== 'running' && r.status !== 'accepted').slice(0, 10);
  if (runs.length === 0) return null;
  return (
    <Card title="Ended recently">
      <div class="table-wrap">
        <table class="table runs-table">
          <thead>
            <tr>
              <th>Name</th>
              <th>Status</th>
              <th>Started</th>
              <th class="num">Took</th>
              <th>Agent</th>
              <th>Task</th>
            </tr>
          </thead>
          <tbody>
            {runs.map((r) => (
              <tr key={r.runId}>
                <td data-label="Name" class="cell-name">
                  <a class="name" href={href(['workers', r.name])}>
                    {r.name}
                  </a>
                </td>
                <td data-label="Status">
                  <Badge tone={r.status === 'exited' && r.exitCode !== 0 ? 'bad' : statusTone(r.status)}>
                    {runOutcome(r)}
                  </Badge>
                </td>
                <td data-label="Started" title={clock(r.startedAt ?? r.acceptedAt)}>
                  {ago(r.startedAt ?? r.acceptedAt)}
                </td>
                <td data-label="Took" class="num">
                  {r.durationMs != null ? duration(r.durationMs) : '–'}
                </td>
                <td data-label="Agent">{r.agent}</td>
                <td data-label="Task" class="task" title={r.prompt}>
                  {r.prompt}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </Card>
  );
}

export function runOutcome(r: import('../api').Run): string {
  if (r.status === 'exited') return `exited ${r.exitCode ?? ''}`.trim();
  if (r.status === 'killed') return r.timedOut ? 'timed out' : `killed ${r.signal ? 'SIG' + r.signal : ''}`.trim();
  return r.status;
}
