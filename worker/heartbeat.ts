// The hottest request, answered before the router: `PUT /v1/agent/check/pass|warn|fail/<id>[?note=]`, a TTL
// heartbeat every short-lived function sends. Hono's routing and middleware cost about half of a heartbeat
// (BENCHMARKS.md), so a plain heartbeat skips them; anything else (`?dc=`, `?pretty`, namespaces,
// partitions, other parameters) takes the full app, which answers the same for the same request.
import type { HealthStatus } from './consul/common';
import type { Env } from './env';
import { ACL_HEADERS } from './http/acl';
import { decoded, plainRequest, regionStub } from './plain-request';

const VERB = /^(pass|warn|fail)\/(.+)$/;
const STATUS: Record<string, HealthStatus> = { pass: 'passing', warn: 'warning', fail: 'critical' };
/** Parameters the fast path understands; `token` is read but, as everywhere, not yet enforced. */
const PLAIN = new Set(['note', 'token']);

/** The heartbeat's answer, or undefined when the request needs the full app. */
export async function heartbeat(request: Request, env: Env): Promise<Response | undefined> {
  if (request.method !== 'PUT') return undefined;
  const plain = plainRequest(request, '/v1/agent/check/', PLAIN);
  const match = plain && VERB.exec(plain.rawTail);
  const checkId = match && decoded(match[2]);
  const stub = checkId && regionStub(request, env);
  if (!plain || !match || !checkId || !stub) return undefined;
  const outcome = await stub.agentCheckUpdate(checkId, STATUS[match[1]], plain.params.get('note') ?? '');
  if (outcome.ok) return new Response(null, { status: 200, headers: ACL_HEADERS });
  return new Response(outcome.reason, { status: outcome.status, headers: { ...ACL_HEADERS, 'Content-Type': 'text/plain; charset=UTF-8' } });
}
