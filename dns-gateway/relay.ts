// Sends one DNS query to the worker's DNS-over-HTTPS endpoint (RFC 8484 POST) and returns its reply and
// X-Consul-Index. With `index`, it is a blocking query (`?index=&wait=`): the worker answers once a read
// the answer depends on has changed, or when the wait is over (see worker/routes/dns-query.ts).
// Node's fetch keeps connections alive; a dead keep-alive socket gets one retry (not a blocking query),
// a timeout does not.
const DNS_MESSAGE = 'application/dns-message';

export class RelayError extends Error {
  override name = 'RelayError';
}

export interface Relayed {
  body: Buffer;
  /** X-Consul-Index; undefined when the answer cannot be waited on (a prepared query). */
  index?: number;
}

export interface Blocking {
  index: number;
  waitMs: number;
  /** Aborts the request (the gateway stopped watching the name). */
  signal?: AbortSignal;
}

/** `token` (the gateway's DNS token) travels as X-Consul-Token, never in the URL, so no log line holds it. */
export async function relay(workerUrl: string, query: Uint8Array, timeoutMs: number, token = '', blocking?: Blocking): Promise<Relayed> {
  const url = new URL('/dns-query', workerUrl);
  if (blocking) {
    url.searchParams.set('index', String(blocking.index));
    url.searchParams.set('wait', `${blocking.waitMs}ms`);
  }
  // A blocking query may take its wait plus Consul's jitter (wait/16) before the worker timeout starts.
  const deadline = Date.now() + timeoutMs + (blocking ? blocking.waitMs + blocking.waitMs / 16 : 0);
  for (let attempt = 0; ; attempt++) {
    try {
      const timeout = AbortSignal.timeout(Math.max(1, deadline - Date.now()));
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'Content-Type': DNS_MESSAGE, Accept: DNS_MESSAGE, ...(token ? { 'X-Consul-Token': token } : {}) },
        body: query,
        signal: blocking?.signal ? AbortSignal.any([timeout, blocking.signal]) : timeout,
      });
      const body = Buffer.from(await res.arrayBuffer());
      if (!res.ok || res.headers.get('content-type') !== DNS_MESSAGE) {
        throw new RelayError(`worker answered ${res.status}: ${body.toString('utf8', 0, 200)}`);
      }
      const index = Number(res.headers.get('x-consul-index') ?? NaN);
      return { body, index: Number.isSafeInteger(index) && index > 0 ? index : undefined };
    } catch (err) {
      const timedOut = err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError');
      // A watch is never retried: its connection breaking means the worker went away, and its answer must go.
      if (err instanceof RelayError || timedOut || blocking || attempt >= 1 || Date.now() >= deadline) {
        throw err instanceof RelayError ? err : new RelayError(`worker unreachable at ${url.origin}: ${(err as Error).message}`);
      }
    }
  }
}
