// The checks table: node-level and service-level health checks, their status and output.
import type { HealthStatus, JsonObject, JsonValue } from '../../worker/consul/common';
import type { CheckRunSpec, CheckSpec, CheckType, HealthCheck } from '../../worker/consul/check';
import { formatGoDuration } from '../../worker/consul/duration';
import { nodeRow, serviceRow, TABLE_CHECKS, type Tx } from '../engine/indexes';
import { touchServicesOnNode } from './services';

export type CheckRow = {
  node: string;
  check_id: string;
  service_id: string;
  status: HealthStatus;
  output: string;
  body: string;
  critical_since: number | null;
  create_index: number;
  modify_index: number;
};

/** A check row joined with its service's name and tags. */
export type CheckView = CheckRow & { service_name: string | null; service_body: string | null };

export interface CheckBody {
  Name: string;
  Notes: string;
  Type: CheckType;
  Run: CheckRunSpec;
}

export const checkBody = (row: CheckRow): CheckBody => JSON.parse(row.body);

const duration = (ms: number | undefined) => (ms ? formatGoDuration(ms) : '');

function definitionOf(run: CheckRunSpec): JsonObject {
  const d: Record<string, JsonValue | undefined> = {};
  if (run.HTTP) Object.assign(d, { HTTP: run.HTTP, Method: run.Method, Header: run.Header, Body: run.Body });
  if (run.TLSSkipVerify) d.TLSSkipVerify = true;
  if (run.TCP) d.TCP = run.TCP;
  if (run.Interval) d.Interval = duration(run.Interval);
  if (run.Timeout) d.Timeout = duration(run.Timeout);
  if (run.TTL) d.TTL = duration(run.TTL);
  if (run.DeregisterCriticalServiceAfter) d.DeregisterCriticalServiceAfter = duration(run.DeregisterCriticalServiceAfter);
  return Object.fromEntries(Object.entries(d).filter(([, v]) => v !== undefined && v !== '')) as JsonObject;
}

export function toHealthCheck(row: CheckView): HealthCheck {
  const body = checkBody(row);
  const service = row.service_body ? JSON.parse(row.service_body) : null;
  return {
    Node: row.node,
    CheckID: row.check_id,
    Name: body.Name,
    Status: row.status,
    Notes: body.Notes,
    Output: row.output,
    ServiceID: row.service_id,
    ServiceName: service?.Service ?? '',
    ServiceTags: service?.Tags ?? [],
    Type: body.Type,
    Interval: duration(body.Run.Interval),
    Timeout: duration(body.Run.Timeout),
    ExposedPort: 0,
    Definition: definitionOf(body.Run),
    CreateIndex: row.create_index,
    ModifyIndex: row.modify_index,
  };
}

const VIEW = `SELECT c.*, s.service_name AS service_name, s.body AS service_body FROM checks c
  LEFT JOIN services s ON s.node = c.node AND s.service_id = c.service_id AND c.service_id != ''`;

export const listChecksOnNode = (sql: SqlStorage, node: string) =>
  sql.exec<CheckView>(`${VIEW} WHERE c.node = ? ORDER BY c.check_id`, node).toArray();
export const getCheckView = (sql: SqlStorage, node: string, checkId: string) =>
  sql.exec<CheckView>(`${VIEW} WHERE c.node = ? AND c.check_id = ?`, node, checkId).toArray()[0];
/** One instance's own checks: an index lookup, where by node alone would read every agent instance's. */
export const checkIdsOfService = (sql: SqlStorage, node: string, serviceId: string) =>
  sql.exec<{ check_id: string }>('SELECT check_id FROM checks WHERE node = ? AND service_id = ?', node, serviceId).toArray().map((r) => r.check_id);
/** The node-level checks, then the instance's own, as a health entry lists them. */
export const listChecksForInstance = (sql: SqlStorage, node: string, serviceId: string) =>
  sql.exec<CheckView>(`${VIEW} WHERE c.node = ? AND c.service_id IN ('', ?) ORDER BY c.service_id != '', c.check_id`, node, serviceId).toArray();
