// The one result shape, for every answer that can refuse: a value, or why not. Over RPC (only `message`
// survives a thrown error) expected refusals travel as data and the worker maps `status` to HTTP. The
// failure's fields vary with who reads them: a `Refusal` (status and Consul's reason) for RPC answers, a
// bare `Reason` inside one step (a KV verb, a txn operation, a snapshot file), the
// collected errors of /v1/txn. The write path rolls back on any `ok: false`.

export type Refusal = { status: 400 | 403 | 404 | 500; reason: string };
export type Reason = { reason: string };

export type Outcome<T, F = Refusal> = { ok: true; value: T } | ({ ok: false } & F);

export const ok = <T>(value: T): Outcome<T> => ({ ok: true, value });

/**
 * An `Outcome<null>` as the hottest RPCs (a heartbeat into its shard) answer it: `true` for ok, the
 * refusal itself otherwise. workerd's RPC pays ~10 µs to carry any object back and next to nothing for a
 * primitive: 8 % of a heartbeat (BENCHMARKS.md, session 23).
 */
export type Done = true | Outcome<never>;
export const DONE = true;
export const fromDone = (answer: Done): Outcome<null> => (answer === DONE ? ok(null) : answer);
export const refuse = (status: 400 | 403 | 404 | 500, reason: string): Outcome<never> => ({ ok: false, status, reason });
/** A refusal that carries only its reason (the caller decides the status, or collects it). */
export const failed = (reason: string): Outcome<never, Reason> => ({ ok: false, reason });
