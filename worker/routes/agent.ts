// /v1/agent: the virtual agent's identity, its services, and maintenance mode (Consul's agent_endpoint.go).
import { Hono } from 'hono';
import { AgentServiceRegistrationSchema, CONSUL_COMPATIBLE_VERSION, SESSION_TTL_MIN_NS, type AgentMember } from '../consul/agent';
import type { Node } from '../consul/common';
import type { AgentService } from '../consul/service';
import type { AppEnv } from '../env';
import { datacentersByDistance } from '../federation/distance';
import { aclDisabled, authorize } from '../http/acl';
import { blockingParams } from '../http/blocking';
import { readBody } from '../http/body';
import { callerAddress } from '../http/caller';
import { endpoint } from '../http/endpoint';
import { applyFilter } from '../http/filter';
import { badRequest, ConsulError, unwrap } from '../http/errors';
import { enableFlag, parseGoBool } from '../http/flags';
import { empty, json } from '../http/meta';
import { pathTail } from '../http/path';
import { embeddedChecks, toCheckSpec } from '../registration/check';
import { toServiceDefinition } from '../registration/service';

export const agent = new Hono<AppEnv>();

function member(node: Node, datacenter: string, wan = false): AgentMember {
  return {
    Name: wan ? `${node.Node}.${datacenter}` : node.Node, Addr: node.Address, Port: wan ? 8302 : 8301,
    Tags: { dc: datacenter, role: 'consul', build: CONSUL_COMPATIBLE_VERSION },
    Status: 1, ProtocolMin: 1, ProtocolMax: 5, ProtocolCur: 2, DelegateMin: 2, DelegateMax: 5, DelegateCur: 4,
  };
}

endpoint(agent, ['GET'], '/self', async (c) => {
  authorize(c, 'agent', '', 'read');
  const { node, datacenter } = await c.var.dc.agentInfo();
  return json(c, {
    Config: {
      Datacenter: datacenter, PrimaryDatacenter: c.var.federation.primary, NodeName: node.Node, NodeID: node.ID, Revision: 'beacon',
      Server: true, Version: CONSUL_COMPATIBLE_VERSION, BuildDate: '2026-01-01T00:00:00Z', SessionTTLMin: SESSION_TTL_MIN_NS,
    },
    DebugConfig: {},
    Coord: { Vec: [0, 0, 0, 0, 0, 0, 0, 0], Error: 1.5, Adjustment: 0, Height: 1e-5 },
    Member: member(node, datacenter),
    Stats: { agent: {}, build: { version: CONSUL_COMPATIBLE_VERSION }, consul: {}, raft: {}, runtime: {}, serf_lan: {} },
    Meta: node.Meta,
  });
});

endpoint(agent, ['GET'], '/host', async (c) => {
  authorize(c, 'operator', '', 'read');
  return json(c, { Memory: {}, CPU: [], Host: { hostname: 'beacon', os: 'workerd' }, Disk: {}, CollectionTime: Date.now() * 1e6, Errors: null });
});

endpoint(agent, ['GET'], '/version', (c) => json(c, { HumanVersion: CONSUL_COMPATIBLE_VERSION, Revision: 'beacon', BuildDate: '2026-01-01T00:00:00Z', FIPS: '' }));

endpoint(agent, ['GET'], '/members', async (c) => {
  const wan = Boolean(c.req.query('wan'));
  if (wan && c.req.query('segment')) throw badRequest('Cannot provide a segment with wan=true');
  const { node, datacenter } = await c.var.dc.agentInfo();
  // The WAN pool holds one server per datacenter, named `<node>.<dc>` as Consul names WAN members.
  if (wan) return json(c, datacentersByDistance(c.var.federation, datacenter).map((dc) => member(node, dc, true)));
  return json(c, [member(node, datacenter)]);
});

endpoint(agent, ['GET'], '/services', async (c) => {
  const filter = c.req.query('filter');
  const all: AgentService[] = await c.var.dc.agentServices();
  const services = applyFilter(filter, all);
  return json(c, Object.fromEntries(services.map((s) => [s.ID, s])));
});

endpoint(agent, ['PUT'], '/service/register', async (c) => {
  const body = await readBody(c, AgentServiceRegistrationSchema);
  if (!body.Name) throw badRequest('Missing service name');
  const service = toServiceDefinition(body.Name, { ...body, Address: body.Address || callerAddress(c) }, badRequest, { agent: true });
  const definitions = embeddedChecks(body.Check, body.Checks);
  const checks = definitions.map((d, i) =>
    toCheckSpec(d, {
      CheckID: d.CheckID || d.ID || (definitions.length === 1 ? `service:${service.ID}` : `service:${service.ID}:${i + 1}`),
      Name: d.Name || `Service '${service.Service}' check`,
      ServiceID: service.ID,
    }, "Status for checks must 'passing', 'warning', 'critical'"),
  );
  authorize(c, 'service', service.Service, 'write');
  const replace = c.req.query('replace-existing-checks');
  const replaceExistingChecks = replace !== undefined && (replace === '' || parseGoBool(replace) === true);
  unwrap(await c.var.dc.agentServiceRegister({ service, checks, replaceExistingChecks }));
  return empty(c);
});

endpoint(agent, ['PUT'], '/service/deregister/:id{.+}', async (c) => {
  unwrap(await c.var.dc.agentServiceDeregister(pathTail(c, '/v1/agent/service/deregister/')));
  return empty(c);
});

endpoint(agent, ['PUT'], '/service/maintenance/:id{.*}', async (c) => {
  const id = pathTail(c, '/v1/agent/service/maintenance/');
  if (!id) throw badRequest('Missing service ID');
  const enable = enableFlag(c);
  unwrap(await c.var.dc.agentServiceMaintenance(id, enable, c.req.query('reason') ?? ''));
  return empty(c);
});

// After the exact /service/* routes: Consul's exact paths beat its prefix paths.
endpoint(agent, ['GET'], '/service/:id{.+}', async (c) => {
  const id = pathTail(c, '/v1/agent/service/');
  const hash = c.req.query('hash') ?? '';
  const result = await c.var.dc.agentService(id, hash, hash ? blockingParams(c).waitMs : 0);
  if (!result) throw new ConsulError(404, `unknown service ID: ${id}`);
  c.header('X-Consul-ContentHash', result.hash);
  return json(c, { ...result.service, ContentHash: result.hash });
});

endpoint(agent, ['PUT'], '/maintenance', async (c) => {
  const enable = enableFlag(c);
  unwrap(await c.var.dc.agentNodeMaintenance(enable, c.req.query('reason') ?? ''));
  return empty(c);
});

for (const path of ['/reload', '/leave', '/join/:address{.+}', '/force-leave/:node{.+}']) {
  endpoint(agent, ['PUT'], path, (c) => empty(c));
}

endpoint(agent, ['PUT'], '/token/:kind{.*}', () => {
  throw aclDisabled();
});
