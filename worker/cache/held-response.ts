// What the held-watch fast paths (watch-fast-path.ts, kv-watch-fast-path.ts) share: reading `?index` and
// `?wait` as blockingParams does, and answering a woken watcher with a copy of shared bytes.
import type { BlockingParams, Indexed } from '../consul/common';
import { parseGoDuration } from '../consul/duration';
import type { Env } from '../env';
import { aclHeaders } from '../http/acl';
import { DEFAULT_WAIT_MS, MAX_WAIT_MS } from '../http/blocking';
import { indexHeaders } from '../http/meta';

/** A blocking query's parameters; undefined when there is no `?index=` above 0, or a bad one (the full app answers its 400). */
export function plainWait(params: URLSearchParams, env: Env): BlockingParams | undefined {
  const indexText = params.get('index');
  if (!indexText || !/^[1-9]\d*$/.test(indexText)) return undefined;
  const waitText = params.get('wait');
  const parsed = waitText ? parseGoDuration(waitText) : undefined;
  if (waitText && parsed === undefined) return undefined;
  // As blockingParams: default 5 min, capped, plus up to wait/16 of jitter.
  const waitMs = Math.min(parsed && parsed > 0 ? parsed : DEFAULT_WAIT_MS, Number(env.MAX_WAIT_MS) || MAX_WAIT_MS);
  return { minIndex: Number(indexText), waitMs: waitMs + Math.random() * (waitMs / 16) };
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
