// A plain `GET /v1/kv/<key>` (no parameter but `token`), answered before the router as heartbeats are:
// the read config loaders and leader watchers repeat most. Anything else (`?recurse`, `?raw`, `?index`,
// `?dc=`, `?pretty`…) takes the full app, which answers a plain read the same way.
import { toDirEntry } from './consul/kv';
import type { Env } from './env';
import { kvGet } from './fast-batches';
import { aclHeaders } from './http/acl';
import { drainUnread } from './http/drain';
import { kvJsonText } from './http/kv-json';
import { indexHeaders } from './http/meta';
import { plainKvTarget } from './kv-target';

/** The read's answer, or undefined when the request needs the full app. */
export async function kvRead(request: Request, env: Env): Promise<Response | undefined> {
  if (request.method !== 'GET') return undefined;
  const target = await plainKvTarget(request, env, 'read');
  if (!target || target instanceof Response) return target;
  const { key, name, stub } = target;
  await drainUnread(request); // before the batched call: what follows it runs outside this request (worker/rpc-batch.ts)
  const { value: { index, value }, respond } = await kvGet(name, stub, key);
  const headers = { ...aclHeaders(env), ...indexHeaders(index) };
  if (!value) return respond(null, { status: 404, headers });
  return respond(kvJsonText(JSON.stringify([toDirEntry(value)])), { headers: { ...headers, 'Content-Type': 'application/json' } });
}
