// `?cached` and `?stale` on the reads Consul's agent cache serves, as one middleware after the ACL check
// (so every read is held to the permission table first, and its answer filtered after): a hit is answered
// from the isolate's store without calling the object; a miss reads the route once (readers of the same
// entry join it) and, for background types, starts the refresh that keeps the entry fresh. `?consistent`
// and plain reads never touch the cache.
import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../env';
import { blockingParams, MAX_WAIT_MS } from '../http/blocking';
import { badRequest } from '../http/errors';
import { consistencyMode, has } from '../http/flags';
import { parseGoDuration } from '../consul/duration';
import { cacheKindOfUrl, type CacheKind } from './cacheable';
import { parseCacheControl, type CacheControl } from './cache-control';
import { type AppFetch, fetchInto, type ReadSpec, readSpec } from './fetch';
import { answerHeaders, type AnswerAs } from './headers';
import { cacheKey } from './key';
import { isFresh, startRefresh } from './refresher';
import { type Entry, forget, isStored, lookup, newEntry, type Refusal, remember, touch } from './store';
import { TIMED_OUT, until } from './until';

export const CACHED_CONSISTENT = 'Cannot specify ?cached with ?consistent, conflicting semantics.';

interface Read {
  c: Context<AppEnv>;
  kind: CacheKind;
  as: { cached: boolean };
  control: CacheControl;
  minIndex: number;
  deadline: number;
  spec: ReadSpec;
  appFetch: AppFetch;
  keepAlive: (p: Promise<unknown>) => void;
  maxWaitMs: number;
}

/** The middleware; `appFetch` runs a request through the whole app (the cache's own reads). */
export function cachedReads(appFetch: (c: Context<AppEnv>) => AppFetch) {
  return createMiddleware<AppEnv>(async (c, next) => {
    const kind = cacheKindOfUrl(c.req.method === 'GET' ? 'GET' : '', c.req.url);
    if (!kind) return next();
    consistencyMode(c); // ?stale with ?consistent: Consul's 400 first
    const cached = has(c, 'cached');
    if (cached && has(c, 'consistent')) throw badRequest(CACHED_CONSISTENT);
    // ?stale is answered from the cache of a background type; a simple type's ?stale goes to the object.
    if (!cached && !(kind === 'background' && (has(c, 'stale') || has(c, 'max_stale')))) return next();
    const control = cached ? parseCacheControl(c.req.header('Cache-Control')) : { mustRevalidate: false };
    const params = blockingParams(c);
    const maxStaleMs = cached ? undefined : maxStale(c);
    const key = cacheKey(c.req.url, c.var.dcName, c.var.token);
    const entry = lookup(key);
    // ?max_stale: a copy the object confirmed longer ago than that is read from the object instead.
    if (maxStaleMs !== undefined && entry && Date.now() - entry.confirmedAt > maxStaleMs) return next();
    const read: Read = {
      c, kind, as: { cached }, control, minIndex: params.minIndex, deadline: Date.now() + params.waitMs,
      spec: readSpec(c.req.raw), appFetch: appFetch(c), keepAlive: (p) => c.executionCtx.waitUntil(p),
      maxWaitMs: Number(c.env.MAX_WAIT_MS) || MAX_WAIT_MS,
    };
    return kind === 'background' ? background(read, key, entry) : simple(read, key, entry);
  });
}

function maxStale(c: Context<AppEnv>): number | undefined {
  const text = c.req.query('max_stale');
  if (!text) return undefined;
  const ms = parseGoDuration(text);
  if (ms === undefined) throw badRequest('Invalid max_stale value');
  return ms;
}

