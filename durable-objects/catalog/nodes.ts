// The nodes table: catalog nodes, their addresses and metadata.
import type { Node, StringMap } from '../../worker/consul/common';
import { nodeRow, TABLE_NODES, type Tx } from '../engine/indexes';
import { touchServicesOnNode } from './services';

export type NodeRow = {
  node: string;
  id: string;
  address: string;
  tagged_addresses: string;
  meta: string;
  create_index: number;
  modify_index: number;
};

export interface NodeInput {
  Node: string;
  ID: string;
  Address: string;
  TaggedAddresses: StringMap;
  Meta: StringMap;
}

export const toNode = (row: NodeRow, datacenter: string): Node => ({
  ID: row.id,
  Node: row.node,
  Address: row.address,
  Datacenter: datacenter,
  TaggedAddresses: JSON.parse(row.tagged_addresses),
  Meta: JSON.parse(row.meta),
  CreateIndex: row.create_index,
  ModifyIndex: row.modify_index,
});

export function getNode(sql: SqlStorage, name: string): NodeRow | undefined {
  return sql.exec<NodeRow>('SELECT * FROM nodes WHERE node = ?', name).toArray()[0];
}

export function listNodes(sql: SqlStorage): NodeRow[] {
  return sql.exec<NodeRow>('SELECT * FROM nodes ORDER BY node').toArray();
}

/** Creates or updates a node; a write that changes nothing takes no index. */
export function upsertNode(tx: Tx, input: NodeInput): void {
  const existing = getNode(tx.sql, input.Node);
  const taggedAddresses = JSON.stringify(input.TaggedAddresses);
  const meta = JSON.stringify(input.Meta);
  if (
    existing &&
    existing.node === input.Node &&
    existing.id === input.ID &&
    existing.address === input.Address &&
    existing.tagged_addresses === taggedAddresses &&
    existing.meta === meta
  ) {
    return;
  }
  tx.sql.exec(
    `INSERT INTO nodes (node, id, address, tagged_addresses, meta, create_index, modify_index)
     VALUES (?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (node) DO UPDATE SET node = excluded.node, id = excluded.id, address = excluded.address,
       tagged_addresses = excluded.tagged_addresses, meta = excluded.meta, modify_index = excluded.modify_index`,
    input.Node, input.ID, input.Address, taggedAddresses, meta, tx.index, tx.index,
  );
  tx.touched.add(TABLE_NODES).add(nodeRow(input.Node));
  touchServicesOnNode(tx, input.Node);
}

/** Removes a node with everything registered on it. */
export function deleteNode(tx: Tx, name: string): boolean {
  if (!getNode(tx.sql, name)) return false;
  touchServicesOnNode(tx, name, true);
  tx.sql.exec('DELETE FROM checks WHERE node = ?', name);
  tx.sql.exec('DELETE FROM services WHERE node = ?', name);
  tx.sql.exec('DELETE FROM nodes WHERE node = ?', name);
  tx.touched.add(TABLE_NODES).add('services').add('checks').add(nodeRow(name));
  return true;
}
