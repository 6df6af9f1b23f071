// /v1/session: create, destroy and renew sessions, and read them by ID, by node or all
// (Consul's agent/session_endpoint.go; validation texts from the Session.Apply RPC).
import { Hono, type Context } from 'hono';
import { parseGoDuration } from '../consul/duration';
import {
  DEFAULT_LOCK_DELAY_MS, SESSION_BEHAVIORS, SESSION_TTL_MAX_MS, SESSION_TTL_MIN_MS, SessionCreateSchema,
  type SessionBehavior, type SessionCreateBody, type SessionCreateRequest,
} from '../consul/session';
import { SERF_HEALTH_CHECK_ID } from '../consul/agent';
import { isUuid } from '../consul/common';
import type { AppEnv } from '../env';
import { blockingParams } from '../http/blocking';
import { readBody } from '../http/body';
import { endpoint } from '../http/endpoint';
import { badRequest, serverError, unwrap } from '../http/errors';
import { consistencyMode } from '../http/flags';
import { bool, indexedJson, json } from '../http/meta';
import { pathTail } from '../http/path';

export const session = new Hono<AppEnv>();

function toCreateRequest(body: SessionCreateBody): SessionCreateRequest {
  const behavior = body.Behavior || 'release';
  if (!(SESSION_BEHAVIORS as readonly string[]).includes(behavior)) throw serverError(`Invalid Behavior setting '${behavior}'`);
  const ttl = body.TTL ?? '';
  let ttlMs = 0;
  if (ttl) {
    const parsed = parseGoDuration(ttl);
    if (parsed === undefined) throw serverError(`Session TTL '${ttl}' invalid: time: invalid duration ${JSON.stringify(ttl)}`);
    if (parsed !== 0 && (parsed < SESSION_TTL_MIN_MS || parsed > SESSION_TTL_MAX_MS)) {
      throw serverError(`Invalid Session TTL '${Math.round(parsed * 1e6)}', must be between [10s=24h0m0s]`);
    }
    ttlMs = parsed;
  }
  return {
    Name: body.Name ?? '',
    Node: body.Node ?? '',
    LockDelayMs: body.LockDelay ?? DEFAULT_LOCK_DELAY_MS,
    Behavior: behavior as SessionBehavior,
    TTL: ttl,
    TTLMs: ttlMs,
    // `Checks` is the old name; an explicit empty list (Patroni sends one) means no checks at all.
    NodeChecks: body.NodeChecks ?? body.Checks ?? [SERF_HEALTH_CHECK_ID],
    ServiceChecks: body.ServiceChecks?.length ? body.ServiceChecks : null,
  };
}

/** Session IDs are UUIDs in Consul's state store; any other text fails the lookup with a 500. */
function sessionId(c: Context<AppEnv>, prefix: string): string {
  const id = pathTail(c, prefix);
  if (!id) throw badRequest('Missing session');
  if (!isUuid(id)) throw serverError('UUID must be 36 characters');
  return id;
}

endpoint(session, ['PUT'], '/create', async (c) => {
  const body = await readBody(c, SessionCreateSchema, { emptyAs: {} });
  return json(c, { ID: unwrap(await c.var.dc.sessionCreate(toCreateRequest(body))) });
});

endpoint(session, ['PUT'], '/destroy/:id{.*}', async (c) => bool(c, unwrap(await c.var.dc.sessionDestroy(sessionId(c, '/v1/session/destroy/')))));

endpoint(session, ['PUT'], '/renew/:id{.*}', async (c) => json(c, unwrap(await c.var.dc.sessionRenew(sessionId(c, '/v1/session/renew/')))));

endpoint(session, ['GET'], '/info/:id{.*}', async (c) => {
  consistencyMode(c);
  const { index, value } = await c.var.dc.sessionGet(sessionId(c, '/v1/session/info/'), blockingParams(c));
  return indexedJson(c, value, index);
});

endpoint(session, ['GET'], '/node/:node{.*}', async (c) => {
  consistencyMode(c);
  const node = pathTail(c, '/v1/session/node/');
  if (!node) throw badRequest('Missing node name');
  const { index, value } = await c.var.dc.sessionNodeSessions(node, blockingParams(c));
  return indexedJson(c, value, index);
});

endpoint(session, ['GET'], '/list', async (c) => {
  consistencyMode(c);
  const { index, value } = await c.var.dc.sessionList(blockingParams(c));
  return indexedJson(c, value, index);
});
