// One place that turns failures into Consul-style responses: plain-text bodies, Consul's status codes.

/** An error a route throws on purpose; `onError` writes it as `status` with `message` as plain text. */
export class ConsulError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'ConsulError';
  }
}

export const badRequest = (reason: string) => new ConsulError(400, reason);
export const permissionDenied = () => new ConsulError(403, 'Permission denied');
export const notFound = (reason = '') => new ConsulError(404, reason);
/** Consul answers server-side (RPC) validation failures with 500 and the raw error text. */
export const serverError = (reason: string) => new ConsulError(500, reason);

/** Turns a Durable Object refusal into the error Consul would answer. */
export function unwrap<T>(outcome: { ok: true; value: T } | { ok: false; status: number; reason: string }): T {
  if (!outcome.ok) throw new ConsulError(outcome.status, outcome.reason);
  return outcome.value;
}
