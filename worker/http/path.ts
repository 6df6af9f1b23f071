// Identifiers after a route prefix may contain `/` (Patroni's `scope/member`) and `%2F`: take the raw
// remainder of the path and decode it once, as Consul's prefix handlers do. The path is cut from the
// request's URL string, never re-parsed with `new URL()`, which folds `%2e%2e` and `\..\` segments and
// would act on another key than the one the request line names (issue 9).
import type { Context } from 'hono';
import { badRequest } from './errors';

/** The path of an absolute URL string as it arrived (still percent-encoded), without query or fragment. */
export function rawPath(url: string): string {
  const start = url.indexOf('/', url.indexOf('//') + 2);
  if (start < 0) return '/';
  // indexOf, not a regex: this runs on every request, some of them several times.
  let end = url.indexOf('?', start);
  const hash = url.indexOf('#', start);
  if (hash >= 0 && (end < 0 || hash < end)) end = hash;
  return end < 0 ? url.slice(start) : url.slice(start, end);
}

export function pathTail(c: Context, prefix: string): string {
  const raw = rawPath(c.req.url);
  const tail = raw.startsWith(prefix) ? raw.slice(prefix.length) : '';
  try {
    return decodeURIComponent(tail);
  } catch {
    throw badRequest(`Invalid URL path: ${raw}`);
  }
}