async function background(read: Read, key: string, stored: Entry | undefined): Promise<Response> {
  let entry = stored;
  let hit = !!entry && entry.fetchedAt > 0 && isFresh(entry);
  if (!hit) {
    entry ??= newEntry(key, 'background');
    const failed = await fill(read, entry);
    if (failed instanceof Response) return failed;
    if (failed) {
      // The object could not be read: a value we had is served as Consul's cache does ("fail static"), with its Age.
      if (!(entry.fetchedAt > 0)) throw failed;
      hit = true;
    } else startRefresh(entry, read.spec, read.appFetch, read.keepAlive, read.maxWaitMs);
  }
  touch(entry!);
  if (read.minIndex > 0 && entry!.index <= read.minIndex) {
    await changeOf(entry!, read.minIndex, read.deadline);
    hit = false; // Consul marks an answer that had to wait for the refresh a MISS
  }
  return answer(read, entry!, hit);
}

async function simple(read: Read, key: string, stored: Entry | undefined): Promise<Response> {
  let entry = stored;
  const now = Date.now();
  const age = entry && entry.fetchedAt > 0 ? now - entry.fetchedAt : Infinity;
  const young = read.control.maxAgeMs === undefined || age <= read.control.maxAgeMs;
  if (entry && age !== Infinity && read.minIndex === 0 && young && !read.control.mustRevalidate) {
    touch(entry);
    return answer(read, entry, true);
  }
  entry ??= newEntry(key, 'simple');
  const failed = await fill(read, entry, read.minIndex > 0 ? { index: read.minIndex, waitMs: read.deadline - now } : undefined);
  if (failed instanceof Response) return failed;
  if (failed) {
    const staleIfError = read.control.staleIfErrorMs;
    if (age === Infinity || staleIfError === undefined || age > staleIfError) throw failed;
    touch(entry);
    return answer(read, entry, true);
  }
  touch(entry);
  return answer(read, entry, false);
}

/**
 * Fetches `entry` (joining a fetch already in flight unless a blocking one is asked for) and stores it:
 * undefined on success; the route's non-200 answer as a Response (a 4xx also drops the entry); an Error
 * when the read failed (a thrown error or a 5xx), for the caller to serve a stale value or throw.
 */
async function fill(read: Read, entry: Entry, blocking?: { index: number; waitMs: number }): Promise<Response | Error | undefined> {
  let refusal: Refusal | undefined;
  // Stored before the fetch, so readers arriving meanwhile join it (an entry never fetched is never answered).
  if (!isStored(entry)) remember(entry);
  try {
    if (blocking) refusal = (await fetchInto(entry, read.spec, read.appFetch, blocking)).refused;
    else {
      if (!entry.fetching) {
        const fetching = fetchInto(entry, read.spec, read.appFetch).then((r) => r.refused);
        entry.fetching = fetching;
        const clear = () => {
          if (entry.fetching === fetching) entry.fetching = undefined;
        };
        fetching.then(clear, clear);
      }
      refusal = await entry.fetching;
    }
  } catch (err) {
    if (!(entry.fetchedAt > 0)) forget(entry);
    else entry.lostContactAt ??= Date.now();
    return err as Error;
  }
  if (!refusal) return undefined;
  if (refusal.status >= 500 && entry.fetchedAt > 0) {
    entry.lostContactAt ??= Date.now();
    return new Error(`the read answered ${refusal.status}`);
  }
  forget(entry);
  return new Response(refusal.body.slice(0), { status: refusal.status, headers: refusal.headers });
}

/** Resolves once `entry`'s index passes `minIndex`, at `deadline`, or when the entry stops being kept fresh. */
async function changeOf(entry: Entry, minIndex: number, deadline: number): Promise<void> {
  entry.watching++;
  try {
    while (entry.index <= minIndex && isStored(entry) && isFresh(entry) && entry.change) {
      if ((await until(entry.change.promise, deadline)) === TIMED_OUT) return;
    }
  } finally {
    entry.watching--;
  }
}
function answer(read: Read, entry: Entry, hit: boolean): Response {
  const as: AnswerAs = { cached: read.as.cached, hit };
  return read.c.body(entry.body, 200, answerHeaders(entry, as));
}
