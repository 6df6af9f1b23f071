// A `?cached` hit answered before the router, as heartbeats and plain KV reads are (worker/heartbeat.ts):
// only while ACLs are off (with ACLs on every read goes through the permission table and the filters of
// the full app), only for a background-type entry being kept fresh, and only for a request with none of
// the parameters the full app would have to judge first (`index`, `stale`, `consistent`, namespaces).
import { fastPathToken } from '../acl/fast-path';
import { aclSettings } from '../acl/settings';
import type { Env } from '../env';
import { chooseDatacenter } from '../federation/choose';
import { aclHeaders } from '../http/acl';
import { rawPath } from '../http/path';
import { cacheKindOf } from './cacheable';
import { answerHeaders } from './headers';
import { cacheKey } from './key';
import { isFresh } from './refresher';
import { lookup, touch } from './store';

/** Parameters that need the full app even on a hit. */
const JUDGED = ['index', 'wait', 'stale', 'max_stale', 'consistent', 'ns', 'partition'];

/** The hit's answer, or undefined when the full app must answer. */
export function cachedHit(request: Request, env: Env): Response | undefined {
  if (request.method !== 'GET') return undefined;
  const url = request.url;
  const queryAt = url.indexOf('?');
  if (queryAt < 0 || !url.includes('cached', queryAt)) return undefined;
  if (aclSettings(env).enabled || request.headers.has('X-Consul-Namespace') || request.headers.has('Cache-Control')) return undefined;
  if (cacheKindOf('GET', rawPath(url)) !== 'background') return undefined;
  const params = new URLSearchParams(url.slice(queryAt + 1));
  if (!params.has('cached') || JUDGED.some((name) => params.has(name))) return undefined;
  const dc = chooseDatacenter(env, request, params.get('dc') || undefined);
  if (!dc) return undefined;
  const entry = lookup(cacheKey(url, dc.name, fastPathToken(request, params)));
  if (!entry || !(entry.fetchedAt > 0) || !isFresh(entry)) return undefined;
  touch(entry);
  return new Response(entry.body, { headers: { ...aclHeaders(env), ...answerHeaders(entry, { cached: true, hit: true }) } });
}
