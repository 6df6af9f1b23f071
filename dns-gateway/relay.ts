// Sends one DNS query to the worker's DNS-over-HTTPS endpoint (RFC 8484 POST) and returns its reply.
// Node's fetch keeps connections alive; a dead keep-alive socket gets one retry, a timeout does not.
const DNS_MESSAGE = 'application/dns-message';

export class RelayError extends Error {
  override name = 'RelayError';
}

/** `token` (the gateway's DNS token) travels as X-Consul-Token, never in the URL, so no log line holds it. */
export async function relay(workerUrl: string, query: Uint8Array, timeoutMs: number, token = ''): Promise<Buffer> {
  const url = new URL('/dns-query', workerUrl);
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 0; ; attempt++) {
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'Content-Type': DNS_MESSAGE, Accept: DNS_MESSAGE, ...(token ? { 'X-Consul-Token': token } : {}) },
        body: query,
        signal: AbortSignal.timeout(Math.max(1, deadline - Date.now())),
      });
      const body = Buffer.from(await res.arrayBuffer());
      if (!res.ok || res.headers.get('content-type') !== DNS_MESSAGE) {
        throw new RelayError(`worker answered ${res.status}: ${body.toString('utf8', 0, 200)}`);
      }
      return body;
    } catch (err) {
      const timedOut = err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError');
      if (err instanceof RelayError || timedOut || attempt >= 1 || Date.now() >= deadline) {
        throw err instanceof RelayError ? err : new RelayError(`worker unreachable at ${url}: ${(err as Error).message}`);
      }
    }
  }
}
