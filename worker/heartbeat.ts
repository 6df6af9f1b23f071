// The hottest request, answered before the router: `PUT /v1/agent/check/pass|warn|fail/<id>[?note=]`, a TTL
// heartbeat every short-lived function sends. Hono's routing and middleware cost about half of a heartbeat
// (BENCHMARKS.md), so a plain heartbeat skips them; anything else (`?dc=`, `?pretty`, namespaces,
// partitions, other parameters) takes the full app, which answers the same for the same request.
import type { HealthStatus } from './consul/common';
import type { Env } from './env';
import { federationOf } from './federation/config';
import { datacenterOfRequest } from './federation/distance';
import { datacenterStub } from './http/datacenter';

const HEARTBEAT = /^\/v1\/agent\/check\/(pass|warn|fail)\/(.+)$/;
const STATUS: Record<string, HealthStatus> = { pass: 'passing', warn: 'warning', fail: 'critical' };
/** Parameters the fast path understands; `token` is read but, as everywhere, not yet enforced. */
const PLAIN = new Set(['note', 'token']);
const HEADERS = { 'X-Consul-Default-ACL-Policy': 'allow' };

/** The heartbeat's answer, or undefined when the request needs the full app. */
export async function heartbeat(request: Request, env: Env): Promise<Response | undefined> {
  if (request.method !== 'PUT') return undefined;
  // The path without building a URL object (this runs on every request): after "scheme://host".
  const url = request.url;
  const queryAt = url.indexOf('?');
  const path = url.slice(url.indexOf('/', url.indexOf('//') + 2), queryAt < 0 ? undefined : queryAt);
  const match = HEARTBEAT.exec(path);
  if (!match || request.headers.has('X-Consul-Namespace')) return undefined;
  const params = new URLSearchParams(queryAt < 0 ? '' : url.slice(queryAt + 1));
  for (const name of params.keys()) if (!PLAIN.has(name)) return undefined;
  let checkId: string;
  try {
    checkId = decodeURIComponent(match[2]);
  } catch {
    return undefined;
  }
  const federation = federationOf(env);
  // request.cf is built on access: read it only when some region maps to a datacenter.
  const cf = Object.keys(federation.regions).length ? (request.cf as Record<string, unknown> | undefined) : undefined;
  const stub = datacenterStub(env, datacenterOfRequest(federation, cf));
  if (!stub) return undefined;
  const outcome = await stub.agentCheckUpdate(checkId, STATUS[match[1]], params.get('note') ?? '');
  if (outcome.ok) return new Response(null, { status: 200, headers: HEADERS });
  return new Response(outcome.reason, { status: outcome.status, headers: { ...HEADERS, 'Content-Type': 'text/plain; charset=UTF-8' } });
}
