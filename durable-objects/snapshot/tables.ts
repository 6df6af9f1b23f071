// What a snapshot holds and how it goes back: every state table of the object (catalog, checks, KV,
// tombstones, sessions, prepared queries, ACLs) dumped as rows, and restored in one write that empties
// and refills them all and moves every index row past both the current and the saved index.
import { RAFT_ROW, TABLE_KVS, type Indexes, type Tx } from '../engine/indexes';
import { ok, refuse, type Outcome } from '../engine/outcome';
import type { SnapshotBody, SnapshotTable } from './format';

/** Bookkeeping, not state: migrations and index rows are this object's own; user events are gossip in Consul. */
const NOT_STATE = new Set(['migrations', 'index_rows', 'user_events', 'sqlite_sequence']);

export function stateTables(sql: SqlStorage): string[] {
  return sql
    .exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_cf\\_%' ESCAPE '\\' ORDER BY name")
    .toArray()
    .map((r) => r.name)
    .filter((name) => !NOT_STATE.has(name));
}

function base64(buf: ArrayBuffer): string {
  const bytes = new Uint8Array(buf);
  let text = '';
  for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(text);
}
const encodeCell = (v: unknown) => (v instanceof ArrayBuffer ? { base64: base64(v) } : v);
const decodeCell = (v: unknown) =>
  v && typeof v === 'object' && 'base64' in v ? Uint8Array.from(atob(String((v as { base64: string }).base64)), (ch) => ch.charCodeAt(0)).buffer : v;

function columnsOf(sql: SqlStorage, table: string): string[] {
  return sql.exec<{ name: string }>('SELECT name FROM pragma_table_info(?) ORDER BY cid', table).toArray().map((r) => r.name);
}

export function dumpTables(sql: SqlStorage): SnapshotBody {
  const tables: Record<string, SnapshotTable> = {};
  for (const name of stateTables(sql)) {
    const columns = columnsOf(sql, name);
    const rows = sql.exec(`SELECT ${columns.map((c) => `"${c}"`).join(', ')} FROM "${name}" ORDER BY rowid`).raw();
    tables[name] = { columns, rows: [...rows].map((row) => row.map(encodeCell)) };
  }
  const indexes = Object.fromEntries(sql.exec<{ name: string; value: number }>('SELECT name, value FROM index_rows').toArray().map((r) => [r.name, r.value]));
  return { indexes, tables };
}

/** A refusal names what does not fit; nothing is written before every table has been checked. */
function checkShape(sql: SqlStorage, body: SnapshotBody): string | null {
  const here = stateTables(sql);
  const there = Object.keys(body.tables).sort();
  const extra = there.find((t) => !here.includes(t));
  if (extra) return `unexpected table "${extra}" in snapshot`;
  const missing = here.find((t) => !there.includes(t));
  if (missing) return `snapshot has no table "${missing}"`;
  for (const name of here) {
    const { columns, rows } = body.tables[name]!;
    if (!Array.isArray(columns) || !Array.isArray(rows)) return `table "${name}" in snapshot is malformed`;
    if (columns.join() !== columnsOf(sql, name).join()) return `table "${name}" in snapshot has columns ${columns.join(', ')}, this Beacon has ${columnsOf(sql, name).join(', ')}`;
    if (rows.some((r) => !Array.isArray(r) || r.length !== columns.length)) return `table "${name}" in snapshot has a malformed row`;
  }
  return null;
}

/** Replaces every state table inside `tx`; a row SQLite refuses (a constraint) rolls the whole restore back. */
export function restoreTables(tx: Tx, indexes: Indexes, body: SnapshotBody, savedIndex: number): Outcome<number> {
  const problem = checkShape(tx.sql, body);
  if (problem) return refuse(400, problem);
  for (const r of tx.sql.exec<{ key: string }>('SELECT key FROM kvs')) tx.changedKeys.add(r.key);
  try {
    for (const [name, { columns, rows }] of Object.entries(body.tables)) {
      tx.sql.exec(`DELETE FROM "${name}"`);
      const insert = `INSERT INTO "${name}" (${columns.map((c) => `"${c}"`).join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`;
      for (const row of rows) tx.sql.exec(insert, ...row.map(decodeCell));
    }
  } catch (err) {
    return refuse(400, `snapshot rejected: ${(err as Error).message}`);
  }
  for (const r of tx.sql.exec<{ key: string }>('SELECT key FROM kvs')) tx.changedKeys.add(r.key);
  // Every row, known here or in the snapshot, moves to one index past both: watchers wake, none goes back.
  for (const name of [...indexes.names(), ...Object.keys(body.indexes), TABLE_KVS]) if (name !== RAFT_ROW) tx.touched.add(name);
  tx.index = Math.max(tx.index, savedIndex + 1);
  return ok(tx.index);
}
