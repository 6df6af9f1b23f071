// /v1/internal/ui: Consul's summary reads that let a UI draw a list in one request (agent/ui_endpoint.go).
// `?filter=` runs on each instance (services) or NodeInfo (nodes) before summarising, as in Consul.
import { Hono, type Context } from 'hono';
import type { AppEnv } from '../env';
import { blockingParams } from '../http/blocking';
import { endpoint } from '../http/endpoint';
import { badRequest } from '../http/errors';
import { applyFilter } from '../http/filter';
import { consistencyMode, has } from '../http/flags';
import { indexedJson, setIndex } from '../http/meta';
import { pathTail } from '../http/path';
import { freshAnswer, sharedAnswer } from '../http/shared-answers';

export const internalUi = new Hono<AppEnv>();

internalUi.use('*', async (c, next) => {
  c.header('X-Consul-Effective-Consistency', consistencyMode(c));
  await next();
});

/** A summary's bytes, built once per (catalog index, filter) in the object and fetched once per index here. */
async function summary(c: Context<AppEnv>, kind: 'services' | 'nodes'): Promise<Response> {
  const filter = c.req.query('filter') ?? '';
  applyFilter(filter, []); // a bad expression is refused before any read
  const pretty = has(c, 'pretty');
  const params = blockingParams(c);
  const key = `${c.var.dcName}\u0000ui.${kind}\u0000${pretty}\u0000${filter}`;
  const fetchText = () => (kind === 'services' ? c.var.dc.uiServicesJson(filter, pretty) : c.var.dc.uiNodesJson(filter, pretty));
  const { index, value } = params.minIndex > 0
    ? await sharedAnswer(key, await c.var.dc.uiNodesIndex(params), fetchText)
    : await freshAnswer(key, fetchText);
  setIndex(c, index);
  return c.body(value, 200, { 'Content-Type': 'application/json' });
}

endpoint(internalUi, ['GET'], '/services', (c) => summary(c, 'services'));
endpoint(internalUi, ['GET'], '/nodes', (c) => summary(c, 'nodes'));

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
