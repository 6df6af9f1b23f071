// /v1/health: checks by node, service and state, and service instances with their checks.
import { Hono } from 'hono';
import type { AppEnv } from '../env';
import { blockingParams } from '../http/blocking';
import { endpoint } from '../http/endpoint';
import { badRequest } from '../http/errors';
import { applyFilter } from '../http/filter';
import { consistencyMode, has, passingFlag } from '../http/flags';
import { indexedJson, setIndex } from '../http/meta';
import { pathTail } from '../http/path';
import { heldIndex } from '../cache/coalesce';
import { freshAnswer, sharedAnswer } from '../http/shared-answers';
import { nodeMetaMatcher, tagMatcher } from '../http/selectors';

export const health = new Hono<AppEnv>();

/** Query parameters that select from or reshape a service's entries (the shared JSON fast path skips none of them). */
const FILTERING_QUERIES = ['tag', 'node-meta', 'filter', 'pretty'];

health.use('*', async (c, next) => {
  c.header('X-Consul-Effective-Consistency', consistencyMode(c));
  await next();
});

endpoint(health, ['GET'], '/node/:node{.+}', async (c) => {
  const { index, value } = await c.var.dc.healthNodeChecks(pathTail(c, '/v1/health/node/'), blockingParams(c));
  return indexedJson(c, applyFilter(c.req.query('filter'), value), index);
});

endpoint(health, ['GET'], '/checks/:service{.+}', async (c) => {
  const { index, value } = await c.var.dc.healthServiceChecks(pathTail(c, '/v1/health/checks/'), blockingParams(c));
  return indexedJson(c, applyFilter(c.req.query('filter'), value), index);
});

endpoint(health, ['GET'], '/state/:state{.*}', async (c) => {
  const state = pathTail(c, '/v1/health/state/');
  if (!state) throw badRequest('Missing check state');
  const { index, value } = await c.var.dc.healthChecksInState(state, blockingParams(c));
  return indexedJson(c, applyFilter(c.req.query('filter'), value), index);
});

endpoint(health, ['GET'], '/service/:service{.+}', async (c) => {
  const passing = passingFlag(c);
  if (!passing && !FILTERING_QUERIES.some((name) => has(c, name))) {
    // Nothing to select: every watcher woken at one index gets the same bytes, fetched once.
    const name = pathTail(c, '/v1/health/service/');
    const params = blockingParams(c);
    const key = `${c.var.dcName}\u0000health.service:${name.toLowerCase()}`;
    const fetchText = () => c.var.dc.healthServiceNodesJson(name);
    // A plain read is one round trip; a watch learns its index first (one call into the object for all
    // identical watches in this isolate, worker/cache/coalesce.ts), then shares the text fetched for it.
    const held = (p: typeof params) => c.var.dc.healthServiceNodesIndex(name, p);
    const { index, value } = params.minIndex > 0
      ? await sharedAnswer(key, await heldIndex(key, params, held, (p) => c.executionCtx.waitUntil(p)), fetchText)
      : await freshAnswer(key, fetchText);
    setIndex(c, index);
    return c.body(value, 200, { 'Content-Type': 'application/json' });
  }
  const { index, value } = await c.var.dc.healthServiceNodes(pathTail(c, '/v1/health/service/'), blockingParams(c));
  const [tags, meta] = [tagMatcher(c), nodeMetaMatcher(c)];
  // ?passing drops an instance if any of its checks (node-level included) is not passing.
  const selected = value.filter(
    (e) => tags(e.Service.Tags) && meta(e.Node.Meta) && (!passing || e.Checks.every((check) => check.Status === 'passing')),
  );
  return indexedJson(c, applyFilter(c.req.query('filter'), selected), index);
});

// Beacon has no Connect (service mesh): no instance is a sidecar proxy, an ingress gateway or Connect-native,
// so these answer Consul's empty list, still at the service's index and still blocking on it.
for (const kind of ['connect', 'ingress']) {
  endpoint(health, ['GET'], `/${kind}/:service{.+}`, async (c) =>
    indexedJson(c, [], await c.var.dc.healthServiceNodesIndex(pathTail(c, `/v1/health/${kind}/`), blockingParams(c))));
}
