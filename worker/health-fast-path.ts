// A plain `GET /v1/health/service/<name>`, answered before the router: the read service-discovery clients
// repeat most, and the blocking watch many of them hold at once (Prometheus, go-micro). One recognizer
// says what is plain (no parameter but `passing`, `index`, `wait` and `token`, no namespace header, a
// name that decodes); anything else (`?tag`, `?filter`, `?dc=`, `?index` with `?passing`…) takes the full
// app, which answers the same. Both answers are the shared text of the full app's route.
// - A read (no `?index`/`?wait`): fetched fresh from the object, so reads stay linearizable. With ACLs on,
//   only a management token takes it (anyone else's answer is filtered by the full app).
// - A watch (`?index=N[&wait=W]`, ACLs off): parks on the isolate's one shared call (held-answer.ts) and
//   answers the bytes of the index it woke at. A parked watcher holds as little as it can: no Hono context
//   or middleware frames, and no Durable Object stub unless it is the one making the call (a stub is a few
//   KB of workerd's per request).
import { fastPathIdentity } from './acl/fast-path';
import { aclSettings } from './acl/settings';
import { heldAnswer } from './cache/held-answer';
import { answered, plainWait } from './cache/held-response';
import type { Env } from './env';
import type { DatacenterInfo } from './federation/config';
import { chooseDatacenter, datacenterStub } from './federation/choose';
import { aclHeaders } from './http/acl';
import { parseGoBool } from './http/flags';
import { healthAnswerKey, healthIndexKey, PLAIN_SELECTION, type HealthSelection } from './http/health-selection';
import { fastHeaders, indexedResponse } from './http/fast-headers';
import { indexHeaders } from './http/meta';
import { freshAnswer } from './http/shared-answers';
import { decoded, plainRequest } from './plain-request';

const PLAIN = new Set(['token', 'passing', 'index', 'wait']);
const HEALTH_HEADERS = { 'X-Consul-Effective-Consistency': 'leader', 'Content-Type': 'application/json' };

interface PlainHealthService {
  name: string;
  params: URLSearchParams;
  dc: DatacenterInfo;
}

/** The one recognizer: a plain health/service request, or undefined when the full app must answer it. */
function plainHealthService(request: Request, env: Env): PlainHealthService | undefined {
  if (request.method !== 'GET') return undefined;
  const plain = plainRequest(request, '/v1/health/service/', PLAIN);
  const name = plain && decoded(plain.rawTail);
  const dc = name ? chooseDatacenter(env, request) : undefined;
  return name && dc ? { name, params: plain.params, dc } : undefined;
}

/** The read's or the watch's answer, or undefined when the request needs the full app. */
export async function healthService(request: Request, env: Env, ctx: ExecutionContext): Promise<Response | undefined> {
  const plain = plainHealthService(request, env);
  if (!plain) return undefined;
  const { params } = plain;
  if (!params.has('index') && !params.has('wait')) return read(request, env, plain);
  return params.has('passing') ? undefined : watch(env, ctx, plain);
}

async function read(request: Request, env: Env, { name, params, dc }: PlainHealthService): Promise<Response | undefined> {
  const flag = params.get('passing');
  // `?passing` as the full app reads it (absent, empty, or a Go bool); anything else gets its 400 there.
  const passing = flag === null ? false : flag === '' ? true : parseGoBool(flag);
  const stub = passing !== undefined ? datacenterStub(env, dc.name) : undefined;
  if (passing === undefined || !stub) return undefined;
  if (aclSettings(env).enabled) {
    const identity = await fastPathIdentity(request, env, params);
    if (typeof identity === 'string' || !identity.management) return undefined;
  }
  const selection: HealthSelection = { ...PLAIN_SELECTION, passing };
  const key = healthAnswerKey(dc.name, name, selection);
  const { index, value } = await freshAnswer(key, () => stub.healthServiceNodesJson(name, selection));
  return indexedResponse(value, fastHeaders(env, 'health-read', () => ({ ...aclHeaders(env), ...indexHeaders(0), ...HEALTH_HEADERS })), index);
}

async function watch(env: Env, ctx: ExecutionContext, { name, params, dc }: PlainHealthService): Promise<Response | undefined> {
  const blocking = aclSettings(env).enabled ? undefined : plainWait(params, env);
  if (!blocking) return undefined;
  const stub = () => datacenterStub(env, dc.name)!;
  const answer = await heldAnswer({
    // The same keys as the route in worker/routes/health.ts, so both share one call and one text.
    indexKey: healthIndexKey(dc.name, name),
    answerKey: healthAnswerKey(dc.name, name, PLAIN_SELECTION),
    index: (p) => stub().healthServiceNodesIndex(name, p),
    text: () => stub().healthServiceNodesJson(name, PLAIN_SELECTION),
  }, blocking, (p) => ctx.waitUntil(p));
  return answered(env, answer, HEALTH_HEADERS);
}
