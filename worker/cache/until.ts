// Waiting on work another request started. workerd lets a request await a promise made in another
// request's context, but not resolve one across: so every promise shared between requests here is made
// and settled by the request doing the I/O, and each waiter races it against a timer of its own.
export const TIMED_OUT = Symbol('timed out');

/** `promise`'s value, or TIMED_OUT at `deadline` (Date.now() ms). */
export function until<T>(promise: Promise<T>, deadline: number): Promise<T | typeof TIMED_OUT> {
  const ms = deadline - Date.now();
  if (ms <= 0) return Promise.resolve(TIMED_OUT);
  let timer: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([promise, new Promise<typeof TIMED_OUT>((resolve) => (timer = setTimeout(() => resolve(TIMED_OUT), ms)))]).finally(() => clearTimeout(timer));
}

export interface Deferred {
  promise: Promise<void>;
  resolve: () => void;
}

export function deferred(): Deferred {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}
