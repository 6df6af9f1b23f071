// The one result shape, for every answer that can refuse: a value, or why not. Over RPC (only `message`
// survives a thrown error) expected refusals travel as data and the worker maps `status` to HTTP. The
// failure's fields vary with who reads them: a `Refusal` (status and Consul's reason) for RPC answers, a
// bare `Reason` inside one step (a KV verb, a txn operation, a snapshot file), the
// collected errors of /v1/txn. The write path rolls back on any `ok: false`.

export type Refusal = { status: 400 | 403 | 404 | 500; reason: string };
export type Reason = { reason: string };

export type Outcome<T, F = Refusal> = { ok: true; value: T } | ({ ok: false } & F);

export const ok = <T>(value: T): Outcome<T> => ({ ok: true, value });
export const refuse = (status: 400 | 403 | 404 | 500, reason: string): Outcome<never> => ({ ok: false, status, reason });
/** A refusal that carries only its reason (the caller decides the status, or collects it). */
export const failed = (reason: string): Outcome<never, Reason> => ({ ok: false, reason });
