// The fixed headers of a fast path's answers, built once per env and kind and handed to every Response:
// workerd copies a Headers object faster than it converts a record or a list of pairs per response (the
// `?cached` hit measured 80 → 69 µs of CPU with its headers prebuilt, BENCHMARKS.md). What changes per
// answer (X-Consul-Index) is set on the response's own copy.
const built = new WeakMap<object, Map<string, Headers>>();

/** `kind`'s headers for `env`, from `build` the first time. */
export function fastHeaders(env: object, kind: string, build: () => Record<string, string>): Headers {
  let byKind = built.get(env);
  if (!byKind) built.set(env, (byKind = new Map()));
  let headers = byKind.get(kind);
  if (!headers) byKind.set(kind, (headers = new Headers(build())));
  return headers;
}

/** A response with `base`'s headers and an X-Consul-Index of `index` (at least 1, as indexHeaders sets it). */
export function indexedResponse(body: BodyInit | null, base: Headers, index: number, status = 200): Response {
  const response = new Response(body, { status, headers: base });
  response.headers.set('X-Consul-Index', String(Math.max(1, index)));
  return response;
}
