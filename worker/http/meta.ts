// One response wrapper, as Consul's agent/http.go setMeta/setIndex: X-Consul-Index (never 0),
// known-leader and last-contact headers, compact or ?pretty JSON, empty 200s and JSON booleans.
import type { Context } from 'hono';
import { has } from './flags';

/** `index` is a number, or a decimal string for the opaque 64-bit indexes JS numbers cannot hold (events). */
export const indexHeaders = (index: number | string) => ({
  'X-Consul-Index': typeof index === 'string' ? index : String(Math.max(1, index)),
  'X-Consul-KnownLeader': 'true',
  'X-Consul-LastContact': '0',
});

export function setIndex(c: Context, index: number | string): void {
  for (const [name, value] of Object.entries(indexHeaders(index))) c.header(name, value);
}

/** A body as Consul writes it: compact, or indented with `?pretty`. */
export const jsonText = (c: Context, body: unknown): string => (has(c, 'pretty') ? `${JSON.stringify(body, null, 4)}\n` : JSON.stringify(body));

export function json(c: Context, body: unknown, status = 200): Response {
  return c.body(jsonText(c, body), status as 200, { 'Content-Type': 'application/json' });
}

/** A read answer that carries the index it was read at. */
export function indexedJson(c: Context, body: unknown, index: number | string): Response {
  setIndex(c, index);
  return json(c, body);
}

/** Agent writes answer 200 with an empty body and no Content-Type. */
export const empty = (c: Context): Response => c.body(null, 200);

export const bool = (c: Context, value: boolean): Response => json(c, value);
