// The read behind Consul's UI summary endpoints (/v1/internal/ui/*): every node with its services and
// checks in one pass, indexed by the newest node/service/check change (agent/consul/internal_endpoint.go).
import type { HealthCheck } from '../../worker/consul/check';
import type { NodeInfo } from '../../worker/consul/ui';
import { TABLE_CHECKS, TABLE_NODES, TABLE_SERVICES } from '../engine/indexes';
import { indexed, type Query, type ReadContext } from '../engine/reads';
import { listChecksInState, listChecksOnNode, toHealthCheck } from './checks';
import { getNode, listNodes, toNode, type NodeRow } from './nodes';
import { listAllServices, listServicesOnNode, toNodeService } from './services';

const ROWS = [TABLE_NODES, TABLE_SERVICES, TABLE_CHECKS];

function nodeInfo(row: NodeRow, datacenter: string): NodeInfo {
  const { ID, Node, Address, TaggedAddresses, Meta } = toNode(row, datacenter);
  return { ID, Node, Address, TaggedAddresses, Meta, Services: [], Checks: [] };
}

export const uiNodes = (ctx: ReadContext): Query<NodeInfo[]> => ({
  key: 'ui.nodes',
  rows: ROWS,
  read: () => {
    const byName = new Map<string, NodeInfo>();
    for (const row of listNodes(ctx.sql)) byName.set(row.node.toLowerCase(), nodeInfo(row, ctx.datacenter));
    for (const row of listAllServices(ctx.sql)) byName.get(row.node.toLowerCase())?.Services.push(toNodeService(row));
    for (const row of listChecksInState(ctx.sql, 'any')) byName.get(row.node.toLowerCase())?.Checks.push(toHealthCheck(row) as HealthCheck);
    return indexed(ctx.indexes.max(...ROWS), [...byName.values()]);
  },
});

export const uiNode = (ctx: ReadContext, name: string): Query<NodeInfo | null> => ({
  key: `ui.node:${name.toLowerCase()}`,
  rows: ROWS,
  read: () => {
    const row = getNode(ctx.sql, name);
    const value = row
      ? { ...nodeInfo(row, ctx.datacenter), Services: listServicesOnNode(ctx.sql, name).map(toNodeService), Checks: listChecksOnNode(ctx.sql, name).map(toHealthCheck) }
      : null;
    return indexed(ctx.indexes.max(...ROWS), value);
  },
});
