// A plain blocking `GET /v1/health/service/<name>?index=N[&wait=W]` (no other parameter but `token`),
// answered before the router while ACLs are off: the watch many clients hold at once (Prometheus, go-micro).
// It parks on the isolate's one shared call (coalesce.ts) and answers the shared bytes of the index it
// woke at, as the full app's route does; skipping Hono's routing and middleware halves what each of
// thousands of woken watchers costs. Anything else takes the full app, which answers the same.
import { aclSettings } from '../acl/settings';
import { parseGoDuration } from '../consul/duration';
import type { Env } from '../env';
import { aclHeaders } from '../http/acl';
import { DEFAULT_WAIT_MS, MAX_WAIT_MS } from '../http/blocking';
import { indexHeaders } from '../http/meta';
import { healthAnswerKey, healthIndexKey, PLAIN_SELECTION } from '../http/health-selection';
import { sharedAnswer } from '../http/shared-answers';
import { decoded, plainRequest } from '../plain-request';
import { chooseDatacenter, datacenterStub } from '../federation/choose';
import { heldIndex } from './coalesce';

const PLAIN = new Set(['index', 'wait', 'token']);

/** The watch's answer, or undefined when the full app must answer it. */
export async function heldWatch(request: Request, env: Env, ctx: ExecutionContext): Promise<Response | undefined> {
  if (request.method !== 'GET' || aclSettings(env).enabled) return undefined;
  const plain = plainRequest(request, '/v1/health/service/', PLAIN);
  const name = plain && decoded(plain.rawTail);
  const indexText = plain?.params.get('index');
  if (!plain || !name || !indexText || !/^[1-9]\d*$/.test(indexText)) return undefined;
  const waitText = plain.params.get('wait');
  const parsed = waitText ? parseGoDuration(waitText) : undefined;
  if (waitText && parsed === undefined) return undefined; // the full app answers its 400
  const dc = chooseDatacenter(env, request);
  const stub = dc && datacenterStub(env, dc.name);
  if (!dc || !stub) return undefined;
  // As blockingParams: default 5 min, capped, plus up to wait/16 of jitter.
  const waitMs = Math.min(parsed && parsed > 0 ? parsed : DEFAULT_WAIT_MS, Number(env.MAX_WAIT_MS) || MAX_WAIT_MS);
  const params = { minIndex: Number(indexText), waitMs: waitMs + Math.random() * (waitMs / 16) };
  // The same keys as the route in worker/routes/health.ts, so both share one call and one text.
  const woke = await heldIndex(healthIndexKey(dc.name, name), params, (p) => stub.healthServiceNodesIndex(name, p), (p) => ctx.waitUntil(p));
  const { index, value } = await sharedAnswer(healthAnswerKey(dc.name, name, PLAIN_SELECTION), woke, () => stub.healthServiceNodesJson(name, PLAIN_SELECTION));
  return new Response(value, {
    headers: { ...aclHeaders(env), 'X-Consul-Effective-Consistency': 'leader', ...indexHeaders(index), 'Content-Type': 'application/json' },
  });
}
