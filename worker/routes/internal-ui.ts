// /v1/internal/ui: Consul's summary reads that let a UI draw a list in one request (agent/ui_endpoint.go).
// `?filter=` runs on each instance (services) or NodeInfo (nodes) before summarising, as in Consul.
import { Hono } from 'hono';
import { summariseServices, uiInstances } from '../consul/ui';
import type { AppEnv } from '../env';
import { blockingParams } from '../http/blocking';
import { endpoint } from '../http/endpoint';
import { badRequest } from '../http/errors';
import { applyFilter } from '../http/filter';
import { consistencyMode } from '../http/flags';
import { indexedJson } from '../http/meta';
import { pathTail } from '../http/path';

export const internalUi = new Hono<AppEnv>();

internalUi.use('*', async (c, next) => {
  c.header('X-Consul-Effective-Consistency', consistencyMode(c));
  await next();
});

endpoint(internalUi, ['GET'], '/services', async (c) => {
  const { index, value } = await c.var.dc.uiNodes(blockingParams(c));
  const instances = applyFilter(c.req.query('filter'), uiInstances(value));
  return indexedJson(c, summariseServices(instances, c.var.dcName), index);
});

endpoint(internalUi, ['GET'], '/nodes', async (c) => {
  const { index, value } = await c.var.dc.uiNodes(blockingParams(c));
  return indexedJson(c, applyFilter(c.req.query('filter'), value), index);
});

endpoint(internalUi, ['GET'], '/node/:node{.*}', async (c) => {
  const name = pathTail(c, '/v1/internal/ui/node/');
  if (!name) throw badRequest('Missing node name');
  const { index, value } = await c.var.dc.uiNode(name, blockingParams(c));
  if (!value) return c.body(null, 404);
  return indexedJson(c, value, index);
});

// Beacon has no service mesh: a topology is Consul's object with empty lists.
endpoint(internalUi, ['GET'], '/service-topology/:service{.+}', async (c) => {
  const kind = c.req.query('kind');
  if (kind === undefined) throw badRequest('Missing service kind');
  if (kind !== '' && kind !== 'ingress-gateway') throw badRequest(`Unsupported service kind "${kind}"`);
  const { index } = await c.var.dc.uiNodes(blockingParams(c));
  return indexedJson(c, { Protocol: 'tcp', TransparentProxy: false, Upstreams: [], Downstreams: [], FilteredByACLs: false }, index);
});
