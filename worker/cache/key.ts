// The canonical read an entry answers: the path as sent, the query sorted without the parameters that
// only say how to read it (`cached`, `stale`, `max_stale`, `consistent`, `index`, `wait`, `token`), the
// datacenter (not `?dc=` as written) and the ACL token. Consul caches per token: an answer filtered for one token never reaches another.
import { rawPath } from '../http/path';

/** Parameters that choose how to read, not what: never part of a key. */
export const HOW_TO_READ = new Set(['cached', 'stale', 'max_stale', 'consistent', 'index', 'wait', 'token']);

/** The query of `url` without HOW_TO_READ, sorted by name then value (as Go's url.Values.Encode). */
export function whatToRead(url: string): [string, string][] {
  const at = url.indexOf('?');
  if (at < 0) return [];
  const params = [...new URLSearchParams(url.slice(at + 1))].filter(([name]) => !HOW_TO_READ.has(name));
  return params.sort(([a, x], [b, y]) => (a < b ? -1 : a > b ? 1 : x < y ? -1 : x > y ? 1 : 0));
}

export function cacheKey(url: string, dcName: string, token: string): string {
  const query = new URLSearchParams(whatToRead(url).filter(([name]) => name !== 'dc')).toString();
  return `${dcName.toLowerCase()}\u0000${token}\u0000${rawPath(url)}\u0000${query}`;
}
