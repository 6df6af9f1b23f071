// What an RPC method returns: a value, or the reason it refused. Only `message` survives RPC errors,
// so expected failures travel as data and the worker maps `status` to HTTP.

export type Outcome<T> = { ok: true; value: T } | { ok: false; status: 400 | 403 | 404 | 500; reason: string };

export const ok = <T>(value: T): Outcome<T> => ({ ok: true, value });
export const refuse = (status: 400 | 403 | 404 | 500, reason: string): Outcome<never> => ({ ok: false, status, reason });
