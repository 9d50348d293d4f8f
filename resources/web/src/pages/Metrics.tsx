import { useMemo, useState } from 'preact/hooks';
import type { Metrics, WorkerMetrics } from '../api';
import { BYTE_STEPS, Chart } from '../components/Chart';
import { Card, EmptyState, ErrorNote, Loading, Meter } from '../components/ui';
import { bytes, count, duration, percent } from '../format';
import { columns, usePolledMetrics, WINDOW_SEC } from '../metrics';
import { href } from '../router';

const PER_WORKER_CHARTS = 12;

export function MetricsPage() {
  const { data, error, unavailable } = usePolledMetrics<Metrics>('/api/v1/metrics');
  return (
    <div class="page">
      <div class="page-head">
        <h1>Metrics</h1>
        <p class="muted">
          This machine and every session's process tree
          {data ? `, sampled every ${(data.intervalMs / 1000).toLocaleString()} s` : ''}.
        </p>
      </div>
      {unavailable ? (
        <div class="card" data-testid="metrics-unavailable">
          <EmptyState title="Metrics are not available" icon="metrics">
            This daemon does not sample metrics (<code>GET /api/v1/metrics</code> answered 404; it comes with a newer{' '}
            <code>standbyd</code>). Each session's CPU and memory are still on the <a href="#/workers">Workers</a> page.
          </EmptyState>
        </div>
      ) : !data ? (
        error ? (
          <ErrorNote error={error} />
        ) : (
          <Loading />
        )
      ) : (
        <MetricsView data={data} stale={!!error} />
      )}
    </div>
  );
}

function MetricsView({ data, stale }: { data: Metrics; stale: boolean }) {
  const s = data.system;
  const cpu = useMemo(() => columns(data.history, [(p) => p.cpuPercent]), [data]);
  const memory = useMemo(() => columns(data.history, [(p) => p.memoryUsedBytes]), [data]);
  const memoryTop = s.memoryTotalBytes || undefined;
  return (
    <>
      {stale && (
        <div class="note note-warn">
          The daemon stopped answering; these figures are from {new Date(data.sampledAt).toLocaleTimeString()}.
        </div>
      )}
      <div class="gauges" data-testid="gauges">
        <Gauge label="CPU" value={percent(s.cpuPercent)} share={s.cpuPercent} detail={`${s.cpuCount} cores`} />
        <Gauge
          label="Memory"
          value={bytes(s.memoryUsedBytes)}
          share={share(s.memoryUsedBytes, s.memoryTotalBytes)}
          detail={`of ${bytes(s.memoryTotalBytes)}`}
        />
        {s.swapTotalBytes > 0 && (
          <Gauge
            label="Swap"
            value={bytes(s.swapUsedBytes)}
            share={share(s.swapUsedBytes, s.swapTotalBytes)}
            detail={`of ${bytes(s.swapTotalBytes)}`}
          />
        )}
        <Gauge
          label="Disk"
          value={bytes(s.diskUsedBytes)}
          share={share(s.diskUsedBytes, s.diskTotalBytes)}
          detail={`of ${bytes(s.diskTotalBytes)}`}
        />
        <Gauge
          label="Load"
          value={s.load1.toFixed(2)}
          share={s.cpuCount ? (100 * s.load1) / s.cpuCount : 0}
          detail={`${s.load5.toFixed(2)} · ${s.load15.toFixed(2)} (5, 15 min)`}
        />
        <div class="gauge">
          <div class="gauge-label">Uptime</div>
          <div class="gauge-value">{duration(s.uptimeSec * 1000)}</div>
          <div class="gauge-detail muted">since boot</div>
        </div>
      </div>
      <div class="grid-2">
        <Card title="CPU · last 15 minutes">
          <Chart
            label="System CPU use over the last 15 minutes"
            data={cpu}
            windowSec={WINDOW_SEC}
            series={[{ label: 'CPU', color: '--chart-1', scale: '%', format: (v) => percent(v, 0), fill: true }]}
            scales={[{ key: '%', format: (v) => `${v}%`, min: 0, max: 100 }]}
          />
        </Card>
        <Card title="Memory · last 15 minutes">
          <Chart
            label="System memory use over the last 15 minutes"
            data={memory}
            windowSec={WINDOW_SEC}
            series={[{ label: 'Used', color: '--chart-2', scale: 'b', format: (v) => bytes(v), fill: true }]}
            scales={[{ key: 'b', format: (v) => bytes(v, 0), min: 0, max: memoryTop, incrs: BYTE_STEPS }]}
          />
        </Card>
      </div>
      <WorkerCharts workers={data.workers} />
      <WorkerTable workers={data.workers} />
    </>
  );
}

function share(used: number, total: number): number {
  return total > 0 ? (100 * used) / total : 0;
}

function Gauge({ label, value, share, detail }: { label: string; value: string; share: number; detail: string }) {
  return (
    <div class="gauge">
      <div class="gauge-label">{label}</div>
      <div class="gauge-value">{value}</div>
      <Meter value={share} />
      <div class="gauge-detail muted">{detail}</div>
    </div>
  );
}

