// The kvs and tombstones tables: entries stored by exact key (byte order), and the index at which each
// deleted key went away so a prefix's index never moves backwards (Consul's kvs.go and graveyard.go).
import type { KvEntry } from '../../worker/consul/kv';
import { TABLE_KVS, TABLE_TOMBSTONES, type Tx } from '../engine/indexes';

export type KvRow = {
  key: string;
  value: ArrayBuffer | null;
  flags: string;
  session: string | null;
  lock_index: number;
  create_index: number;
  modify_index: number;
};

export function toKvEntry(row: KvRow, withValue = true): KvEntry {
  const entry: KvEntry = {
    LockIndex: row.lock_index, Key: row.key, Flags: row.flags,
    Value: withValue && row.value && row.value.byteLength ? row.value : null,
    CreateIndex: row.create_index, ModifyIndex: row.modify_index,
  };
  if (row.session) entry.Session = row.session;
  return entry;
}

// SQLite compares TEXT bytewise (UTF-8), as Consul's radix tree does. Keys under `prefix` sort between
// the prefix itself and the prefix followed by the highest code point (only keys continuing with
// U+10FFFF itself would fall outside, and that is a noncharacter).
const UPPER = '\u{10FFFF}';
const under = (prefix: string) => (prefix ? { where: 'WHERE key >= ? AND key < ?', args: [prefix, prefix + UPPER] } : { where: '', args: [] });

export function getKv(sql: SqlStorage, key: string): KvRow | undefined {
  return sql.exec<KvRow>('SELECT * FROM kvs WHERE key = ?', key).toArray()[0];
}

export function listKv(sql: SqlStorage, prefix: string): KvRow[] {
  const { where, args } = under(prefix);
  return sql.exec<KvRow>(`SELECT * FROM kvs ${where} ORDER BY key`, ...args).toArray();
}

export function listKvKeys(sql: SqlStorage, prefix: string): string[] {
  const { where, args } = under(prefix);
  return sql.exec<{ key: string }>(`SELECT key FROM kvs ${where} ORDER BY key`, ...args).toArray().map((r) => r.key);
}

/** The newest change under `prefix`, deletions included; 0 when nothing was ever there. */
export function prefixIndex(sql: SqlStorage, prefix: string): number {
  const { where, args } = under(prefix);
  const live = sql.exec<{ m: number | null }>(`SELECT MAX(modify_index) AS m FROM kvs ${where}`, ...args).one().m ?? 0;
  const dead = sql.exec<{ m: number | null }>(`SELECT MAX(modify_index) AS m FROM tombstones ${where}`, ...args).one().m ?? 0;
  return Math.max(live, dead);
}

const sameBytes = (a: ArrayBuffer | null, b: ArrayBuffer | null) => {
  const [x, y] = [new Uint8Array(a ?? new ArrayBuffer(0)), new Uint8Array(b ?? new ArrayBuffer(0))];
  return x.length === y.length && x.every((v, i) => v === y[i]);
};

export interface KvWrite {
  key: string;
  value: ArrayBuffer | null;
  flags: string;
  session: string | null;
  lockIndex: number;
}

/** Writes an entry; one identical to what is stored takes no index (returns false). */
export function putKv(tx: Tx, write: KvWrite, existing = getKv(tx.sql, write.key)): boolean {
  const value = write.value && write.value.byteLength ? write.value : null;
  if (
    existing && existing.flags === write.flags && existing.session === write.session &&
    existing.lock_index === write.lockIndex && sameBytes(existing.value, value)
  ) {
    return false;
  }
  tx.sql.exec(
    `INSERT INTO kvs (key, value, flags, session, lock_index, create_index, modify_index) VALUES (?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (key) DO UPDATE SET value = excluded.value, flags = excluded.flags, session = excluded.session,
       lock_index = excluded.lock_index, modify_index = excluded.modify_index`,
    write.key, value, write.flags, write.session, write.lockIndex, existing?.create_index ?? tx.index, tx.index,
  );
  // A live key's own index now covers its old tombstone.
  if (!existing) tx.sql.exec('DELETE FROM tombstones WHERE key = ?', write.key);
  tx.touched.add(TABLE_KVS);
  tx.changedKeys.add(write.key);
  return true;
}

/**
 * A plain set (`PUT /v1/kv/<key>`, no cas or lock) as one statement: the lock holder and lock index stay, and
 * a write that changes neither value nor flags takes no index (returns false), as putKv decides after a read.
 */
export function setKv(tx: Tx, key: string, value: ArrayBuffer | null, flags: string): boolean {
  const stored = value && value.byteLength ? value : null;
  const row = tx.sql.exec<{ create_index: number }>(
    `INSERT INTO kvs (key, value, flags, session, lock_index, create_index, modify_index) VALUES (?, ?, ?, NULL, 0, ?, ?)
     ON CONFLICT (key) DO UPDATE SET value = excluded.value, flags = excluded.flags, modify_index = excluded.modify_index
       WHERE kvs.value IS NOT excluded.value OR kvs.flags IS NOT excluded.flags
     RETURNING create_index`,
    key, stored, flags, tx.index, tx.index,
  ).toArray()[0];
  if (!row) return false;
  // A key created now covers its old tombstone with its own index.
  if (row.create_index === tx.index) tx.sql.exec('DELETE FROM tombstones WHERE key = ?', key);
  tx.touched.add(TABLE_KVS);
  tx.changedKeys.add(key);
  return true;
}

/** Deletes the keys given, leaving a tombstone for each; returns how many existed. */
function bury(tx: Tx, keys: string[]): number {
  for (const key of keys) {
    tx.sql.exec('DELETE FROM kvs WHERE key = ?', key);
    tx.sql.exec(
      'INSERT INTO tombstones (key, modify_index, deleted_at) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET modify_index = excluded.modify_index, deleted_at = excluded.deleted_at',
      key, tx.index, tx.now,
    );
    tx.changedKeys.add(key);
  }
  if (keys.length) tx.touched.add(TABLE_KVS).add(TABLE_TOMBSTONES);
  return keys.length;
}

export const deleteKv = (tx: Tx, key: string): boolean => bury(tx, getKv(tx.sql, key) ? [key] : []) > 0;
export const deleteKvTree = (tx: Tx, prefix: string): number => bury(tx, listKvKeys(tx.sql, prefix));

/** Consul's tombstone_ttl: how long a deleted key keeps holding up its prefix's index. */
export const TOMBSTONE_TTL_MS = 15 * 60_000;

/** Forgets tombstones older than `before` (ms). Like Consul's reaper it takes no index, so a prefix's index may then fall. */
export function reapTombstones(sql: SqlStorage, before: number): number {
  return sql.exec('DELETE FROM tombstones WHERE deleted_at < ? RETURNING key', before).toArray().length;
}

/** Keys locked by `session`, as its invalidation needs them. */
export const listKvHeldBy = (sql: SqlStorage, session: string): KvRow[] =>
  sql.exec<KvRow>('SELECT * FROM kvs WHERE session = ? ORDER BY key', session).toArray();
