import { useEffect, useMemo, useState } from 'preact/hooks';
import { api, ApiError, workerPath, type Run, type Worker, type WorkerMetrics } from '../api';
import { AttachTerminal } from '../components/AttachTerminal';
import { LogView } from '../components/LogView';
import { confirmAction, notify } from '../components/overlays';
import { Badge, Card, EmptyState, ErrorNote, Icon, Loading, statusTone } from '../components/ui';
import { bytes, clock, duration, percent } from '../format';
import { useNow, useResource } from '../hooks';
import { debounce, useDaemonEvents } from '../events';
import { usePolledMetrics } from '../metrics';
import { href } from '../router';
import { WorkerChart } from './Metrics';
import { runOutcome } from './Workers';

interface Found {
  worker?: Worker;
  run?: Run;
}

// A live worker by PID or name; else its newest run (ended sessions keep their record and logs).
async function find(id: string, signal: AbortSignal): Promise<Found> {
  try {
    const worker = await api<Worker>(workerPath(id), { signal });
    let run: Run | undefined;
    if (worker.runId)
      run = await api<Run>(`/api/v1/runs/${encodeURIComponent(worker.runId)}`, { signal }).catch(() => undefined);
    return { worker, run };
  } catch (e) {
    if (!(e instanceof ApiError) || e.status !== 404) throw e;
  }
  if (/^r-/.test(id)) {
    const run = await api<Run>(`/api/v1/runs/${encodeURIComponent(id)}`, { signal }).catch(() => undefined);
    if (run) return { run };
  }
  const runs = await api<Run[]>('/api/v1/runs?limit=1000', { signal });
  return { run: runs.find((r) => r.name === id) };
}

