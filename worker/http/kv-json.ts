// KV entries' `Flags` are uint64s that JavaScript numbers cannot hold (Go's api.Lock stores
// 0x2ddccbc058a50c18), so they travel as decimal text and are written into JSON as bare numbers here.
import type { Context } from 'hono';
import { jsonText } from './meta';

// Inside a JSON string every quote is escaped, so these match only Flags members themselves.
const QUOTED_FLAGS = /"Flags":( ?)"(\d+)"/g;
const BARE_FLAGS = /"(flags)"(\s*:\s*)(\d+)/gi;

/** JSON text of a body holding KV entries, `"Flags":"123"` written as `"Flags":123`. */
export const kvJsonText = (json: string) => json.replace(QUOTED_FLAGS, '"Flags":$1$2');

/** `json()` for bodies holding KV entries. */
export function kvJson(c: Context, body: unknown, status = 200): Response {
  return c.body(kvJsonText(jsonText(c, body)), status as 200, { 'Content-Type': 'application/json' });
}

/** Before JSON.parse of a request body: `"Flags": 123` becomes `"Flags": "123"`, losing no digit. */
export const quoteFlags = (text: string) => text.replace(BARE_FLAGS, '"$1"$2"$3"');
