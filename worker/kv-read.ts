// A plain `GET /v1/kv/<key>` (no parameter but `token`), answered before the router as heartbeats are:
// the read config loaders and leader watchers repeat most. Anything else (`?recurse`, `?raw`, `?index`,
// `?dc=`, `?pretty`…) takes the full app, which answers a plain read the same way.
import { toDirEntry } from './consul/kv';
import type { Env } from './env';
import { aclHeaders } from './http/acl';
import { kvJsonText } from './http/kv-json';
import { fastHeaders, indexedResponse } from './http/fast-headers';
import { indexHeaders } from './http/meta';
import { plainKvTarget } from './kv-target';

const NOW = { minIndex: 0, waitMs: 0 };

/** The read's answer, or undefined when the request needs the full app. */
export async function kvRead(request: Request, env: Env): Promise<Response | undefined> {
  if (request.method !== 'GET') return undefined;
  const target = await plainKvTarget(request, env, 'read');
  if (!target || target instanceof Response) return target;
  const { key, stub } = target;
  const { index, value } = await stub.kvsGet(key, NOW);
  if (!value) return indexedResponse(null, fastHeaders(env, 'kv-read-404', () => ({ ...aclHeaders(env), ...indexHeaders(0) })), index, 404);
  const headers = fastHeaders(env, 'kv-read', () => ({ ...aclHeaders(env), ...indexHeaders(0), 'Content-Type': 'application/json' }));
  return indexedResponse(kvJsonText(JSON.stringify([toDirEntry(value)])), headers, index);
}
