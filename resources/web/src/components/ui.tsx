import type { ComponentChildren } from 'preact';
import type { ApiError } from '../api';

export function Icon({ name, size = 16 }: { name: keyof typeof PATHS; size?: number }) {
  return (
    <svg class="icon" width={size} height={size} viewBox="0 0 24 24" aria-hidden="true">
      <path d={PATHS[name]} />
    </svg>
  );
}

// Stroke icons drawn for this UI (24×24, 2 px lines).
const PATHS = {
  workers: 'M4 5h16v5H4zM4 14h16v5H4zM7.5 7.5h.01M7.5 16.5h.01',
  logs: 'M5 4h10l4 4v12H5zM14 4v5h5M8 12h8M8 16h6',
  metrics: 'M4 20V10M10 20V4M16 20v-7M22 20H2',
  terminal: 'M4 5h16v14H4zM7 9l3 3-3 3M12 15h5',
  play: 'M7 4l13 8-13 8z',
  stop: 'M6 6h12v12H6z',
  restart: 'M20 12a8 8 0 1 1-2.3-5.6M20 4v5h-5',
  kill: 'M6 6l12 12M18 6L6 18',
  download: 'M12 4v11M7 10l5 5 5-5M5 20h14',
  search: 'M10.5 17a6.5 6.5 0 1 1 0-13 6.5 6.5 0 0 1 0 13zM20 20l-4.8-4.8',
  down: 'M12 5v14M6 13l6 6 6-6',
  back: 'M15 5l-7 7 7 7',
  remote: 'M3 12h18M12 3a14 14 0 0 1 0 18M12 3a14 14 0 0 0 0 18M12 3a9 9 0 1 1 0 18 9 9 0 0 1 0-18z',
  refresh: 'M4 12a8 8 0 0 1 14-5.3L20 9M20 4v5h-5M20 12a8 8 0 0 1-14 5.3L4 15M4 20v-5h5',
} as const;

export function EmptyState({
  title,
  children,
  icon = 'workers',
}: {
  title: string;
  children?: ComponentChildren;
  icon?: keyof typeof PATHS;
}) {
  return (
    <div class="empty" role="status">
      <div class="empty-icon">
        <Icon name={icon} size={28} />
      </div>
      <h3>{title}</h3>
      {children && <div class="empty-body">{children}</div>}
    </div>
  );
}

export function ErrorNote({ error, onRetry }: { error: ApiError; onRetry?: () => void }) {
  return (
    <div class="note note-error" role="alert">
      <span>{error.message}</span>
      {onRetry && (
        <button class="btn btn-small" onClick={onRetry}>
          Try again
        </button>
      )}
    </div>
  );
}

export function Badge({ tone = 'neutral', children }: { tone?: string; children: ComponentChildren }) {
  return <span class={`badge badge-${tone}`}>{children}</span>;
}

export function Card({
  title,
  actions,
  children,
  class: className = '',
}: {
  title?: ComponentChildren;
  actions?: ComponentChildren;
  children: ComponentChildren;
  class?: string;
}) {
  return (
    <section class={`card ${className}`}>
      {(title || actions) && (
        <header class="card-head">
          {title && <h2>{title}</h2>}
          {actions && <div class="card-actions">{actions}</div>}
        </header>
      )}
      {children}
    </section>
  );
}

export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <div class="loading" role="status">
      <span class="spinner" aria-hidden="true" />
      {label}
    </div>
  );
}

// A share of a whole as a bar; the width is set through the CSS object model, which the
// daemon's Content-Security-Policy allows (an inline style attribute it would not).
export function Meter({ value, tone }: { value: number; tone?: string }) {
  const clamped = Math.max(0, Math.min(100, isFinite(value) ? value : 0));
  const level = tone ?? (clamped >= 90 ? 'bad' : clamped >= 70 ? 'warn' : 'ok');
  return (
    <div class="meter" role="meter" aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round(clamped)}>
      <div class={`meter-fill meter-${level}`} style={{ width: `${clamped}%` }} />
    </div>
  );
}

export function statusTone(status: string): string {
  switch (status) {
    case 'running':
      return 'ok';
    case 'accepted':
      return 'info';
    case 'exited':
      return 'neutral';
    case 'killed':
      return 'warn';
    case 'failed':
      return 'bad';
    default:
      return 'neutral';
  }
}
