// The sessions table and the checks each session depends on (Consul's state/session.go). Invalidating a
// session releases or deletes the keys it holds, opens their lock-delay windows and deletes the prepared
// queries bound to it.
import type { Session, SessionBehavior, SessionCreateRequest } from '../../worker/consul/session';
import { MAX_LOCK_DELAY_MS } from '../../worker/consul/session';
import { TABLE_SESSIONS, type Tx } from '../engine/indexes';
import { refuse, ok, type Outcome } from '../engine/outcome';
import { getCheck } from '../catalog/checks';
import { getNode } from '../catalog/nodes';
import { deleteKv, listKvHeldBy, putKv } from '../kv/table';
import { deletePreparedQueriesOfSession } from '../prepared-queries/table';

export type SessionRow = {
  id: string;
  name: string;
  node: string;
  lock_delay_ms: number;
  behavior: SessionBehavior;
  ttl: string;
  ttl_ms: number;
  node_checks: string;
  service_checks: string | null;
  create_index: number;
  modify_index: number;
};

export const toSession = (row: SessionRow): Session => ({
  ID: row.id, Name: row.name, Node: row.node, LockDelay: Math.round(row.lock_delay_ms * 1e6), Behavior: row.behavior,
  TTL: row.ttl, NodeChecks: JSON.parse(row.node_checks), ServiceChecks: row.service_checks ? JSON.parse(row.service_checks) : null,
  CreateIndex: row.create_index, ModifyIndex: row.modify_index,
});

export const getSession = (sql: SqlStorage, id: string) => sql.exec<SessionRow>('SELECT * FROM sessions WHERE id = ?', id.toLowerCase()).toArray()[0];
export const listSessions = (sql: SqlStorage) => sql.exec<SessionRow>('SELECT * FROM sessions ORDER BY create_index').toArray();
export const listNodeSessions = (sql: SqlStorage, node: string) =>
  sql.exec<SessionRow>('SELECT * FROM sessions WHERE node = ? ORDER BY create_index', node).toArray();

/** Creates a session on a registered node whose checks all exist and none is critical. */
export function createSession(tx: Tx, id: string, req: SessionCreateRequest): Outcome<Session> {
  const node = getNode(tx.sql, req.Node);
  if (!node) return refuse(500, 'Missing node registration');
  const checkIds = [...req.NodeChecks, ...(req.ServiceChecks ?? []).map((c) => c.ID)];
  for (const checkId of checkIds) {
    const check = getCheck(tx.sql, node.node, checkId);
    if (!check) return refuse(500, `Missing check '${checkId}' registration`);
    if (check.status === 'critical') return refuse(500, `Check '${checkId}' is in critical state`);
  }
  tx.sql.exec(
    `INSERT INTO sessions (id, name, node, lock_delay_ms, behavior, ttl, ttl_ms, node_checks, service_checks, create_index, modify_index)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    id, req.Name, node.node, req.LockDelayMs, req.Behavior, req.TTL, req.TTLMs, JSON.stringify(req.NodeChecks),
    req.ServiceChecks ? JSON.stringify(req.ServiceChecks) : null, tx.index, tx.index,
  );
  for (const checkId of new Set(checkIds)) {
    tx.sql.exec('INSERT OR IGNORE INTO session_checks (session_id, node, check_id) VALUES (?, ?, ?)', id, node.node, checkId);
  }
  tx.touched.add(TABLE_SESSIONS);
  return ok(toSession(getSession(tx.sql, id)!));
}

/** Ends a session: its keys are released (or deleted) and may not be re-acquired for its lock delay. */
export function destroySession(tx: Tx, id: string): boolean {
  const session = getSession(tx.sql, id);
  if (!session) return false;
  const delay = Math.min(session.lock_delay_ms, MAX_LOCK_DELAY_MS);
  for (const row of listKvHeldBy(tx.sql, session.id)) {
    if (session.behavior === 'delete') deleteKv(tx, row.key);
    else putKv(tx, { key: row.key, value: row.value, flags: row.flags, session: null, lockIndex: row.lock_index }, row);
    if (delay > 0) tx.lockDelays.set(row.key, tx.now + delay);
  }
  deletePreparedQueriesOfSession(tx, session.id);
  tx.sql.exec('DELETE FROM session_checks WHERE session_id = ?', session.id);
  tx.sql.exec('DELETE FROM sessions WHERE id = ?', session.id);
  tx.touched.add(TABLE_SESSIONS);
  return true;
}

/** Sessions whose node is gone, or one of whose checks is gone or critical (Consul's checkSessionsTxn). */
export function unhealthySessions(sql: SqlStorage): string[] {
  return sql
    .exec<{ id: string }>(
      `SELECT s.id FROM sessions s LEFT JOIN nodes n ON n.node = s.node WHERE n.node IS NULL
       UNION
       SELECT sc.session_id FROM session_checks sc LEFT JOIN checks c ON c.node = sc.node AND c.check_id = sc.check_id
       WHERE c.check_id IS NULL OR c.status = 'critical'`,
    )
    .toArray()
    .map((r) => r.id);
}
