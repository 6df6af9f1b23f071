// One place that turns failures into Consul-style responses: plain-text bodies, Consul's status codes.
import type { Context } from 'hono';
import type { Outcome } from '../../durable-objects/engine/outcome';

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

/** What an unexpected exception is answered with (500); the exception itself goes to the log only. */
export const INTERNAL_ERROR = 'Internal error';

export const badRequest = (reason: string) => new ConsulError(400, reason);
export const permissionDenied = () => new ConsulError(403, 'Permission denied');
export const notFound = (reason = '') => new ConsulError(404, reason);
/** Consul answers server-side (RPC) validation failures with 500 and the raw error text. */
export const serverError = (reason: string) => new ConsulError(500, reason);

/** Turns a Durable Object refusal into the error Consul would answer. */
export function unwrap<T>(outcome: Outcome<T>): T {
  if (!outcome.ok) throw new ConsulError(outcome.status, outcome.reason);
  return outcome.value;
}

/** The app's onError: a ConsulError is answered with its status and text; anything else is a bug, logged in
 * full and answered 500 with a fixed text, so no JavaScript message or file path reaches a client. */
export function answerError(err: Error, c: Context): Response {
  if (err instanceof ConsulError) {
    for (const [name, value] of Object.entries(err.headers)) c.header(name, value);
    return c.text(err.message, err.status as 400);
  }
  console.error(`${c.req.method} ${c.req.path}:`, err);
  return c.text(INTERNAL_ERROR, 500);
}
