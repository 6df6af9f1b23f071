// A plain `GET /v1/health/service/<name>` (at most `?passing` and `?token`), answered before the router
// as plain KV reads are: the read service-discovery clients repeat most. Its bytes are the shared text of
// the full app's route (worker/http/shared-answers.ts), fetched fresh from the object: reads stay
// linearizable. With ACLs on, only a management token takes it (anyone else's answer is filtered by the
// full app); `?tag`, `?filter`, `?index`, `?dc=`… take the full app too, which answers the same.
import { fastPathIdentity } from './acl/fast-path';
import { aclSettings } from './acl/settings';
import type { Env } from './env';
import { chooseDatacenter, datacenterStub } from './federation/choose';
import { aclHeaders } from './http/acl';
import { parseGoBool } from './http/flags';
import { healthAnswerKey, PLAIN_SELECTION, type HealthSelection } from './http/health-selection';
import { indexHeaders } from './http/meta';
import { freshAnswer } from './http/shared-answers';
import { decoded, plainRequest } from './plain-request';

const PLAIN = new Set(['token', 'passing']);

/** The read's answer, or undefined when the request needs the full app. */
export async function healthRead(request: Request, env: Env): Promise<Response | undefined> {
  if (request.method !== 'GET') return undefined;
  const plain = plainRequest(request, '/v1/health/service/', PLAIN);
  const name = plain && decoded(plain.rawTail);
  const flag = plain?.params.get('passing');
  // `?passing` as the full app reads it (absent, empty, or a Go bool); anything else gets its 400 there.
  const passing = flag === null || flag === undefined ? false : flag === '' ? true : parseGoBool(flag);
  const dc = name && passing !== undefined ? chooseDatacenter(env, request) : undefined;
  const stub = dc && datacenterStub(env, dc.name);
  if (!name || passing === undefined || !dc || !stub) return undefined;
  if (aclSettings(env).enabled) {
    const identity = await fastPathIdentity(request, env, plain.params);
    if (typeof identity === 'string' || !identity.management) return undefined;
  }
  const selection: HealthSelection = { ...PLAIN_SELECTION, passing };
  const key = healthAnswerKey(dc.name, name, selection);
  const { index, value } = await freshAnswer(key, () => stub.healthServiceNodesJson(name, selection));
  return new Response(value, {
    headers: { ...aclHeaders(env), ...indexHeaders(index), 'X-Consul-Effective-Consistency': 'leader', 'Content-Type': 'application/json' },
  });
}
