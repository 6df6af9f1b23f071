// The prepared_queries table and the `prepared-queries` index row (Consul's state/prepared_query.go):
// create, update and delete by ID, names unique case-insensitively, lookup by ID then by name.
import { isUuid } from '../../worker/consul/common';
import type { PreparedQuery } from '../../worker/consul/prepared-query';
import { TABLE_PREPARED_QUERIES, type Indexes, type Tx } from '../indexes';
import { ok, refuse, type Outcome } from '../outcome';
import type { Query } from '../queries';

type PreparedQueryRow = { id: string; name: string; body: string; create_index: number; modify_index: number };
export type PreparedQueryOp = 'create' | 'update' | 'delete';


/** Everything but the ID, name and indexes, which have their own columns. */
const bodyOf = ({ ID, Name, CreateIndex, ModifyIndex, ...rest }: PreparedQuery) => JSON.stringify(rest);

const toPreparedQuery = (row: PreparedQueryRow): PreparedQuery => ({
  ID: row.id, Name: row.name, ...JSON.parse(row.body), CreateIndex: row.create_index, ModifyIndex: row.modify_index,
});

const byId = (sql: SqlStorage, id: string) =>
  sql.exec<PreparedQueryRow>('SELECT * FROM prepared_queries WHERE id = ?', id).toArray()[0];
const byName = (sql: SqlStorage, name: string) =>
  name ? sql.exec<PreparedQueryRow>('SELECT * FROM prepared_queries WHERE name = ?', name).toArray()[0] : undefined;

/** Creates, replaces or deletes one query. Returns its ID; a write that changes nothing takes no index. */
export function preparedQueryApplyTxn(tx: Tx, op: PreparedQueryOp, query: PreparedQuery): Outcome<string> {
  const existing = byId(tx.sql, query.ID);
  if (op !== 'create' && !existing) return refuse(500, `Cannot modify non-existent prepared query: '${query.ID}'`);
  if (op === 'create' && existing) return refuse(500, 'ID must be empty when creating a new prepared query');
  if (op === 'delete') {
    tx.sql.exec('DELETE FROM prepared_queries WHERE id = ?', query.ID);
    tx.touched.add(TABLE_PREPARED_QUERIES);
    return ok(query.ID);
  }
  const other = byName(tx.sql, query.Name);
  if (other && other.id.toLowerCase() !== query.ID.toLowerCase()) return refuse(500, `name '${query.Name}' aliases an existing query name`);
  // A name that looks like another query's ID could hijack lookups by ID; Consul refuses it too.
  if (isUuid(query.Name) && byId(tx.sql, query.Name)) return refuse(500, `name '${query.Name}' aliases an existing query ID`);
  const body = bodyOf(query);
  if (existing && existing.name === query.Name && existing.body === body) return ok(query.ID);
  tx.sql.exec(
    `INSERT INTO prepared_queries (id, name, body, create_index, modify_index) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (id) DO UPDATE SET name = excluded.name, body = excluded.body, modify_index = excluded.modify_index`,
    query.ID, query.Name, body, tx.index, tx.index,
  );
  tx.touched.add(TABLE_PREPARED_QUERIES);
  return ok(query.ID);
}

export const preparedQueryList = (sql: SqlStorage, indexes: Indexes): Query<PreparedQuery[]> => ({
  key: 'prepared-queries',
  rows: [TABLE_PREPARED_QUERIES],
  read: () => ({
    index: Math.max(1, indexes.get(TABLE_PREPARED_QUERIES)),
    value: sql.exec<PreparedQueryRow>('SELECT * FROM prepared_queries ORDER BY id').toArray().map(toPreparedQuery),
  }),
});

export const preparedQueryGet = (sql: SqlStorage, indexes: Indexes, id: string): Query<PreparedQuery | null> => ({
  key: `prepared-query:${id.toLowerCase()}`,
  rows: [TABLE_PREPARED_QUERIES],
  read: () => {
    const row = byId(sql, id);
    return { index: Math.max(1, indexes.get(TABLE_PREPARED_QUERIES)), value: row ? toPreparedQuery(row) : null };
  },
});

/** By ID when the text looks like one, else by exact name (Consul's PreparedQueryResolve, templates aside). */
export function preparedQueryResolve(sql: SqlStorage, idOrName: string): PreparedQuery | null {
  if (!idOrName) return null;
  const row = (isUuid(idOrName) ? byId(sql, idOrName) : undefined) ?? byName(sql, idOrName);
  return row ? toPreparedQuery(row) : null;
}

/** An ended session takes the queries bound to it along (Consul's preparedQueriesTxn on session invalidation). */
export function deletePreparedQueriesOfSession(tx: Tx, sessionId: string): void {
  const gone = tx.sql.exec("DELETE FROM prepared_queries WHERE lower(json_extract(body, '$.Session')) = ? RETURNING id", sessionId.toLowerCase()).toArray();
  if (gone.length) tx.touched.add(TABLE_PREPARED_QUERIES);
}
