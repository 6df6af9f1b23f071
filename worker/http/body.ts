// Request bodies decoded as Consul (Go's encoding/json) does: read whatever the Content-Type, match
// keys case-insensitively (snake_case aliases too), let null mean "unset", then validate with zod.
import { z } from 'zod';
import { badRequest, ConsulError } from './errors';
import { parseGoJson } from './go-json';

/** Largest request body accepted (Consul's kv_max_value_size / txn_max_req_len default). */
export const MAX_BODY_BYTES = 512 * 1024;

export const bodyTooLarge = (bytes: number, max = MAX_BODY_BYTES) =>
  new ConsulError(413, `Request body(${bytes} bytes) too large, max size: ${max} bytes. See https://developer.hashicorp.com/consul/docs/agent/config/config-files#kv_max_value_size.`);

type Def = { type: string; shape?: Record<string, z.ZodType>; innerType?: z.ZodType; element?: z.ZodType; valueType?: z.ZodType; in?: z.ZodType; options?: z.ZodType[] };
const defOf = (schema: z.ZodType): Def => (schema as unknown as { _zod: { def: Def } })._zod.def;

const fold = (key: string) => key.toLowerCase().replace(/_/g, '');

/** Unwraps optional/nullable/default/pipe wrappers down to the schema that shapes the value. */
function unwrap(schema: z.ZodType): { schema: z.ZodType; nullable: boolean } {
  let nullable = false;
  for (;;) {
    const def = defOf(schema);
    if (def.type === 'nullable') nullable = true;
    if (def.innerType) schema = def.innerType;
    else if (def.type === 'pipe' && def.in) schema = def.in;
    else return { schema, nullable };
  }
}

/** Renames object keys to the schema's spelling and drops nulls the schema does not accept. */
export function canonicalizeKeys(schema: z.ZodType, value: unknown): unknown {
  const { schema: inner } = unwrap(schema);
  const def = defOf(inner);
  if (def.type === 'array' && def.element && Array.isArray(value)) return value.map((v) => canonicalizeKeys(def.element!, v));
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  if (def.type === 'record' && def.valueType) {
    const valueType = def.valueType;
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, canonicalizeKeys(valueType, v)]));
  }
  if (def.type !== 'object' || !def.shape) return value;
  const shape = def.shape;
  const byFolded = new Map(Object.keys(shape).map((k) => [fold(k), k]));
  const out: Record<string, unknown> = {};
  const exact = new Set<string>();
  for (const [key, v] of Object.entries(value)) {
    // Go ignores fields the struct does not have: a key the schema lacks (`constructor`, `__proto__`
    // included, which plain lookups would find on Object.prototype) is dropped, not copied.
    const target = Object.hasOwn(shape, key) ? key : byFolded.get(fold(key));
    if (target === undefined) continue;
    if (exact.has(target) && key !== target) continue;
    if (key === target) exact.add(target);
    const field = shape[target];
    if (v === null && !unwrap(field).nullable) {
      delete out[target];
      continue;
    }
    out[target] = canonicalizeKeys(field, v);
  }
  return out;
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const path = issue.path.map(String).join('.');
  if (issue.code === 'custom') return issue.message;
  return path ? `${path}: ${issue.message}` : issue.message;
}

/** Parses, canonicalizes and validates a body; every failure is a 400 in Consul's words. */
export function decodeBody<S extends z.ZodType>(text: string, schema: S, options: { emptyAs?: unknown } = {}): z.output<S> {
  let raw: unknown;
  if (text.trim() === '' && 'emptyAs' in options) {
    raw = options.emptyAs;
  } else {
    try {
      raw = parseGoJson(text);
    } catch (err) {
      throw badRequest(`Request decode failed: ${(err as Error).message}`);
    }
  }
  const result = schema.safeParse(canonicalizeKeys(schema, raw));
  if (!result.success) throw badRequest(`Request decode failed: ${describeIssue(result.error.issues[0])}`);
  return result.data;
}

export async function readBody<S extends z.ZodType>(
  c: { req: { text(): Promise<string> } },
  schema: S,
  options?: { emptyAs?: unknown },
): Promise<z.output<S>> {
  const text = await c.req.text();
  const bytes = new TextEncoder().encode(text).length;
  if (bytes > MAX_BODY_BYTES) throw bodyTooLarge(bytes);
  return decodeBody(text, schema, options);
}
