// Query-string flags as Consul reads them: most are presence-only, `?passing` is a Go bool.
import type { Context } from 'hono';
import { badRequest, ConsulError } from './errors';

/** Presence flags (`?recurse`, `?stale`, `?pretty`): present with any value, even empty. */
export const has = (c: Context, name: string): boolean => c.req.query(name) !== undefined;

const TRUE = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);
const FALSE = new Set(['0', 'f', 'F', 'FALSE', 'false', 'False']);

/** Go's strconv.ParseBool; `undefined` when the text is not a bool. */
export function parseGoBool(text: string): boolean | undefined {
  return TRUE.has(text) ? true : FALSE.has(text) ? false : undefined;
}

/** `?passing`: absent → false, empty → true, else a Go bool or 400. */
export function passingFlag(c: Context): boolean {
  const value = c.req.query('passing');
  if (value === undefined) return false;
  if (value === '') return true;
  const parsed = parseGoBool(value);
  if (parsed === undefined) throw badRequest('Invalid value for ?passing');
  return parsed;
}

/** `?enable=` for maintenance endpoints: required Go bool. */
export function enableFlag(c: Context): boolean {
  const value = c.req.query('enable');
  if (value === undefined) throw badRequest('Missing value for enable');
  const parsed = parseGoBool(value);
  if (parsed === undefined) throw badRequest(`Invalid value for enable: "${value}"`);
  return parsed;
}

/** The consistency mode a read asked for, echoed in X-Consul-Effective-Consistency. */
export function consistencyMode(c: Context): 'leader' | 'stale' | 'consistent' {
  const stale = has(c, 'stale') || has(c, 'max_stale');
  const consistent = has(c, 'consistent');
  if (stale && consistent) throw badRequest('Cannot specify ?stale with ?consistent, conflicting semantics.');
  return stale ? 'stale' : consistent ? 'consistent' : 'leader';
}

/** Every value of a repeatable parameter (`?tag=a&tag=b`). */
export const queries = (c: Context, name: string): string[] => c.req.queries(name) ?? [];

/** More than one of `flags` given: 400 with the query Go would print (agent/http.go conflictingFlags). */
export function conflictingFlags(c: Context, ...flags: string[]): void {
  const url = new URL(c.req.url);
  if (flags.filter((f) => url.searchParams.has(f)).length < 2) return;
  const params = new URLSearchParams([...url.searchParams].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  throw badRequest(`Conflicting flags: ${params.toString()}\n`);
}

/** A uint64 query value (`?cas=`, `?flags=`) as exact decimal text; Consul passes strconv's error through as a 500. */
export function uintQueryText(c: Context, name: string): string | undefined {
  const text = c.req.query(name);
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text)) throw new ConsulError(500, `strconv.ParseUint: parsing ${JSON.stringify(text)}: invalid syntax`);
  const value = BigInt(text);
  if (value > 18446744073709551615n) throw new ConsulError(500, `strconv.ParseUint: parsing ${JSON.stringify(text)}: value out of range`);
  return value.toString();
}

/** The same, as a number: for indexes, which stay far below 2^53. */
export function uintQuery(c: Context, name: string): number | undefined {
  const text = uintQueryText(c, name);
  return text === undefined ? undefined : Number(text);
}
