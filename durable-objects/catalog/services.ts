// The services table: service instances keyed by (node, service ID), looked up by name.
import type { NodeService, ServiceDefinition } from '../../worker/consul/service';
import { nodeRow, serviceRow, TABLE_CHECKS, TABLE_SERVICES, type Tx } from '../engine/indexes';

export type ServiceRow = {
  node: string;
  service_id: string;
  service_name: string;
  body: string;
  create_index: number;
  modify_index: number;
};

export const toNodeService = (row: ServiceRow): NodeService => ({
  ...(JSON.parse(row.body) as ServiceDefinition),
  CreateIndex: row.create_index,
  ModifyIndex: row.modify_index,
});

export function getService(sql: SqlStorage, node: string, serviceId: string): ServiceRow | undefined {
  return sql.exec<ServiceRow>('SELECT * FROM services WHERE node = ? AND service_id = ?', node, serviceId).toArray()[0];
}

export function listServicesOnNode(sql: SqlStorage, node: string): ServiceRow[] {
  return sql.exec<ServiceRow>('SELECT * FROM services WHERE node = ? ORDER BY service_id', node).toArray();
}

export function listServicesNamed(sql: SqlStorage, name: string): ServiceRow[] {
  return sql.exec<ServiceRow>('SELECT * FROM services WHERE service_name = ? ORDER BY node, service_id', name).toArray();
}

export function listAllServices(sql: SqlStorage): ServiceRow[] {
  return sql.exec<ServiceRow>('SELECT * FROM services ORDER BY service_name, node, service_id').toArray();
}

/** Names the service whose instances a write changes: the catalog/services aggregate refreshes only those. */
export const noteService = (tx: Tx, name: string) => void (tx.services ??= new Set()).add(name);

/** A change to a node (or its node-level checks) changes every service instance on it; `removing`: they go. */
export function touchServicesOnNode(tx: Tx, node: string, removing = false): void {
  if (removing) tx.services ??= new Set();
  for (const r of tx.sql.exec<{ service_name: string }>('SELECT DISTINCT service_name FROM services WHERE node = ?', node)) {
    tx.touched.add(serviceRow(r.service_name));
    if (removing) noteService(tx, r.service_name);
  }
}

/** Creates or replaces an instance; an identical registration takes no index. */
export function upsertService(tx: Tx, node: string, service: ServiceDefinition): void {
  const existing = getService(tx.sql, node, service.ID);
  const body = JSON.stringify(service);
  if (existing && existing.body === body) return;
  tx.sql.exec(
    `INSERT INTO services (node, service_id, service_name, body, create_index, modify_index) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (node, service_id) DO UPDATE SET service_id = excluded.service_id, service_name = excluded.service_name,
       body = excluded.body, modify_index = excluded.modify_index`,
    node, service.ID, service.Service, body, tx.index, tx.index,
  );
  tx.touched.add(TABLE_SERVICES).add(serviceRow(service.Service)).add(nodeRow(node));
  tx.services ??= new Set();
  const tags = (b: string) => JSON.stringify((JSON.parse(b) as ServiceDefinition).Tags ?? []);
  // Only a new instance, a rename or new tags change the catalog/services answer.
  if (!existing || existing.service_name !== service.Service || tags(existing.body) !== JSON.stringify(service.Tags ?? [])) {
    noteService(tx, service.Service);
    if (existing) noteService(tx, existing.service_name);
  }
  if (existing) {
    tx.touched.add(serviceRow(existing.service_name));
    // Checks of a renamed or retagged service report its new name and tags.
    if (tx.sql.exec('SELECT 1 FROM checks WHERE node = ? AND service_id = ? LIMIT 1', node, service.ID).toArray().length) {
      tx.touched.add(TABLE_CHECKS);
    }
  }
}

/** Removes an instance and its checks. */
export function deleteService(tx: Tx, node: string, serviceId: string): boolean {
  const existing = getService(tx.sql, node, serviceId);
  if (!existing) return false;
  const checks = tx.sql.exec('DELETE FROM checks WHERE node = ? AND service_id = ? RETURNING check_id', node, serviceId).toArray();
  tx.sql.exec('DELETE FROM services WHERE node = ? AND service_id = ?', node, serviceId);
  tx.touched.add(TABLE_SERVICES).add(serviceRow(existing.service_name)).add(nodeRow(node));
  noteService(tx, existing.service_name);
  if (checks.length) tx.touched.add(TABLE_CHECKS);
  return true;
}
