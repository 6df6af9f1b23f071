// The hottest request, answered before the router: `PUT /v1/agent/check/pass|warn|fail/<id>[?note=]`, a TTL
// heartbeat every short-lived function sends. Hono's routing and middleware cost about half of a heartbeat
// (BENCHMARKS.md), so a plain heartbeat skips them; anything else (`?dc=`, `?pretty`, namespaces,
// partitions, other parameters) takes the full app, which answers the same for the same request. Both go to
// the check's agent shard first (worker/agent-shards.ts).
import { checkNeed, checkOwner, denied, fastPathIdentity, forgetCheckOwner } from './acl/fast-path';
import { aclSettings } from './acl/settings';
import { CHECK_OWNER_CHANGED } from './consul/acl';
import type { HealthStatus } from './consul/common';
import type { Env } from './env';
import { aclHeaders } from './http/acl';
import { fastHeaders } from './http/fast-headers';
import { agentCheckUpdate, ownerLookup } from './agent-shards';
import { chooseDatacenter, datacenterStub } from './federation/choose';
import { decoded, plainRequest } from './plain-request';

const VERB = /^(pass|warn|fail)\/(.+)$/;
const STATUS: Record<string, HealthStatus> = { pass: 'passing', warn: 'warning', fail: 'critical' };
/** Parameters the fast path understands. */
const PLAIN = new Set(['note', 'token']);

const text = (env: Env, status: number, body: string) =>
  new Response(body, { status, headers: { ...aclHeaders(env), 'Content-Type': 'text/plain; charset=UTF-8' } });

/** The heartbeat's answer, or undefined when the request needs the full app. */
export async function heartbeat(request: Request, env: Env): Promise<Response | undefined> {
  if (request.method !== 'PUT') return undefined;
  const plain = plainRequest(request, '/v1/agent/check/', PLAIN);
  const match = plain && VERB.exec(plain.rawTail);
  const checkId = match && decoded(match[2]);
  const datacenter = checkId ? chooseDatacenter(env, request)?.name : undefined;
  if (!plain || !match || !checkId || !datacenter) return undefined;
  let owner: string | undefined;
  if (aclSettings(env).enabled) {
    // ACLs: service:write on the check's service (node:write for a node check), as the full app checks.
    const identity = await fastPathIdentity(request, env, plain.params);
    if (typeof identity === 'string') return text(env, 403, identity);
    if (!identity.management) {
      const known = await checkOwner(ownerLookup(env, datacenterStub(env, datacenter)!, datacenter), checkId);
      if (known === null) return undefined; // unknown check: the full app answers its 404
      const refusal = denied(identity, checkNeed(known, env.AGENT_NODE || 'beacon'));
      if (refusal) return text(env, 403, refusal);
      owner = known;
    }
  }
  // chooseDatacenter answers only declared datacenters, so their object always exists; made when needed
  // (an unnamed arrow: a named one would be wrapped in esbuild's __name() on every request).
  const outcome = await agentCheckUpdate(env, () => datacenterStub(env, datacenter)!, datacenter, checkId, STATUS[match[1]], plain.params.get('note') ?? '', owner);
  if (outcome.ok) return new Response(null, { headers: fastHeaders(env, 'heartbeat', () => aclHeaders(env)) });
  if (outcome.reason === CHECK_OWNER_CHANGED) {
    forgetCheckOwner(checkId);
    return undefined;
  }
  return text(env, outcome.status, outcome.reason);
}
