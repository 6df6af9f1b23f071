// The prepared_queries table and the `prepared-queries` index row (Consul's state/prepared_query.go):
// create, update and delete by ID, names unique case-insensitively, lookup by ID, then by name, then by
// the longest template name prefixing it (a template is rendered for the name it was looked up by).
import { isUuid } from '../../worker/consul/common';
import type { PreparedQuery } from '../../worker/consul/prepared-query';
import { renderTemplate } from '../../worker/consul/query-template';
import { TABLE_PREPARED_QUERIES, type Indexes, type Tx } from '../engine/indexes';
import { ok, refuse, type Outcome } from '../engine/outcome';
import type { Query } from '../engine/reads';

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
const TEMPLATES = "json_extract(body, '$.Template.Type') != ''";
const emptyNameTemplate = (sql: SqlStorage) =>
  sql.exec<PreparedQueryRow>(`SELECT * FROM prepared_queries WHERE name = '' AND ${TEMPLATES}`).toArray()[0];
/** The template whose name is the longest case-insensitive prefix of `name` (an empty name prefixes all). */
const byTemplatePrefix = (sql: SqlStorage, name: string) =>
  sql.exec<PreparedQueryRow>(
    `SELECT * FROM prepared_queries WHERE ${TEMPLATES} AND lower(substr(?, 1, length(name))) = lower(name) ORDER BY length(name) DESC LIMIT 1`, name,
  ).toArray()[0];

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
  const other = query.Name ? byName(tx.sql, query.Name) : query.Template.Type ? emptyNameTemplate(tx.sql) : undefined;
  if (other && other.id.toLowerCase() !== query.ID.toLowerCase()) {
    return refuse(500, query.Name ? `name '${query.Name}' aliases an existing query name` : 'a query template with an empty name already exists');
  }
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

/**
 * Consul's PreparedQueryResolve: by ID when the text looks like one (a template only by name), else by
 * exact name, else by the longest template prefix; a template comes back rendered for `idOrName`.
 */
export function preparedQueryResolve(sql: SqlStorage, idOrName: string): Outcome<PreparedQuery | null> {
  if (!idOrName) return ok(null);
  const found = isUuid(idOrName) ? byId(sql, idOrName) : undefined;
  if (found) {
    const query = toPreparedQuery(found);
    return query.Template.Type ? refuse(500, 'prepared query templates can only be resolved up by name, not by ID') : ok(query);
  }
  const row = byName(sql, idOrName) ?? byTemplatePrefix(sql, idOrName);
  if (!row) return ok(null);
  const query = toPreparedQuery(row);
  return ok(query.Template.Type ? renderTemplate(query, idOrName) : query);
}

/** An ended session takes the queries bound to it along (Consul's preparedQueriesTxn on session invalidation). */
export function deletePreparedQueriesOfSession(tx: Tx, sessionId: string): void {
  const gone = tx.sql.exec("DELETE FROM prepared_queries WHERE lower(json_extract(body, '$.Session')) = ? RETURNING id", sessionId.toLowerCase()).toArray();
  if (gone.length) tx.touched.add(TABLE_PREPARED_QUERIES);
}
