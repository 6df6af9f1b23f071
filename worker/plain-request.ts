// What the fast paths in front of the router share (worker/heartbeat.ts, worker/kv-read.ts): reading a
// request that needs nothing of the full app (only the parameters a fast path understands, no namespace
// header) without building a URL object, and the object of the datacenter the request's region maps to.
import type { DatacenterStub, Env } from './env';
import { chooseDatacenter, datacenterStub } from './federation/choose';
import { rawPath } from './http/path';

/** The parameters of every request without a query, shared: a fast path only reads them. */
const NO_PARAMS = new URLSearchParams();

/**
 * The raw (still percent-encoded) remainder of the path after `prefix` and the query, when the request
 * has only `allowed` parameters and no namespace header; undefined when the full app must answer it.
 */
export function plainRequest(request: Request, prefix: string, allowed: ReadonlySet<string>): { rawTail: string; params: URLSearchParams } | undefined {
  const url = request.url;
  const queryAt = url.indexOf('?');
  const path = rawPath(url);
  if (!path.startsWith(prefix) || request.headers.has('X-Consul-Namespace')) return undefined;
  const rawTail = path.slice(prefix.length);
  if (queryAt < 0) return { rawTail, params: NO_PARAMS };
  const params = new URLSearchParams(url.slice(queryAt + 1));
  for (const name of params.keys()) if (!allowed.has(name)) return undefined;
  return { rawTail, params };
}

/** A path segment decoded once, as pathTail does; undefined when it does not decode (the full app answers that). */
export function decoded(raw: string): string | undefined {
  if (!raw.includes('%')) return raw;
  try {
    return decodeURIComponent(raw);
  } catch {
    return undefined;
  }
}

/** The object of the datacenter this request's region maps to (no `?dc=` on a plain request). */
export function regionStub(request: Request, env: Env): DatacenterStub | undefined {
  const dc = chooseDatacenter(env, request);
  return dc && datacenterStub(env, dc.name);
}
