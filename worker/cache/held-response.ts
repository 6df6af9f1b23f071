// What the held-watch fast paths (../health-fast-path.ts, kv-watch-fast-path.ts) share: `?index` and `?wait`
// read by blockingParams' own parser, and answering a woken watcher with a copy of shared bytes.
import type { BlockingParams, Indexed } from '../consul/common';
import type { Env } from '../env';
import { aclHeaders } from '../http/acl';
import { blockingParamsOf } from '../http/blocking';
import { indexHeaders } from '../http/meta';

/** A blocking query's parameters; undefined when there is no `?index=` above 0, or a bad one (the full app answers its 400). */
export function plainWait(params: URLSearchParams, env: Env): BlockingParams | undefined {
  try {
    const blocking = blockingParamsOf(params.get('index'), params.get('wait'), env.MAX_WAIT_MS);
    return blocking.minIndex > 0 ? blocking : undefined;
  } catch {
    return undefined;
  }
}

// The headers of one shared answer, built once for all the watchers it wakes (the env's ACL header
// included: one isolate serves one env).
const built = new WeakMap<Indexed<Uint8Array<ArrayBuffer>>, Headers>();

/** A woken watcher's response: the shared bytes (an empty body means 404, as a missing KV key answers). */
export function answered(env: Env, answer: Indexed<Uint8Array<ArrayBuffer>>, extra: Record<string, string>): Response {
  const missing = answer.value.byteLength === 0;
  let headers = built.get(answer);
  if (!headers) {
    headers = new Headers({ ...aclHeaders(env), ...(missing ? {} : extra), ...indexHeaders(answer.index) });
    built.set(answer, headers);
  }
  return new Response(missing ? null : answer.value, { status: missing ? 404 : 200, headers });
}
