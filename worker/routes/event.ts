// /v1/event: fire a user event and list the recent ones (Consul's agent/event_endpoint.go). The list is
// a blocking read on an opaque index: it answers once the index differs from `?index=`.
import { Hono } from 'hono';
import { userEventProblem, type UserEventFire } from '../consul/event';
import type { AppEnv } from '../env';
import { authorize } from '../http/acl';
import { blockingParams } from '../http/blocking';
import { bodyTooLarge, MAX_BODY_BYTES } from '../http/body';
import { endpoint } from '../http/endpoint';
import { badRequest, serverError } from '../http/errors';
import { indexedJson, json } from '../http/meta';
import { pathTail } from '../http/path';

export const event = new Hono<AppEnv>();

endpoint(event, ['PUT'], '/fire/:name{.*}', async (c) => {
  const name = pathTail(c, '/v1/event/fire/');
  if (!name) throw badRequest('Missing name');
  const declared = Number(c.req.header('Content-Length') ?? 0);
  if (declared > MAX_BODY_BYTES) throw bodyTooLarge(declared);
  const payload = await c.req.arrayBuffer();
  const fire: UserEventFire = {
    Name: name,
    NodeFilter: c.req.query('node') ?? '',
    ServiceFilter: c.req.query('service') ?? '',
    TagFilter: c.req.query('tag') ?? '',
    payload: payload.byteLength ? payload : null,
  };
  const problem = userEventProblem(fire);
  if (problem) throw serverError(problem);
  authorize(c, 'event', name, 'write');
  return json(c, await c.var.dc.eventFire(fire));
});

endpoint(event, ['GET'], '/list', async (c) => {
  const { waitMs } = blockingParams(c); // also refuses an `?index=` that is not a number
  const minIndex = BigInt(c.req.query('index') || '0').toString();
  const { index, value } = await c.var.dc.eventList(c.req.query('name') ?? '', minIndex, waitMs);
  return indexedJson(c, value, index);
});