export function WorkerPage({ id }: { id: string }) {
  const found = useResource((signal) => find(id, signal), [id]);
  const refetch = useMemo(() => debounce(found.reload, 200), [found.reload]);
  useEffect(() => refetch.cancel, [refetch]);
  useDaemonEvents((e) => {
    const d = e.data as { name?: string; pid?: number };
    if (e.type === 'reconnected' || d.name === id || String(d.pid) === id) refetch();
  });
  const [tab, setTab] = useState<'terminal' | 'log' | null>(null);
  const now = useNow(1000);
  // Once attached, the terminal stays (with the session's exit in it) after the session ends.
  const liveWorker = found.data?.worker;
  const attachable = !!liveWorker && liveWorker.kind === 'bg' && liveWorker.mode === 'local';
  const [attachId, setAttachId] = useState<string | null>(null);
  useEffect(() => {
    if (attachable && liveWorker) setAttachId(liveWorker.id);
  }, [attachable, liveWorker?.id]);

  const { data, error } = found;
  if (!data) return <div class="page">{error ? <ErrorNote error={error} onRetry={found.reload} /> : <Loading />}</div>;
  const { worker, run } = data;
  if (!worker && !run)
    return (
      <div class="page">
        <BackLink />
        <div class="card">
          <EmptyState title={`No session “${id}”`}>
            It is not running and has no run on record. See the <a href="#/workers">workers</a> that are.
          </EmptyState>
        </div>
      </div>
    );

  const name = worker?.name ?? run!.name;
  const live = !!worker;
  const canAttach = attachable || attachId !== null;
  const current = tab ?? (canAttach ? 'terminal' : 'log');
  const status = live ? worker!.status : run!.status;

  const kill = async () => {
    const ok = await confirmAction({
      title: `Kill ${name}?`,
      body: (
        <p>
          Sends SIGTERM to <strong>{name}</strong> and everything it started; SIGKILL follows after the grace period.
        </p>
      ),
      confirmLabel: 'Kill',
      danger: true,
    });
    if (!ok) return;
    try {
      await api(workerPath(worker!.id), { method: 'DELETE' });
      notify(`Stopping ${name}…`);
    } catch (e) {
      notify((e as ApiError).message, 'bad');
    }
  };

  return (
    <div class="page page-wide">
      <BackLink />
      <div class="page-head page-head-row">
        <div>
          <h1 class="worker-title">
            {name}
            <Badge tone={!live && run!.status === 'exited' && run!.exitCode !== 0 ? 'bad' : statusTone(status)}>
              {live ? status : runOutcome(run!)}
            </Badge>
            {worker && (
              <Badge tone={worker.kind === 'daemon' ? 'info' : 'neutral'}>
                {worker.mode === 'remote' ? 'remote' : worker.kind}
              </Badge>
            )}
          </h1>
          {run?.prompt && (
            <p class="muted prompt" title={run.prompt}>
              {run.prompt}
            </p>
          )}
        </div>
        <div class="card-actions">
          <a class="btn" href={href(['logs'], { worker: name })}>
            <Icon name="logs" />
            Logs
          </a>
          {live && worker!.kind !== 'daemon' && worker!.mode === 'local' && (
            <button class="btn btn-danger-outline" onClick={kill}>
              <Icon name="kill" />
              Kill
            </button>
          )}
        </div>
      </div>
      <div class="worker-layout">
        <div class="worker-main">
          <div class="tabs" role="tablist" aria-label="Session views">
            <button
              role="tab"
              aria-selected={current === 'terminal'}
              class={current === 'terminal' ? 'active' : ''}
              onClick={() => setTab('terminal')}
              disabled={!canAttach}
              title={
                canAttach ? 'Its live output; type to its stdin' : 'Only running background sessions can be attached'
              }
            >
              <Icon name="terminal" />
              Terminal
            </button>
            <button
              role="tab"
              aria-selected={current === 'log'}
              class={current === 'log' ? 'active' : ''}
              onClick={() => setTab('log')}
            >
              <Icon name="logs" />
              Log
            </button>
          </div>
          <div class="card card-flush tab-panel" role="tabpanel">
            {current === 'terminal' && canAttach ? (
              <AttachTerminal id={attachId ?? worker!.id} name={name} onExit={refetch} />
            ) : (
              <LogView key={name} id={live ? worker!.id : run!.runId} live={live} />
            )}
          </div>
        </div>
        <aside class="worker-aside">
          <Card title="Details">
            <dl class="facts facts-2">
              {worker && (
                <>
                  <dt>PID</dt>
                  <dd class="mono">
                    {worker.pid ?? '–'}
                    {worker.childPid ? <span class="muted"> · agent {worker.childPid}</span> : null}
                  </dd>
                  <dt>Running for</dt>
                  <dd>{duration(worker.ageMs + (now - loadedAt(worker)))}</dd>
                  <dt>CPU · memory</dt>
                  <dd>
                    {percent(worker.cpuPercent)} · {bytes(worker.rssBytes)}
                  </dd>
                </>
              )}
              {!worker && run && (
                <>
                  <dt>Ended</dt>
                  <dd>{clock(run.endedAt)}</dd>
                  <dt>Took</dt>
                  <dd>{run.durationMs != null ? duration(run.durationMs) : '–'}</dd>
                  {run.error && (
                    <>
                      <dt>Error</dt>
                      <dd>{run.error}</dd>
                    </>
                  )}
                </>
              )}
              <dt>Started</dt>
              <dd>{clock(worker?.startedAt ?? run?.startedAt ?? run?.acceptedAt)}</dd>
              <dt>Agent</dt>
              <dd>{worker?.agent ?? run?.agent ?? '–'}</dd>
              <dt>Working directory</dt>
              <dd class="path">{worker?.cwd ?? run?.cwd ?? '–'}</dd>
              {worker?.mode === 'remote' && (
                <>
                  <dt>Remote</dt>
                  <dd>
                    {worker.hostname} · {worker.url} · heartbeat {duration(worker.heartbeatAgeMs ?? 0)} ago
                  </dd>
                </>
              )}
              <dt>Run</dt>
              <dd class="mono">{worker?.runId ?? run?.runId ?? '–'}</dd>
              <dt>Log</dt>
              <dd class="path">{worker?.log ?? run?.log ?? '–'}</dd>
            </dl>
          </Card>
          <WorkerMetricsCard id={live ? worker!.id : null} />
        </aside>
      </div>
    </div>
  );
}

function BackLink() {
  return (
    <a class="back" href="#/workers">
      <Icon name="back" size={14} />
      Workers
    </a>
  );
}

function WorkerMetricsCard({ id }: { id: string | null }) {
  const { data, unavailable, error } = usePolledMetrics<WorkerMetrics & { intervalMs?: number }>(
    id ? `${workerPath(id)}/metrics` : null,
  );
  if (!id) return null;
  return (
    <Card title="CPU and memory">
      {unavailable ? (
        <p class="muted" data-testid="worker-metrics-unavailable">
          Metrics are not available from this daemon.
        </p>
      ) : data ? (
        <>
          <WorkerChart worker={data} height={150} />
          <dl class="facts">
            <dt>Processes</dt>
            <dd>{data.processes}</dd>
            <dt>Threads</dt>
            <dd>{data.threads}</dd>
            <dt>Open files</dt>
            <dd>{data.fds}</dd>
            <dt>Read · written</dt>
            <dd>
              {bytes(data.readBytes)} · {bytes(data.writeBytes)}
            </dd>
          </dl>
        </>
      ) : error ? (
        <p class="muted">{error.message}</p>
      ) : (
        <Loading />
      )}
    </Card>
  );
}

const loaded = new WeakMap<Worker, number>();
function loadedAt(w: Worker): number {
  let t = loaded.get(w);
  if (t === undefined) loaded.set(w, (t = Date.now()));
  return t;
}
