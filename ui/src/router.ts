// Hash routes (#/<dc>/<section>/<rest>): static assets need no server-side fallback, and the
// datacenter is part of every address so each page is scoped to it and bookmarkable.
import { useEffect, useState } from 'preact/hooks';

export interface Route {
  dc: string;
  section: string;
  rest: string;
}

export function parse(hash: string): Route {
  const [dc = '', section = 'services', ...rest] = hash.replace(/^#\/?/, '').split('/');
  return { dc: decodeURIComponent(dc), section: section || 'services', rest: rest.map(decodeURIComponent).join('/') };
}

export const href = (dc: string, section: string, rest = '') =>
  `#/${encodeURIComponent(dc)}/${section}${rest ? '/' + rest.split('/').map(encodeURIComponent).join('/') : ''}`;

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parse(location.hash));
  useEffect(() => {
    const on = () => setRoute(parse(location.hash));
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  return route;
}
