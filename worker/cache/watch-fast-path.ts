// A plain blocking `GET /v1/health/service/<name>?index=N[&wait=W]` (no other parameter but `token`),
// answered before the router while ACLs are off: the watch many clients hold at once (Prometheus, go-micro).
// It parks on the isolate's one shared call (held-answer.ts) and answers the shared bytes of the index it
// woke at, as the full app's route does. A parked watcher holds as little as it can: no Hono context or
// middleware frames, and no Durable Object stub unless it is the one making the call (a stub is a few KB
// of workerd's per request). Anything else takes the full app, which answers the same.
import { aclSettings } from '../acl/settings';
import type { Env } from '../env';
import { chooseDatacenter, datacenterStub } from '../federation/choose';
import { healthAnswerKey, healthIndexKey, PLAIN_SELECTION } from '../http/health-selection';
import { decoded, plainRequest } from '../plain-request';
import { heldAnswer } from './held-answer';
import { answered, plainWait } from './held-response';

const PLAIN = new Set(['index', 'wait', 'token']);

/** The watch's answer, or undefined when the full app must answer it. */
export async function heldWatch(request: Request, env: Env, ctx: ExecutionContext): Promise<Response | undefined> {
  if (request.method !== 'GET' || aclSettings(env).enabled) return undefined;
  const plain = plainRequest(request, '/v1/health/service/', PLAIN);
  const name = plain && decoded(plain.rawTail);
  const params = plain && plainWait(plain.params, env);
  const dc = name && params ? chooseDatacenter(env, request) : undefined;
  if (!name || !params || !dc) return undefined;
  const stub = () => datacenterStub(env, dc.name)!;
  const answer = await heldAnswer({
    // The same keys as the route in worker/routes/health.ts, so both share one call and one text.
    indexKey: healthIndexKey(dc.name, name),
    answerKey: healthAnswerKey(dc.name, name, PLAIN_SELECTION),
    index: (p) => stub().healthServiceNodesIndex(name, p),
    text: () => stub().healthServiceNodesJson(name, PLAIN_SELECTION),
  }, params, (p) => ctx.waitUntil(p));
  return answered(env, answer, HEALTH_HEADERS);
}

const HEALTH_HEADERS = { 'X-Consul-Effective-Consistency': 'leader', 'Content-Type': 'application/json' };
