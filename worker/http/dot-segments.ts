// Refuses a request whose path holds a dot segment (`.` or `..`, raw or percent-encoded, `/` or `\` as
// separator) before anything reads it: a layer that resolves it (the WHATWG URL parser, wrangler dev's
// proxy, Cloudflare's URL normalization) would make it act on another key or ID (docs/api.md "Bad input").
import type { AclVars } from '../acl/settings';
import { aclHeaders } from './acl';
import { rawPath } from './path';

const DOT_SEGMENT = /(?:^|[/\\])(?:\.|%2e){1,2}(?=[/\\]|$)/i;
/** Consul's answer for a traversal sequence in the URL path (agent/kvs_endpoint.go). */
export const DOT_SEGMENT_REASON = 'URL path contains invalid or encoded traversal sequence';

/** A path with neither `.` nor `%` holds no dot segment, raw or encoded: most paths skip the regex. */
export const hasDotSegment = (path: string): boolean => (path.includes('.') || path.includes('%')) && DOT_SEGMENT.test(path);

/** The 400 for a request whose raw path holds a dot segment; undefined for every other request. */
export function dotSegmentRefusal(request: Request, env: AclVars): Response | undefined {
  if (!hasDotSegment(rawPath(request.url))) return undefined;
  return new Response(DOT_SEGMENT_REASON, { status: 400, headers: { ...aclHeaders(env), 'Content-Type': 'text/plain; charset=UTF-8' } });
}
