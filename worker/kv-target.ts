// What the plain KV fast paths (kv-read.ts, kv-write.ts) share: a `/v1/kv/<key>` request with no parameter
// but `token`, a key Consul accepts, its datacenter's object, and key:<access> on the key as the full app
// checks it.
import { denied, fastPathIdentity } from './acl/fast-path';
import { aclSettings } from './acl/settings';
import { kvKeyProblem } from './consul/kv';
import type { Env } from './env';
import { aclHeaders } from './http/acl';
import { decoded, plainRequest, regionStub } from './plain-request';

const PLAIN = new Set(['token']);

export const plainText = (env: Env, status: number, body: string) =>
  new Response(body, { status, headers: { ...aclHeaders(env), 'Content-Type': 'text/plain; charset=UTF-8' } });

/** The key and its object; a 403 answer; or undefined when the full app must answer (it refuses a bad key with its 400). */
export async function plainKvTarget(request: Request, env: Env, access: 'read' | 'write') {
  const plain = plainRequest(request, '/v1/kv/', PLAIN);
  const key = plain && decoded(plain.rawTail);
  const stub = key && !kvKeyProblem(key) && regionStub(request, env);
  if (!key || !stub) return undefined;
  if (aclSettings(env).enabled) {
    const identity = await fastPathIdentity(request, env, plain.params);
    const refusal = typeof identity === 'string' ? identity : denied(identity, { resource: 'key', segment: key, access });
    if (refusal) return plainText(env, 403, refusal);
  }
  return { key, stub };
}
