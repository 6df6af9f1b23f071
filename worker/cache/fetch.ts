// One read of the route behind the cache, into an entry: the same request through the whole app without
// the cache's flags (so the ACL middleware checks and filters it for its token, and the object answers it),
// optionally as a blocking query at the entry's index.
import type { Entry, Refusal } from './store';

/** Runs a request through the app (the worker's router), in the context of a request still alive. */
export type AppFetch = (request: Request) => Promise<Response>;

/** Parameters the internal read drops: they concern the cache, or are set by the cache itself. */
const DROPPED = new Set(['cached', 'stale', 'max_stale', 'index', 'wait']);
/** Headers never stored: set per answer (headers.ts, the ACL middleware) or by the runtime. */
const PER_ANSWER = new Set(['x-cache', 'age', 'x-consul-lastcontact', 'x-consul-knownleader', 'content-length', 'date', 'x-consul-default-acl-policy']);

export interface ReadSpec {
  url: string;
  headers: Headers;
}

/** The request a cached read is fetched with: its URL without the cache's flags, its headers without Cache-Control. */
export function readSpec(request: Request): ReadSpec {
  const headers = new Headers(request.headers);
  headers.delete('Cache-Control');
  return { url: request.url, headers };
}

export function internalUrl(url: string, blocking?: { index: number; waitMs: number }): string {
  const at = url.indexOf('?');
  const base = at < 0 ? url : url.slice(0, at);
  const params = [...new URLSearchParams(at < 0 ? '' : url.slice(at + 1))].filter(([name]) => !DROPPED.has(name));
  if (blocking) params.push(['index', String(blocking.index)], ['wait', `${Math.max(1, Math.floor(blocking.waitMs))}ms`]);
  const query = new URLSearchParams(params).toString();
  return query ? `${base}?${query}` : base;
}

/**
 * Reads `spec` (blocking at `blocking.index` when given) and, when the app answers 200, stores the answer
 * in `entry`: true when the index moved (or it is the first answer). A non-200 answer is returned as is.
 */
export async function fetchInto(entry: Entry, spec: ReadSpec, appFetch: AppFetch, blocking?: { index: number; waitMs: number }): Promise<{ changed: boolean; refused?: Refusal }> {
  const res = await appFetch(new Request(internalUrl(spec.url, blocking), { headers: spec.headers }));
  if (res.status !== 200) return { changed: false, refused: { status: res.status, headers: [...res.headers], body: await res.arrayBuffer() } };
  const body = new Uint8Array(await res.arrayBuffer());
  const now = Date.now();
  const index = Number(res.headers.get('X-Consul-Index')) || 0;
  entry.confirmedAt = now;
  entry.lostContactAt = undefined;
  const first = entry.fetchedAt === 0;
  if (!first && index === entry.index && entry.kind === 'background') return { changed: false };
  entry.body = body;
  entry.gzip = entry.hitHeaders = undefined;
  entry.headers = [...res.headers].filter(([name]) => !PER_ANSWER.has(name.toLowerCase()));
  entry.index = index;
  entry.fetchedAt = now;
  return { changed: true };
}
