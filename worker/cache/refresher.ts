// The background refresh of one entry (Consul's background-refresh cache types): a blocking query at the
// entry's index, re-armed at once after each answer, so readers are answered from memory and woken when
// the index moves. It stops when the entry has not been read for IDLE_MS, when the entry was dropped
// (bounded store), on an answer that is not a 200 (a revoked token, a removed datacenter: the entry goes
// with it), and on a failure (the next read fetches again and restarts it).
import { type AppFetch, fetchInto, type ReadSpec } from './fetch';
import { ensureGzip } from './gzip';
import { type Entry, forget, isStored } from './store';
import { deferred } from './until';

/** Consul's background blocking query waits 10 minutes; capped by MAX_WAIT_MS. */
export const REFRESH_WAIT_MS = 10 * 60_000;
/** An entry nobody read for this long is dropped when its refresh next answers. */
export const IDLE_MS = 10 * 60_000;
/** How long past its wait a parked refresh may stay silent before it is presumed lost (its request was cut off). */
const GRACE_MS = 30_000;

/** Whether `entry` is being kept fresh right now: a refresh is parked on the object and not overdue. */
export const isFresh = (entry: Entry, now = Date.now()) => entry.refreshing && now <= entry.refreshDeadline;

/** Starts the refresh loop of `entry` (once); `keepAlive` keeps the request that runs it open (ctx.waitUntil). */
export function startRefresh(entry: Entry, spec: ReadSpec, appFetch: AppFetch, keepAlive: (p: Promise<unknown>) => void, maxWaitMs: number): void {
  if (isFresh(entry)) return;
  entry.refreshing = true;
  const run = ++entry.refreshRun;
  const waitMs = Math.min(REFRESH_WAIT_MS, maxWaitMs);
  entry.refreshDeadline = Date.now() + waitMs + waitMs / 16 + GRACE_MS;
  keepAlive(loop(entry, run, spec, appFetch, waitMs));
}

async function loop(entry: Entry, run: number, spec: ReadSpec, appFetch: AppFetch, waitMs: number): Promise<void> {
  const mine = () => entry.refreshRun === run;
  entry.change = deferred();
  try {
    while (mine() && isStored(entry) && (entry.watching > 0 || Date.now() - entry.lastRead < IDLE_MS)) {
      entry.refreshDeadline = Date.now() + waitMs + waitMs / 16 + GRACE_MS;
      ensureGzip(entry);
      const { changed, refused } = await fetchInto(entry, spec, appFetch, { index: entry.index, waitMs });
      if (refused && refused.status < 500) return forget(entry);
      if (refused) throw new Error(`the read answered ${refused.status}`);
      if (changed) {
        const settled = entry.change;
        entry.change = deferred();
        settled?.resolve();
      }
    }
    if (mine()) forget(entry);
  } catch (err) {
    if (!mine()) return;
    entry.lostContactAt ??= Date.now();
    console.warn(`cache: background refresh of ${entry.key.split('\u0000')[2]} stopped:`, (err as Error).message);
  } finally {
    if (mine()) {
      entry.refreshing = false;
      entry.change?.resolve();
      entry.change = undefined;
    }
  }
}