function WorkerCharts({ workers }: { workers: WorkerMetrics[] }) {
  const [all, setAll] = useState(false);
  if (workers.length === 0)
    return (
      <Card title="Sessions">
        <EmptyState title="No sessions to measure" icon="metrics">
          Start one with <code>standby --bg "make test"</code> and its CPU and memory appear here.
        </EmptyState>
      </Card>
    );
  const busiest = [...workers].sort((a, b) => b.cpuPercent - a.cpuPercent || b.rssBytes - a.rssBytes);
  const shown = all ? busiest : busiest.slice(0, PER_WORKER_CHARTS);
  return (
    <Card
      title="Sessions · last 15 minutes"
      actions={
        workers.length > PER_WORKER_CHARTS && (
          <button class="btn btn-small" onClick={() => setAll(!all)}>
            {all ? `Show the ${PER_WORKER_CHARTS} busiest` : `Show all ${workers.length}`}
          </button>
        )
      }
    >
      <div class="worker-charts">
        {shown.map((w) => (
          <WorkerChart key={w.pid} worker={w} />
        ))}
      </div>
    </Card>
  );
}

export function WorkerChart({ worker: w, height = 120 }: { worker: WorkerMetrics; height?: number }) {
  const data = useMemo(() => columns(w.history, [(p) => p.cpuPercent, (p) => p.rssBytes]), [w]);
  return (
    <div class="worker-chart">
      <div class="worker-chart-head">
        <a href={href(['workers', w.name])} class="name">
          {w.name}
        </a>
        <span class="muted small">
          {percent(w.cpuPercent)} · {bytes(w.rssBytes)}
        </span>
      </div>
      <Chart
        label={`CPU and memory of ${w.name}`}
        data={data}
        height={height}
        windowSec={WINDOW_SEC}
        legend={false}
        series={[
          { label: 'CPU', color: '--chart-1', scale: '%', format: (v) => percent(v, 0) },
          { label: 'Memory', color: '--chart-3', scale: 'b', format: (v) => bytes(v) },
        ]}
        scales={[
          { key: '%', format: (v) => `${v}%`, min: 0 },
          { key: 'b', format: (v) => bytes(v, 0), min: 0, side: 'right', incrs: BYTE_STEPS },
        ]}
      />
    </div>
  );
}

type Column = {
  key: string;
  label: string;
  num?: boolean;
  value: (w: WorkerMetrics) => number | string | null;
  show: (w: WorkerMetrics) => string;
};

const COLUMNS: Column[] = [
  { key: 'name', label: 'Name', value: (w) => w.name, show: (w) => w.name },
  { key: 'pid', label: 'PID', num: true, value: (w) => w.pid, show: (w) => String(w.pid) },
  { key: 'kind', label: 'Kind', value: (w) => w.kind, show: (w) => w.kind },
  { key: 'processes', label: 'Processes', num: true, value: (w) => w.processes, show: (w) => count(w.processes) },
  { key: 'cpu', label: 'CPU', num: true, value: (w) => w.cpuPercent, show: (w) => percent(w.cpuPercent) },
  { key: 'rss', label: 'Memory', num: true, value: (w) => w.rssBytes, show: (w) => bytes(w.rssBytes) },
  { key: 'threads', label: 'Threads', num: true, value: (w) => w.threads, show: (w) => count(w.threads) },
  { key: 'fds', label: 'Files', num: true, value: (w) => w.fds, show: (w) => count(w.fds) },
  { key: 'read', label: 'Read', num: true, value: (w) => w.readBytes, show: (w) => bytes(w.readBytes) },
  { key: 'write', label: 'Written', num: true, value: (w) => w.writeBytes, show: (w) => bytes(w.writeBytes) },
  { key: 'uptime', label: 'Up', num: true, value: (w) => w.uptimeSec, show: (w) => duration(w.uptimeSec * 1000) },
];

function WorkerTable({ workers }: { workers: WorkerMetrics[] }) {
  const [sort, setSort] = useState<{ key: string; desc: boolean }>({ key: 'cpu', desc: true });
  const column = COLUMNS.find((c) => c.key === sort.key) ?? COLUMNS[4];
  const rows = useMemo(() => {
    const sorted = [...workers].sort((a, b) => {
      const x = column.value(a);
      const y = column.value(b);
      // Unknown figures (null) go last either way.
      if (x == null || y == null) return x == null ? (y == null ? 0 : 1) : -1;
      const order = typeof x === 'string' ? x.localeCompare(String(y)) : x - (y as number);
      return sort.desc ? -order : order;
    });
    return sorted;
  }, [workers, sort]);
  if (workers.length === 0) return null;
  const by = (key: string) =>
    setSort((s) =>
      s.key === key ? { key, desc: !s.desc } : { key, desc: COLUMNS.find((c) => c.key === key)!.num === true },
    );
  return (
    <Card title="All sessions">
      <div class="table-wrap">
        <table class="table metrics-table" data-testid="metrics-table">
          <thead>
            <tr>
              {COLUMNS.map((c) => (
                <th
                  key={c.key}
                  class={c.num ? 'num' : ''}
                  aria-sort={sort.key === c.key ? (sort.desc ? 'descending' : 'ascending') : 'none'}
                >
                  <button class="sort" onClick={() => by(c.key)}>
                    {c.label}
                    <span class="sort-mark" aria-hidden="true">
                      {sort.key === c.key ? (sort.desc ? '▼' : '▲') : ''}
                    </span>
                  </button>
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((w) => (
              <tr key={w.pid}>
                {COLUMNS.map((c) => (
                  <td key={c.key} data-label={c.label} class={c.num ? 'num' : ''}>
                    {c.key === 'name' ? (
                      <a class="name" href={href(['workers', w.name])}>
                        {w.name}
                      </a>
                    ) : (
                      c.show(w)
                    )}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </Card>
  );
}
