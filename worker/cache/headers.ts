// The headers of an answer from the cache (Consul's agent/http.go setCacheMeta and setMeta): the route's
// own (Content-Type, X-Consul-Index…), `X-Cache: HIT|MISS` on `?cached` reads, `Age` on hits, and a
// truthful X-Consul-LastContact: ms since the object last answered for the entry.
import type { Entry } from './store';

export interface AnswerAs {
  /** `?cached`: X-Cache (and Age on a hit). */
  cached: boolean;
  hit: boolean;
}

/** Whole seconds since the value was fetched (simple types) or since its background refresh lost contact (background types, else 0). */
export function ageSeconds(entry: Entry, now = Date.now()): number {
  const since = entry.kind === 'simple' ? entry.fetchedAt : entry.lostContactAt;
  return since === undefined ? 0 : Math.max(0, Math.floor((now - since) / 1000));
}

/** What every answer from `entry` carries until it changes: the route's headers, as a stale-allowed read. */
export function entryHeaders(entry: Entry): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of entry.headers) headers[name] = value;
  // Every cache read is a stale-allowed read (Consul sends its background queries with AllowStale).
  if ('x-consul-effective-consistency' in headers) headers['x-consul-effective-consistency'] = 'stale';
  headers['X-Consul-KnownLeader'] = 'true';
  return headers;
}

export const lastContact = (entry: Entry, now = Date.now()) => String(Math.max(0, now - entry.confirmedAt));

export function answerHeaders(entry: Entry, as: AnswerAs, now = Date.now()): Record<string, string> {
  const headers = entryHeaders(entry);
  headers['X-Consul-LastContact'] = lastContact(entry, now);
  if (as.cached) {
    headers['X-Cache'] = as.hit ? 'HIT' : 'MISS';
    if (as.hit) headers['Age'] = String(ageSeconds(entry, now));
  }
  return headers;
}
