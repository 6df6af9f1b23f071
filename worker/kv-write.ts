// A plain `PUT /v1/kv/<key>` (no parameter but `token`, a declared Content-Length within Consul's limit),
// answered before the router as heartbeats and plain KV reads are: hono's routing and middleware were a
// large share of a KV put (BENCHMARKS.md). `?cas`, `?flags`, `?acquire`, `?dc=`… and anything refused take
// the full app, which answers a plain write the same way.
import { KV_MAX_VALUE_BYTES } from './consul/kv';
import type { Env } from './env';
import { aclHeaders } from './http/acl';
import { bodyTooLarge } from './http/body';
import { fastHeaders } from './http/fast-headers';
import { plainKvTarget, plainText as text } from './kv-target';

/** The write's answer, or undefined when the request needs the full app. */
export async function kvWrite(request: Request, env: Env): Promise<Response | undefined> {
  if (request.method !== 'PUT') return undefined;
  const declared = request.headers.get('Content-Length');
  // No declared length (chunked) or one over the limit: the full app reads and refuses as Consul does.
  if (declared === null || !/^\d+$/.test(declared) || Number(declared) > KV_MAX_VALUE_BYTES) return undefined;
  const target = await plainKvTarget(request, env, 'write');
  if (!target || target instanceof Response) return target;
  const { key, stub } = target;
  const value = await request.arrayBuffer();
  if (value.byteLength > KV_MAX_VALUE_BYTES) return text(env, 413, bodyTooLarge(value.byteLength, KV_MAX_VALUE_BYTES).message);
  const outcome = await stub.kvsApply({ Verb: 'set', Key: key, Value: value, Flags: '0' });
  if (!outcome.ok) return text(env, outcome.status, outcome.reason);
  return new Response(String(outcome.value), { headers: fastHeaders(env, 'kv-write', () => ({ ...aclHeaders(env), 'Content-Type': 'application/json' })) });
}
