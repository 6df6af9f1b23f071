// The KV store's contract (Consul's api/kv.go): entries, the verbs a write or a transaction may use,
// and the size limit on values.

/** Consul's kv_max_value_size default. */
export const KV_MAX_VALUE_BYTES = 512 * 1024;

/**
 * Why a key is refused, or undefined: Consul 1.22's key validation (agent/kvs_endpoint.go) reduced to what
 * never broke a client: no leading `/`, no `..` segment (`/` or `\` as separator, after URL decoding).
 */
export function kvKeyProblem(key: string): string | undefined {
  if (key.startsWith('/')) return "key must not begin with a '/'";
  if (/(^|[/\\])\.\.([/\\]|$)/.test(key)) return 'key contains path traversal sequence';
  return undefined;
}

/**
 * An entry as the Datacenter object returns it; `Value` is raw bytes (null when empty). `Flags` is a uint64
 * kept as decimal text: Go's Lock helpers store 0x2ddccbc058a50c18, beyond a JavaScript number's precision.
 */
export interface KvEntry {
  Key: string;
  Value: ArrayBuffer | null;
  Flags: string;
  /** The session holding the key's lock, when one does. */
  Session?: string;
  LockIndex: number;
  CreateIndex: number;
  ModifyIndex: number;
}

/** An entry on the wire (Consul's DirEntry): `Value` is base64, or null for an empty value; see kvJson for Flags. */
export interface DirEntry extends Omit<KvEntry, 'Value'> {
  Value: string | null;
}

export const KV_WRITE_VERBS = ['set', 'cas', 'lock', 'unlock', 'delete', 'delete-tree', 'delete-cas'] as const;
export const KV_READ_VERBS = ['get', 'get-or-empty', 'get-tree', 'check-index', 'check-session', 'check-not-exists'] as const;
export type KvVerb = (typeof KV_WRITE_VERBS)[number] | (typeof KV_READ_VERBS)[number];

/** One KV operation: a PUT/DELETE on /v1/kv, or a `KV` entry of a transaction. */
export interface KvOp {
  Verb: KvVerb;
  Key: string;
  Value?: ArrayBuffer | null;
  /** A uint64 in decimal (see KvEntry). */
  Flags?: string;
  /** The ModifyIndex a `cas`, `delete-cas` or `check-index` expects. */
  Index?: number;
  Session?: string;
}

export function toDirEntry(entry: KvEntry, withValue = true): DirEntry {
  const value = withValue && entry.Value && entry.Value.byteLength ? Buffer.from(entry.Value).toString('base64') : null;
  return { ...entry, Value: value };
}
