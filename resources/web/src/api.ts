// The daemon's REST API (docs in README.md, "REST API"), as the UI uses it. Every answer is an
// envelope: {"data": …} or {"error": {"code", "message"}}.

export interface Worker {
  id: string;
  pid: number | null;
  name: string;
  sessionId: string;
  kind: 'bg' | 'interactive' | 'daemon';
  mode: 'local' | 'remote';
  status: string;
  cwd: string | null;
  agent: string | null;
  startedAt: number;
  ageMs: number;
  cpuPercent: number | null;
  rssBytes: number | null;
  childPid: number | null;
  runId: string | null;
  log: string | null;
  url: string | null;
  hostname: string | null;
  version: string | null;
  heartbeatAgeMs?: number;
  lastHeartbeat?: number;
}

export interface Run {
  runId: string;
  sessionId: string;
  name: string;
  kind: string;
  prompt: string;
  agent: string;
  cwd: string;
  status: 'accepted' | 'running' | 'exited' | 'killed' | 'failed';
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  error: string | null;
  acceptedAt: number;
  startedAt: number | null;
  endedAt: number | null;
  durationMs: number | null;
  pid: number | null;
  log: string;
  debug: boolean;
}

export interface DaemonStatus {
  status: 'running' | 'stopped';
  pid?: number;
  endpoint?: string;
  startedAt?: number;
}

export interface Info {
  pid: number;
  sessionId: string;
  endpoint: string;
  startedAt: number;
  resident: boolean;
  auth: string;
  version: string;
  hostname: string;
  home: string;
}

export const LOG_TYPES = ['process', 'transcript', 'debug', 'telemetry'] as const;
export type LogType = (typeof LOG_TYPES)[number];

export interface LogsAnswer {
  name: string;
  sessionId: string;
  type: LogType;
  available: LogType[];
  lines: string[];
  truncated: boolean;
}

export interface StartedRun {
  runId: string;
  name: string;
  pid: number;
  sessionId: string;
  log: string;
  status: string;
}

// The metrics contract (issue 5). The route may be missing from an older daemon: a 404 is an
// answer the Metrics page shows as such.
export interface SystemMetrics {
  cpuPercent: number;
  cpuCount: number;
  memoryUsedBytes: number;
  memoryTotalBytes: number;
  swapUsedBytes: number;
  swapTotalBytes: number;
  load1: number;
  load5: number;
  load15: number;
  diskUsedBytes: number;
  diskTotalBytes: number;
  uptimeSec: number;
}

export interface WorkerMetrics {
  pid: number;
  name: string;
  kind: string;
  processes: number;
  cpuPercent: number;
  rssBytes: number;
  threads: number;
  fds: number;
  readBytes: number | null;
  writeBytes: number | null;
  uptimeSec: number;
  history: { time: number; cpuPercent: number; rssBytes: number }[];
}

export interface Metrics {
  intervalMs: number;
  sampledAt: number;
  system: SystemMetrics;
  history: { time: number; cpuPercent: number; memoryUsedBytes: number }[];
  workers: WorkerMetrics[];
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export async function api<T>(
  path: string,
  options: { method?: string; body?: unknown; signal?: AbortSignal } = {},
): Promise<T> {
  const method = options.method ?? 'GET';
  const headers: Record<string, string> = { Accept: 'application/json' };
  // The daemon refuses a state-changing request from a browser without this header: no other
  // site's page can send it (AccessPolicy.cpp).
  if (method !== 'GET') headers['X-Standby-Request'] = '1';
  if (options.body !== undefined) headers['Content-Type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: options.signal,
      cache: 'no-store',
    });
  } catch (e) {
    if ((e as Error).name === 'AbortError') throw e;
    throw new ApiError(0, 'unreachable', 'Cannot reach the daemon. Is it running? (standby daemon status)');
  }
  let envelope: { data?: T; error?: { code: string; message: string } } = {};
  try {
    envelope = await response.json();
  } catch {
    // a body that is not JSON: judged by the status below
  }
  if (!response.ok || envelope.error) {
    throw new ApiError(
      response.status,
      envelope.error?.code ?? 'http_' + response.status,
      envelope.error?.message ?? `${response.status} ${response.statusText}`,
    );
  }
  return envelope.data as T;
}

export const enc = encodeURIComponent;

export const workerPath = (id: string) => `/api/v1/workers/${enc(id)}`;
