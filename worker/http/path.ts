// Identifiers after a route prefix may contain `/` (Patroni's `scope/member`) and `%2F`: take the raw
// remainder of the path and decode it once, as Consul's prefix handlers do.
import type { Context } from 'hono';
import { badRequest } from './errors';

export function pathTail(c: Context, prefix: string): string {
  const raw = new URL(c.req.url).pathname;
  const tail = raw.startsWith(prefix) ? raw.slice(prefix.length) : '';
  try {
    return decodeURIComponent(tail);
  } catch {
    throw badRequest(`Invalid URL path: ${raw}`);
  }
}