export const listChecksOfServiceNamed = (sql: SqlStorage, name: string) =>
  sql.exec<CheckView>(`${VIEW} WHERE s.service_name = ? ORDER BY c.node, c.check_id`, name).toArray();
export const listChecksInState = (sql: SqlStorage, state: string) =>
  state === 'any'
    ? sql.exec<CheckView>(`${VIEW} ORDER BY c.node, c.check_id`).toArray()
    : sql.exec<CheckView>(`${VIEW} WHERE c.status = ? ORDER BY c.node, c.check_id`, state).toArray();
/** Node-level checks of the nodes running `name`, then the instances' own checks. */
export const listChecksForInstancesOf = (sql: SqlStorage, name: string) =>
  sql.exec<CheckView>(
    `SELECT DISTINCT c.*, own.service_name AS service_name, own.body AS service_body FROM services i
     JOIN checks c ON c.node = i.node AND (c.service_id = '' OR c.service_id = i.service_id)
     LEFT JOIN services own ON own.node = c.node AND own.service_id = c.service_id AND c.service_id != ''
     WHERE i.service_name = ? ORDER BY c.node, c.service_id != '', c.check_id`,
    name,
  ).toArray();

export function getCheck(sql: SqlStorage, node: string, checkId: string): CheckRow | undefined {
  return sql.exec<CheckRow>('SELECT * FROM checks WHERE node = ? AND check_id = ?', node, checkId).toArray()[0];
}

function touchCheck(tx: Tx, node: string, serviceId: string): void {
  tx.touched.add(TABLE_CHECKS).add(nodeRow(node));
  if (!serviceId) return touchServicesOnNode(tx, node);
  const svc = tx.sql.exec<{ service_name: string }>('SELECT service_name FROM services WHERE node = ? AND service_id = ?', node, serviceId).toArray()[0];
  if (svc) tx.touched.add(serviceRow(svc.service_name));
}

const criticalSince = (status: HealthStatus, previous: CheckRow | undefined, now: number) =>
  status !== 'critical' ? null : previous?.status === 'critical' ? previous.critical_since : now;

/** Creates or replaces a check definition; a check that already exists keeps its status and output. */
export function upsertCheck(tx: Tx, node: string, spec: CheckSpec): void {
  const existing = getCheck(tx.sql, node, spec.CheckID);
  const status = existing?.status ?? spec.Status ?? 'critical';
  const output = existing?.output ?? spec.Output ?? '';
  const body = JSON.stringify({ Name: spec.Name, Notes: spec.Notes, Type: spec.Type, Run: spec.Run } satisfies CheckBody);
  if (existing && existing.body === body && existing.service_id === spec.ServiceID) return;
  tx.sql.exec(
    `INSERT INTO checks (node, check_id, service_id, status, output, body, critical_since, create_index, modify_index)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (node, check_id) DO UPDATE SET service_id = excluded.service_id, body = excluded.body, modify_index = excluded.modify_index`,
    node, spec.CheckID, spec.ServiceID, status, output, body, criticalSince(status, existing, tx.now), tx.index, tx.index,
  );
  if (existing && existing.service_id !== spec.ServiceID) touchCheck(tx, node, existing.service_id);
  touchCheck(tx, node, spec.ServiceID);
}

/** Sets status and output; returns false (and writes nothing) when both are unchanged. */
export function setCheckStatus(tx: Tx, node: string, checkId: string, status: HealthStatus, output: string): boolean {
  const existing = getCheck(tx.sql, node, checkId);
  if (!existing || (existing.status === status && existing.output === output)) return false;
  tx.sql.exec(
    'UPDATE checks SET status = ?, output = ?, critical_since = ?, modify_index = ? WHERE node = ? AND check_id = ?',
    status, output, criticalSince(status, existing, tx.now), tx.index, node, checkId,
  );
  touchCheck(tx, node, existing.service_id);
  return true;
}

export function deleteCheck(tx: Tx, node: string, checkId: string): boolean {
  const existing = getCheck(tx.sql, node, checkId);
  if (!existing) return false;
  tx.sql.exec('DELETE FROM checks WHERE node = ? AND check_id = ?', node, checkId);
  touchCheck(tx, node, existing.service_id);
  return true;
}
