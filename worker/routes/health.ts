// /v1/health: checks by node, service and state, and service instances with their checks.
import { Hono } from 'hono';
import type { AppEnv } from '../env';
import { blockingParams } from '../http/blocking';
import { endpoint } from '../http/endpoint';
import { badRequest } from '../http/errors';
import { applyFilter } from '../http/filter';
import { consistencyMode } from '../http/flags';
import { healthAnswerKey, healthIndexKey, healthSelection } from '../http/health-selection';
import { indexedJson, setIndex } from '../http/meta';
import { pathTail } from '../http/path';
import { heldAnswer } from '../cache/held-answer';
import { heldRead } from '../cache/held-read';
import { freshAnswer } from '../http/shared-answers';

export const health = new Hono<AppEnv>();

health.use('*', async (c, next) => {
  c.header('X-Consul-Effective-Consistency', consistencyMode(c));
  await next();
});

endpoint(health, ['GET'], '/node/:node{.+}', async (c) => {
  const node = pathTail(c, '/v1/health/node/');
  const { index, value } = await heldRead(c, 'healthNodeChecks', [node], blockingParams(c), (p) => c.var.dc.healthNodeChecks(node, p));
  return indexedJson(c, applyFilter(c.req.query('filter'), value), index);
});

endpoint(health, ['GET'], '/checks/:service{.+}', async (c) => {
  const name = pathTail(c, '/v1/health/checks/');
  const { index, value } = await heldRead(c, 'healthServiceChecks', [name], blockingParams(c), (p) => c.var.dc.healthServiceChecks(name, p));
  return indexedJson(c, applyFilter(c.req.query('filter'), value), index);
});

endpoint(health, ['GET'], '/state/:state{.*}', async (c) => {
  const state = pathTail(c, '/v1/health/state/');
  if (!state) throw badRequest('Missing check state');
  const { index, value } = await heldRead(c, 'healthChecksInState', [state], blockingParams(c), (p) => c.var.dc.healthChecksInState(state, p));
  return indexedJson(c, applyFilter(c.req.query('filter'), value), index);
});

endpoint(health, ['GET'], '/service/:service{.+}', async (c) => {
  // Every selection's bytes are built once per index in the object and fetched once per index here:
  // a plain read is one round trip; a watch learns its index first (one call into the object for all
  // identical watches in this isolate, worker/cache/held-answer.ts), then shares the text fetched for it.
  const name = pathTail(c, '/v1/health/service/');
  const selection = healthSelection(c);
  const params = blockingParams(c);
  const key = healthAnswerKey(c.var.dcName, name, selection);
  const fetchText = () => c.var.dc.healthServiceNodesJson(name, selection);
  const held = (p: typeof params) => c.var.dc.healthServiceNodesIndex(name, p);
  const { index, value } = params.minIndex > 0
    ? await heldAnswer({ indexKey: healthIndexKey(c.var.dcName, name), answerKey: key, index: held, text: fetchText }, params, (p) => c.executionCtx.waitUntil(p))
    : await freshAnswer(key, fetchText);
  setIndex(c, index);
  return c.body(value, 200, { 'Content-Type': 'application/json' });
});

// Beacon has no Connect (service mesh): no instance is a sidecar proxy, an ingress gateway or Connect-native,
// so these answer Consul's empty list, still at the service's index and still blocking on it.
for (const kind of ['connect', 'ingress']) {
  endpoint(health, ['GET'], `/${kind}/:service{.+}`, async (c) =>
    indexedJson(c, [], await c.var.dc.healthServiceNodesIndex(pathTail(c, `/v1/health/${kind}/`), blockingParams(c))));
}
