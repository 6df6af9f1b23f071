// Identical blocking queries held in one isolate share one call into the object (consul#5050): the
// first watcher of (read, index) makes the call, every later one waits on it. Each keeps its own
// deadline: when its wait is up first it answers the index unchanged, as the object would have; when
// the shared call ends before its deadline without a change (its wait was shorter), it joins the next.
import type { BlockingParams } from '../consul/common';
import { TIMED_OUT, until } from './until';

interface Held {
  promise: Promise<number>;
  /** Watchers waiting on it right now. */
  watchers: number;
}

const held = new Map<string, Held>();
/** Calls into the object made so far, and watchers that joined one already made (tests and the bench). */
export const coalescing = { calls: 0, joined: 0 };

/**
 * The index `key` has once it passes `params.minIndex`, or `params.minIndex` when the wait ends first.
 * `call` asks the object (blocking for the wait it is given); `keepAlive` holds the call's request open
 * after its own watcher has gone (ctx.waitUntil), so the others are still answered.
 */
export async function heldIndex(
  key: string,
  params: BlockingParams,
  call: (params: BlockingParams) => Promise<number>,
  keepAlive: (promise: Promise<unknown>) => void,
): Promise<number> {
  const deadline = Date.now() + params.waitMs;
  const slot = `${key}\u0000${params.minIndex}`;
  let failures = 0;
  for (;;) {
    let shared = held.get(slot);
    if (shared) coalescing.joined++;
    else shared = start(slot, { minIndex: params.minIndex, waitMs: Math.max(1, deadline - Date.now()) }, call, keepAlive);
    shared.watchers++;
    let result: number | typeof TIMED_OUT;
    try {
      result = await until(shared.promise, deadline);
    } catch (err) {
      // The call failed (or its request was cancelled): try once more with a call of our own.
      if (++failures > 1) throw err;
      continue;
    } finally {
      shared.watchers--;
    }
    if (result === TIMED_OUT) return params.minIndex;
    if (result > params.minIndex || Date.now() >= deadline) return result;
  }
}

function start(slot: string, params: BlockingParams, call: (params: BlockingParams) => Promise<number>, keepAlive: (promise: Promise<unknown>) => void): Held {
  coalescing.calls++;
  const promise = call(params);
  const shared: Held = { promise, watchers: 0 };
  held.set(slot, shared);
  const done = () => {
    if (held.get(slot) === shared) held.delete(slot);
  };
  promise.then(done, done);
  keepAlive(promise.catch(() => undefined));
  return shared;
}

/** Calls parked in the object for `key` from this isolate right now (0 or 1 per index). */
export const heldCalls = (key: string) => [...held.keys()].filter((slot) => slot.startsWith(`${key}\u0000`)).length;
