// A `?cached` hit answered before the router, as heartbeats and plain KV reads are (worker/heartbeat.ts):
// only while ACLs are off (with ACLs on every read goes through the permission table and the filters of
// the full app), only for a background-type entry being kept fresh, and only for a request with none of
// the parameters the full app would have to judge first (`index`, `stale`, `consistent`, namespaces).
// A hit costs a map lookup: what a URL (and its token headers) reads is worked out once, its headers are
// built once per change of the entry, and gzip-accepting clients get bytes compressed once (gzip.ts).
import { fastPathToken } from '../acl/fast-path';
import { aclSettings } from '../acl/settings';
import type { Env } from '../env';
import { chooseDatacenter } from '../federation/choose';
import { aclHeaders } from '../http/acl';
import { rawPath } from '../http/path';
import { cacheKindOf } from './cacheable';
import { acceptsGzip } from './gzip';
import { ageSeconds, entryHeaders, lastContact } from './headers';
import { cacheKey } from './key';
import { isFresh } from './refresher';
import { type Entry, lookup, touch } from './store';

/** Parameters that need the full app even on a hit. */
const JUDGED = ['index', 'wait', 'stale', 'max_stale', 'consistent', 'ns', 'partition'];

/** What a request reads, by its URL and token headers: `?dc=` as given and the key after its datacenter; null: not a hit candidate. */
interface Target {
  dc: string | undefined;
  keyAfterDc: string;
}
const targets = new Map<string, Target | null>();
const MAX_TARGETS = 1024;

function targetOf(request: Request, url: string, queryAt: number): Target | null {
  if (cacheKindOf('GET', rawPath(url)) !== 'background') return null;
  const params = new URLSearchParams(url.slice(queryAt + 1));
  if (!params.has('cached') || JUDGED.some((name) => params.has(name))) return null;
  const token = fastPathToken(request, params);
  return { dc: params.get('dc') || undefined, keyAfterDc: cacheKey(url, '', token) };
}

/** The hit's answer, or undefined when the full app must answer. */
export function cachedHit(request: Request, env: Env): Response | undefined {
  if (request.method !== 'GET') return undefined;
  const url = request.url;
  const queryAt = url.indexOf('?');
  if (queryAt < 0 || !url.includes('cached', queryAt)) return undefined;
  const headers = request.headers;
  if (aclSettings(env).enabled || headers.has('X-Consul-Namespace') || headers.has('Cache-Control')) return undefined;
  const memo = `${url}\u0000${headers.get('X-Consul-Token') ?? ''}\u0000${headers.get('Authorization') ?? ''}`;
  let target = targets.get(memo);
  if (target === undefined) {
    if (targets.size >= MAX_TARGETS) targets.clear();
    targets.set(memo, (target = targetOf(request, url, queryAt)));
  }
  if (!target) return undefined;
  // Per request: the datacenter may follow the request's region.
  const dc = chooseDatacenter(env, request, target.dc);
  const entry = dc && lookup(dc.name.toLowerCase() + target.keyAfterDc);
  if (!entry || !(entry.fetchedAt > 0) || !isFresh(entry)) return undefined;
  const now = Date.now();
  touch(entry, now);
  const accept = headers.get('Accept-Encoding');
  const gzip = entry.gzip && (accept === 'gzip' || acceptsGzip(accept));
  const prepared = (entry.hitHeaders ??= hitHeaders(entry, env));
  const response = gzip ? new Response(entry.gzip, { headers: prepared.gzip, encodeBody: 'manual' }) : new Response(entry.body, { headers: prepared.identity });
  response.headers.set('X-Consul-LastContact', lastContact(entry, now));
  response.headers.set('Age', String(ageSeconds(entry, now)));
  return response;
}

function hitHeaders(entry: Entry, env: Env): { identity: Headers; gzip: Headers } {
  const identity = Object.entries({ ...aclHeaders(env), ...entryHeaders(entry), 'X-Cache': 'HIT' });
  return { identity: new Headers(identity), gzip: new Headers([...identity, ['Content-Encoding', 'gzip'], ['Vary', 'Accept-Encoding']]) };
}
