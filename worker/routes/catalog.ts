// /v1/catalog: register and deregister nodes, services and checks; list what is registered.
import { Hono } from 'hono';
import { CatalogDeregistrationSchema, CatalogRegistrationSchema, type CatalogCheck } from '../consul/catalog';
import { isUuid } from '../consul/common';
import type { AppEnv } from '../env';
import { datacentersByDistance } from '../federation/distance';
import { authorize } from '../http/acl';
import { heldAnswer } from '../cache/held-answer';
import { heldRead } from '../cache/held-read';
import { blockingParams } from '../http/blocking';
import { readBody } from '../http/body';
import { endpoint } from '../http/endpoint';
import { ConsulError, serverError, unwrap } from '../http/errors';
import { applyFilter } from '../http/filter';
import { consistencyMode, has } from '../http/flags';
import { indexedJson, json, setIndex } from '../http/meta';
import { pathTail } from '../http/path';
import { freshAnswer } from '../http/shared-answers';
import { nodeMetaMatcher, tagMatcher } from '../http/selectors';
import { toCatalogCheck } from '../registration/check';
import { toServiceDefinition, validateMeta } from '../registration/service';

export const catalog = new Hono<AppEnv>();

catalog.use('*', async (c, next) => {
  c.header('X-Consul-Effective-Consistency', consistencyMode(c));
  await next();
});


endpoint(catalog, ['PUT'], '/register', async (c) => {
  const body = await readBody(c, CatalogRegistrationSchema);
  if (!body.Node) throw serverError('Must provide node');
  if (!body.Address && !body.SkipNodeUpdate) throw serverError('Must provide address if SkipNodeUpdate is not set');
  if (body.ID && !isUuid(body.ID)) throw serverError(`Bad node ID: invalid UUID "${body.ID}"`);
  validateMeta(body.NodeMeta ?? {}, (reason) => serverError(`Invalid node metadata: ${reason}`));
  let service;
  if (body.Service && (body.Service.Service || body.Service.ID)) {
    if (!body.Service.Service) throw serverError('Must provide service name with ID');
    service = toServiceDefinition(body.Service.Service, body.Service, serverError);
  }
  const checks = [body.Check, ...(body.Checks ?? [])].filter((x): x is CatalogCheck => !!x).map(toCatalogCheck);
  if (checks.some((x) => !x.CheckID)) throw serverError('Missing check ID');
  authorize(c, 'node', body.Node, 'write');
  const node = { Node: body.Node, ID: body.ID ?? '', Address: body.Address ?? '', TaggedAddresses: body.TaggedAddresses ?? {}, Meta: body.NodeMeta ?? {} };
  unwrap(await c.var.dc.catalogRegister({ node, skipNodeUpdate: !!body.SkipNodeUpdate, service, checks }));
  return json(c, true);
});

endpoint(catalog, ['PUT'], '/deregister', async (c) => {
  const body = await readBody(c, CatalogDeregistrationSchema);
  if (!body.Node) throw serverError('Must provide node');
  authorize(c, 'node', body.Node, 'write');
  unwrap(await c.var.dc.catalogDeregister({ Node: body.Node, ServiceID: body.ServiceID, CheckID: body.CheckID }));
  return json(c, true);
});

// The request's datacenter first, then the others nearest first (Consul sorts by WAN round-trip time).
endpoint(catalog, ['GET'], '/datacenters', (c) => json(c, datacentersByDistance(c.var.federation, c.var.dcName)));

endpoint(catalog, ['GET'], '/nodes', async (c) => {
  const { index, value } = await heldRead(c, 'catalogNodes', [], blockingParams(c), (p) => c.var.dc.catalogNodes(p));
  const meta = nodeMetaMatcher(c);
  return indexedJson(c, applyFilter(c.req.query('filter'), value.filter((n) => meta(n.Meta))), index);
});

endpoint(catalog, ['GET'], '/services', async (c) => {
  // Only a filter needs the instances; the plain answer is kept per service in the object, as text per
  // index (worker/http/shared-answers.ts): a watch learns its index, then shares the text fetched for it.
  if (!c.req.query('filter') && !c.req.queries('node-meta')?.length) {
    const params = blockingParams(c);
    const pretty = has(c, 'pretty');
    const key = `${c.var.dcName}\u0000catalog.services\u0000${pretty}`;
    const fetchText = () => c.var.dc.catalogServicesJson(pretty);
    const { index, value } = params.minIndex > 0
      ? await heldAnswer({ indexKey: `${c.var.dcName}\u0000catalog.services`, answerKey: key, index: (p) => c.var.dc.catalogServicesIndex(p), text: fetchText }, params, (p) => c.executionCtx.waitUntil(p))
      : await freshAnswer(key, fetchText);
    setIndex(c, index);
    return c.body(value, 200, { 'Content-Type': 'application/json' });
  }
  const { index, value } = await heldRead(c, 'catalogAllInstances', [], blockingParams(c), (p) => c.var.dc.catalogAllInstances(p));
  const meta = nodeMetaMatcher(c);
  const services: Record<string, string[]> = {};
  for (const instance of applyFilter(c.req.query('filter'), value.filter((s) => meta(s.NodeMeta)))) {
    const tags = (services[instance.ServiceName] ??= []);
    for (const tag of instance.ServiceTags) if (!tags.includes(tag)) tags.push(tag);
  }
  return indexedJson(c, services, index);
});

endpoint(catalog, ['GET'], '/service/:name{.+}', async (c) => {
  const name = pathTail(c, '/v1/catalog/service/');
  const { index, value } = await heldRead(c, 'catalogServiceNodes', [name], blockingParams(c), (p) => c.var.dc.catalogServiceNodes(name, p));
  const [tags, meta] = [tagMatcher(c), nodeMetaMatcher(c)];
  return indexedJson(c, applyFilter(c.req.query('filter'), value.filter((s) => tags(s.ServiceTags) && meta(s.NodeMeta))), index);
});

// No Connect in Beacon (see /v1/health/connect): an empty list at the service's index, blocking on it.
endpoint(catalog, ['GET'], '/connect/:name{.+}', async (c) =>
  indexedJson(c, [], await c.var.dc.healthServiceNodesIndex(pathTail(c, '/v1/catalog/connect/'), blockingParams(c))));

endpoint(catalog, ['GET'], '/node/:node{.+}', async (c) => {
  const { index, value } = await c.var.dc.catalogNodeServices(pathTail(c, '/v1/catalog/node/'), blockingParams(c));
  if (!value) return indexedJson(c, null, index);
  const services = applyFilter(c.req.query('filter'), value.Services);
  return indexedJson(c, { Node: value.Node, Services: Object.fromEntries(services.map((s) => [s.ID, s])) }, index);
});

endpoint(catalog, ['GET'], '/node-services/:node{.+}', async (c) => {
  const name = pathTail(c, '/v1/catalog/node-services/');
  const { index, value } = await c.var.dc.catalogNodeServices(name, blockingParams(c));
  if (!value) throw new ConsulError(404, `Node "${name}" not found`, { 'X-Consul-Index': String(index) });
  return indexedJson(c, { Node: value.Node, Services: applyFilter(c.req.query('filter'), value.Services) }, index);
});
