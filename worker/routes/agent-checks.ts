// /v1/agent/check/* and /v1/agent/health/service/*: the agent's checks, TTL updates and local
// health aggregation (Consul's agent_endpoint.go AgentRegisterCheck, AgentCheckPass, AgentHealthService*).
import { Hono, type Context } from 'hono';
import { CheckDefinitionSchema, CheckUpdateSchema, type HealthCheck, type ServiceEntry } from '../consul/check';
import { agentCheckUpdate, withShardState } from '../agent-shards';
import type { AppEnv } from '../env';
import { readBody } from '../http/body';
import { endpoint } from '../http/endpoint';
import { applyFilter } from '../http/filter';
import { badRequest, unwrap } from '../http/errors';
import { empty, json } from '../http/meta';
import { pathTail } from '../http/path';
import { parseStatus, toCheckSpec } from '../registration/check';
import type { HealthStatus } from '../consul/common';

export const agentChecks = new Hono<AppEnv>();

endpoint(agentChecks, ['GET'], '/checks', async (c) => {
  const checks = applyFilter(c.req.query('filter'), await withShardState(c.env, c.var.dcName, await c.var.dc.agentChecks()));
  return json(c, Object.fromEntries(checks.map((check) => [check.CheckID, check])));
});

endpoint(agentChecks, ['PUT'], '/check/register', async (c) => {
  const body = await readBody(c, CheckDefinitionSchema);
  if (!body.Name) throw badRequest('Missing check name');
  const spec = toCheckSpec(body, { CheckID: body.ID || body.CheckID || body.Name, Name: body.Name, ServiceID: body.ServiceID ?? '' }, 'Bad check status');
  // ACL: service:write on the check's service, or node:write (worker/acl/permissions.ts).
  unwrap(await c.var.dc.agentCheckRegister(spec));
  return empty(c);
});

endpoint(agentChecks, ['PUT'], '/check/deregister/:id{.+}', async (c) => {
  unwrap(await c.var.dc.agentCheckDeregister(pathTail(c, '/v1/agent/check/deregister/')));
  return empty(c);
});

const TTL_VERBS: [string, HealthStatus][] = [['pass', 'passing'], ['warn', 'warning'], ['fail', 'critical']];
for (const [verb, status] of TTL_VERBS) {
  endpoint(agentChecks, ['PUT'], `/check/${verb}/:id{.+}`, async (c) => {
    unwrap(await agentCheckUpdate(c.env, () => c.var.dc, c.var.dcName, pathTail(c, `/v1/agent/check/${verb}/`), status, c.req.query('note') ?? ''));
    return empty(c);
  });
}

endpoint(agentChecks, ['PUT'], '/check/update/:id{.+}', async (c) => {
  const body = await readBody(c, CheckUpdateSchema);
  const status = parseStatus(body.Status ?? '', `Invalid check status: '${body.Status ?? ''}'`);
  if (!status) throw badRequest(`Invalid check status: '${body.Status ?? ''}'`);
  unwrap(await agentCheckUpdate(c.env, () => c.var.dc, c.var.dcName, pathTail(c, '/v1/agent/check/update/'), status, body.Output ?? ''));
  return empty(c);
});

type Aggregate = HealthStatus | 'maintenance';

/** Go's HealthChecks.AggregatedStatus: maintenance, then critical, warning, passing. */
export function aggregatedStatus(checks: HealthCheck[]): Aggregate {
  if (checks.some((c) => c.CheckID === '_node_maintenance' || c.CheckID.startsWith('_service_maintenance:'))) return 'maintenance';
  for (const status of ['critical', 'warning'] as const) if (checks.some((c) => c.Status === status)) return status;
  return 'passing';
}

const HTTP_STATUS: Record<Aggregate, number> = { passing: 200, warning: 429, critical: 503, maintenance: 503 };

const wantsText = (c: Context) => c.req.query('format') === 'text' || (c.req.header('Accept') ?? '').startsWith('text/plain');

function agentHealth(entry: ServiceEntry) {
  const { CreateIndex, ModifyIndex, ...service } = entry.Service;
  return { AggregatedStatus: aggregatedStatus(entry.Checks), Service: service, Checks: entry.Checks };
}

endpoint(agentChecks, ['GET'], '/health/service/id/:id{.*}', async (c) => {
  const id = pathTail(c, '/v1/agent/health/service/id/');
  if (!id) throw badRequest('Missing serviceID');
  const [entry] = await c.var.dc.agentServiceHealth({ id });
  if (!entry) {
    return wantsText(c) ? c.text(`ServiceId ${id} not found`, 404) : json(c, { AggregatedStatus: 'critical', Service: null, Checks: null }, 404);
  }
  const health = agentHealth(entry);
  c.header('X-Consul-Reason', health.AggregatedStatus);
  return wantsText(c) ? c.text(health.AggregatedStatus, HTTP_STATUS[health.AggregatedStatus] as 200) : json(c, health, HTTP_STATUS[health.AggregatedStatus]);
});

endpoint(agentChecks, ['GET'], '/health/service/name/:name{.*}', async (c) => {
  const name = pathTail(c, '/v1/agent/health/service/name/');
  if (!name) throw badRequest('Missing service Name');
  const entries = (await c.var.dc.agentServiceHealth({ name })).map(agentHealth);
  if (!entries.length) return wantsText(c) ? c.text(`ServiceName ${name} Not Found`, 404) : json(c, [], 404);
  const worst = aggregatedStatus(entries.flatMap((e) => e.Checks));
  c.header('X-Consul-Reason', worst);
  return wantsText(c) ? c.text(worst, HTTP_STATUS[worst] as 200) : json(c, entries, HTTP_STATUS[worst]);
});
