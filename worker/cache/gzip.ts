// Cached answers gzip-encoded for clients that accept it, as Consul's agent answers every API request
// (agent/http.go wraps its handlers in gziphandler with MinSize(0)); Go's HTTP client, and so the consul
// api package, consul-template and Prometheus, ask for gzip unless told not to. Compressed once per
// change of an entry, by its background refresh, so a hit only hands out the stored bytes.
import type { Entry } from './store';

/** Bodies smaller than this are not worth a second copy. */
export const GZIP_MIN_BYTES = 1024;

async function gzip(bytes: Uint8Array<ArrayBuffer>): Promise<Uint8Array<ArrayBuffer>> {
  const stream = new Blob([bytes]).stream().pipeThrough(new CompressionStream('gzip'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** Starts compressing `entry`'s body when it has no compressed copy yet; kept only while the body is the same. */
export function ensureGzip(entry: Entry): void {
  const body = entry.body;
  if (entry.gzip || entry.gzipping === body || body.byteLength < GZIP_MIN_BYTES) return;
  entry.gzipping = body;
  gzip(body).then(
    (compressed) => {
      if (entry.body === body) entry.gzip = compressed;
    },
    (err) => console.warn('cache: gzip failed:', (err as Error).message),
  ).finally(() => {
    if (entry.gzipping === body) entry.gzipping = undefined;
  });
}

/** Whether an `Accept-Encoding` header takes gzip (a `q=0` refuses it). */
export function acceptsGzip(header: string | null): boolean {
  if (!header) return false;
  for (const part of header.split(',')) {
    const [coding, ...params] = part.split(';').map((s) => s.trim().toLowerCase());
    if (coding !== 'gzip') continue;
    const q = params.find((p) => p.startsWith('q='));
    return q === undefined || Number(q.slice(2)) > 0;
  }
  return false;
}
