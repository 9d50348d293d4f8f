// Hash routes (#/workers, #/logs?worker=NAME, #/metrics, #/workers/NAME): the daemon serves one
// page at /, so client-side routes never reach it.
import { useEffect, useState } from 'preact/hooks';

export interface Route {
  segments: string[];
  query: URLSearchParams;
}

function parse(hash: string): Route {
  const raw = hash.replace(/^#\/?/, '');
  const [path, search = ''] = raw.split('?', 2);
  const segments = path
    .split('/')
    .filter(Boolean)
    .map((s) => {
      try {
        return decodeURIComponent(s);
      } catch {
        return s;
      }
    });
  return { segments, query: new URLSearchParams(search) };
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parse(location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parse(location.hash));
    addEventListener('hashchange', onChange);
    return () => removeEventListener('hashchange', onChange);
  }, []);
  return route;
}

export function href(segments: string[], query?: Record<string, string | undefined>): string {
  const path = segments.map(encodeURIComponent).join('/');
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) if (v) params.set(k, v);
  const search = params.toString();
  return `#/${path}${search ? '?' + search : ''}`;
}

// Changes the query without a new history entry (a search box, a type switch).
export function replaceQuery(segments: string[], query: Record<string, string | undefined>): void {
  const next = href(segments, query);
  if (next !== location.hash) history.replaceState(null, '', next);
}
