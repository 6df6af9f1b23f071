// A plain `GET /v1/kv/<key>` (no parameter but `token`), answered before the router as heartbeats are:
// the read config loaders and leader watchers repeat most. Anything else (`?recurse`, `?raw`, `?index`,
// `?dc=`, `?pretty`…) takes the full app, which answers a plain read the same way.
import { denied, fastPathIdentity } from './acl/fast-path';
import { aclSettings } from './acl/settings';
import { kvKeyProblem, toDirEntry } from './consul/kv';
import type { Env } from './env';
import { aclHeaders } from './http/acl';
import { kvJsonText } from './http/kv-json';
import { indexHeaders } from './http/meta';
import { decoded, plainRequest, regionStub } from './plain-request';

const PLAIN = new Set(['token']);
const NOW = { minIndex: 0, waitMs: 0 };

/** The read's answer, or undefined when the request needs the full app. */
export async function kvRead(request: Request, env: Env): Promise<Response | undefined> {
  if (request.method !== 'GET') return undefined;
  const plain = plainRequest(request, '/v1/kv/', PLAIN);
  const key = plain && decoded(plain.rawTail);
  // A refused key takes the full app, which answers its 400.
  const stub = key && !kvKeyProblem(key) && regionStub(request, env);
  if (!key || !stub) return undefined;
  if (aclSettings(env).enabled) {
    // ACLs: key:read on the key, as the full app checks.
    const identity = await fastPathIdentity(request, env, plain.params);
    const refusal = typeof identity === 'string' ? identity : denied(identity, { resource: 'key', segment: key, access: 'read' });
    if (refusal) return new Response(refusal, { status: 403, headers: { ...aclHeaders(env), 'Content-Type': 'text/plain; charset=UTF-8' } });
  }
  const { index, value } = await stub.kvsGet(key, NOW);
  const headers = { ...aclHeaders(env), ...indexHeaders(index) };
  if (!value) return new Response(null, { status: 404, headers });
  return new Response(kvJsonText(JSON.stringify([toDirEntry(value)])), { headers: { ...headers, 'Content-Type': 'application/json' } });
}
