import { useEffect, useState } from 'preact/hooks';
import { api, type Info } from './api';
import { ConfirmHost, ToastHost } from './components/overlays';
import { Icon } from './components/ui';
import { useEventsState } from './events';
import { LogsPage } from './pages/Logs';
import { MetricsPage } from './pages/Metrics';
import { WorkerPage } from './pages/Worker';
import { WorkersPage } from './pages/Workers';
import { href, useRoute } from './router';

export function App() {
  const route = useRoute();
  const [section = 'workers', id] = route.segments;
  const events = useEventsState();
  const [info, setInfo] = useState<Info>();
  useEffect(() => {
    api<Info>('/api/v1/info').then(setInfo, () => undefined);
  }, [events === 'live']);

  useEffect(() => {
    const title = section === 'workers' && id ? id : section[0].toUpperCase() + section.slice(1);
    document.title = `${title} · Standby${info ? ' · ' + info.hostname : ''}`;
  }, [section, id, info]);

  let page;
  if (section === 'workers' && id) page = <WorkerPage key={id} id={id} />;
  else if (section === 'workers') page = <WorkersPage info={info} />;
  else if (section === 'logs') page = <LogsPage query={route.query} />;
  else if (section === 'metrics') page = <MetricsPage />;
  else
    page = (
      <div class="page">
        <h1>Not found</h1>
        <p>
          There is no page here. <a href="#/workers">Back to the workers</a>.
        </p>
      </div>
    );

  const nav = [
    { key: 'workers', label: 'Workers', icon: 'workers' as const },
    { key: 'logs', label: 'Logs', icon: 'logs' as const },
    { key: 'metrics', label: 'Metrics', icon: 'metrics' as const },
  ];
  return (
    <>
      <header class="topbar">
        <a class="brand" href="#/workers" aria-label="Standby, home">
          <img src="/assets/favicon.svg" alt="" width={24} height={24} />
          <span>Standby</span>
        </a>
        <nav class="nav" aria-label="Pages">
          {nav.map((n) => (
            <a
              key={n.key}
              href={href([n.key])}
              class={section === n.key ? 'active' : ''}
              aria-current={section === n.key ? 'page' : undefined}
            >
              <Icon name={n.icon} />
              <span>{n.label}</span>
            </a>
          ))}
        </nav>
        <div class="topbar-end">
          <span
            class={`live live-${events}`}
            data-testid="events-state"
            data-state={events}
            title={
              events === 'live'
                ? 'Live: updates arrive as they happen'
                : events === 'connecting'
                  ? 'Connecting to the daemon…'
                  : 'Not connected to the daemon; retrying'
            }
          >
            <span class="dot" aria-hidden="true" />
            {events === 'live' ? 'Live' : events === 'connecting' ? 'Connecting' : 'Offline'}
          </span>
          {info && (
            <span class="host" title={`standbyd ${info.version} · home ${info.home}`}>
              {info.hostname}
            </span>
          )}
        </div>
      </header>
      {events === 'down' && (
        <div class="banner" role="alert">
          Lost the connection to the daemon; retrying. If it was stopped, start it again with{' '}
          <code>standby daemon start</code>.
        </div>
      )}
      <main class="main">{page}</main>
      <ConfirmHost />
      <ToastHost />
    </>
  );
}
