// Identical blocking queries held in one isolate share one call into the object (consul#5050): the
// first watcher of (read, index) makes the call, every later one waits on it. Each keeps its own
// deadline: when its wait is up first it is answered as the object would have answered it; when the
// shared call ends before its deadline without a change (its wait was shorter), it joins the next.
import type { BlockingParams, Indexed } from '../consul/common';
import { TIMED_OUT, until } from './until';

interface Held {
  promise: Promise<unknown>;
  /** When the call's own wait is up: an unchanged answer well before it is the object ending every wait (a restore). */
  deadline: number;
  /** Watchers waiting on it right now. */
  watchers: number;
}

type KeepAlive = (promise: Promise<unknown>) => void;

/** An unchanged answer this long before the call's own deadline was not a timeout. */
const EARLY_MS = 1000;

const held = new Map<string, Held>();
/** Calls into the object made so far, and watchers that joined one already made (tests and the bench). */
export const coalescing = { calls: 0, joined: 0 };

/**
 * The index `key` has once it passes `params.minIndex`, or `params.minIndex` when the wait ends first.
 * `call` asks the object (blocking for the wait it is given); `keepAlive` holds the call's request open
 * after its own watcher has gone (ctx.waitUntil), so the others are still answered.
 */
export async function heldIndex(key: string, params: BlockingParams, call: (params: BlockingParams) => Promise<number>, keepAlive: KeepAlive): Promise<number> {
  const result = await shared(key, params, call, (index) => index, keepAlive);
  return result === TIMED_OUT ? params.minIndex : result;
}

/**
 * A blocking read's answer, shared by the identical watchers `key` names: the same object (read only to
 * every watcher). A watcher whose own wait ends first reads the object once without blocking, as its own
 * call would have answered at its deadline.
 */
export async function heldValue<T>(key: string, params: BlockingParams, call: (params: BlockingParams) => Promise<Indexed<T>>, keepAlive: KeepAlive): Promise<Indexed<T>> {
  const result = await shared(key, params, call, (answer) => answer.index, keepAlive);
  return result === TIMED_OUT ? call({ minIndex: 0, waitMs: 0 }) : result;
}

async function shared<T>(key: string, params: BlockingParams, call: (params: BlockingParams) => Promise<T>, indexOf: (result: T) => number, keepAlive: KeepAlive): Promise<T | typeof TIMED_OUT> {
  const deadline = Date.now() + params.waitMs;
  const slot = `${key}\u0000${params.minIndex}`;
  let failures = 0;
  for (;;) {
    let current = held.get(slot);
    if (current) coalescing.joined++;
    else current = start(slot, { minIndex: params.minIndex, waitMs: Math.max(1, deadline - Date.now()) }, call, keepAlive);
    current.watchers++;
    let result: T | typeof TIMED_OUT;
    try {
      result = (await until(current.promise, deadline)) as T | typeof TIMED_OUT;
    } catch (err) {
      // The call failed (or its request was cancelled): try once more with a call of our own.
      if (++failures > 1) throw err;
      continue;
    } finally {
      current.watchers--;
    }
    if (result === TIMED_OUT) return result;
    const now = Date.now();
    if (indexOf(result) > params.minIndex || now >= deadline || now < current.deadline - EARLY_MS) return result;
  }
}

function start<T>(slot: string, params: BlockingParams, call: (params: BlockingParams) => Promise<T>, keepAlive: KeepAlive): Held {
  coalescing.calls++;
  const promise = call(params);
  const entry: Held = { promise, deadline: Date.now() + params.waitMs, watchers: 0 };
  held.set(slot, entry);
  const done = () => {
    if (held.get(slot) === entry) held.delete(slot);
  };
  promise.then(done, done);
  keepAlive(promise.catch(() => undefined));
  return entry;
}

/** Calls parked in the object for `key` from this isolate right now (0 or 1 per index). */
export const heldCalls = (key: string) => [...held.keys()].filter((slot) => slot.startsWith(`${key}\u0000`)).length;
