// The catalog and health reads, each with the index rows it depends on so a blocking query wakes only
// when one of them moves. Index choices follow Consul's (catalog_ce.go, health endpoints).
import type { Indexed, Node } from '../../worker/consul/common';
import type { HealthCheck, ServiceEntry } from '../../worker/consul/check';
import type { CatalogService, NodeService } from '../../worker/consul/service';
import { indexed, type Query, type ReadContext } from '../engine/reads';
import { serviceRow, TABLE_CHECKS, TABLE_NODES, TABLE_SERVICES, type Indexes } from '../engine/indexes';
import { listChecksForInstance, listChecksForInstancesOf, listChecksInState, listChecksOfServiceNamed, listChecksOnNode, toHealthCheck, type CheckView } from './checks';
import { getNode, listNodes, toNode, type NodeRow } from './nodes';
import type { ServiceTags } from './service-tags';
import { getService, listAllServices, listServicesNamed, listServicesOnNode, toNodeService } from './services';

export function toCatalogService(node: Node, s: NodeService): CatalogService {
  return {
    ID: node.ID, Node: node.Node, Address: node.Address, Datacenter: node.Datacenter,
    TaggedAddresses: node.TaggedAddresses, NodeMeta: node.Meta,
    ServiceKind: s.Kind ?? '', ServiceID: s.ID, ServiceName: s.Service, ServiceTags: s.Tags,
    ServiceAddress: s.Address, ServiceTaggedAddresses: s.TaggedAddresses, ServiceWeights: s.Weights,
    ServiceMeta: s.Meta, ServicePort: s.Port, ServiceSocketPath: s.SocketPath,
    ServiceEnableTagOverride: s.EnableTagOverride, ServiceProxy: s.Proxy ?? {}, ServiceConnect: s.Connect ?? {},
    CreateIndex: s.CreateIndex, ModifyIndex: s.ModifyIndex,
  };
}

function nodeLookup(ctx: ReadContext): (name: string) => Node {
  const cache = new Map<string, Node>();
  return (name) => {
    const key = name.toLowerCase();
    let node = cache.get(key);
    if (!node) cache.set(key, (node = toNode(getNode(ctx.sql, name) as NodeRow, ctx.datacenter)));
    return node;
  };
}

/** `service.<name>`, or while the service has never existed, the newest catalog change. */
const serviceIndex = (ctx: ReadContext, name: string) =>
  ctx.indexes.get(serviceRow(name)) || ctx.indexes.max(TABLE_NODES, TABLE_SERVICES, TABLE_CHECKS);

/** Consul never reports index 0. */

export const catalogNodes = (ctx: ReadContext): Query<Node[]> => ({
  key: 'catalog.nodes',
  rows: [TABLE_NODES],
  read: () => indexed(ctx.indexes.get(TABLE_NODES), listNodes(ctx.sql).map((r) => toNode(r, ctx.datacenter))),
});

/** Every instance: `/v1/catalog/services` filters these, then folds them into name → tags. */
export const catalogAllInstances = (ctx: ReadContext): Query<CatalogService[]> => ({
  key: 'catalog.instances',
  rows: [TABLE_SERVICES, TABLE_NODES],
  read: () => {
    const node = nodeLookup(ctx);
    const value = listAllServices(ctx.sql).map((r) => toCatalogService(node(r.node), toNodeService(r)));
    return indexed(ctx.indexes.get(TABLE_SERVICES), value);
  },
});

/** `/v1/catalog/services` with no filter: the per-service aggregate, at the instances' index (as above). */
export const catalogServices = (ctx: ReadContext, tags: ServiceTags): Query<Record<string, string[]>> => ({
  key: 'catalog.services',
  rows: [TABLE_SERVICES, TABLE_NODES],
  read: () => indexed(ctx.indexes.get(TABLE_SERVICES), tags.services()),
});

export const catalogServiceNodes = (ctx: ReadContext, name: string): Query<CatalogService[]> => ({
  key: `catalog.service:${name.toLowerCase()}`,
  rows: [serviceRow(name)],
  read: () => {
    const node = nodeLookup(ctx);
    const value = listServicesNamed(ctx.sql, name).map((r) => toCatalogService(node(r.node), toNodeService(r)));
    return indexed(serviceIndex(ctx, name), value);
  },
});

export const catalogNodeServices = (ctx: ReadContext, name: string): Query<{ Node: Node; Services: NodeService[] } | null> => ({
  key: `catalog.node:${name.toLowerCase()}`,
  rows: [TABLE_NODES, TABLE_SERVICES],
  read: () => {
    const row = getNode(ctx.sql, name);
    const value = row ? { Node: toNode(row, ctx.datacenter), Services: listServicesOnNode(ctx.sql, name).map(toNodeService) } : null;
    return indexed(ctx.indexes.max(TABLE_NODES, TABLE_SERVICES), value);
  },
});

export const healthServiceNodes = (ctx: ReadContext, name: string): Query<ServiceEntry[]> => ({
  key: `health.service:${name.toLowerCase()}`,
  rows: [serviceRow(name)],
  read: () => {
    const node = nodeLookup(ctx);
    const checksByInstance = new Map<string, HealthCheck[]>();
    const nodeChecks = new Map<string, HealthCheck[]>();
    for (const row of listChecksForInstancesOf(ctx.sql, name)) {
      const key = row.node.toLowerCase();
      const target = row.service_id ? checksByInstance : nodeChecks;
      const mapKey = row.service_id ? `${key}/${row.service_id.toLowerCase()}` : key;
      let list = target.get(mapKey);
      if (!list) target.set(mapKey, (list = []));
      list.push(toHealthCheck(row));
    }
    const value = listServicesNamed(ctx.sql, name).map((r) => ({
      Node: node(r.node),
      Service: toNodeService(r),
      Checks: [
        ...(nodeChecks.get(r.node.toLowerCase()) ?? []),
        ...(checksByInstance.get(`${r.node.toLowerCase()}/${r.service_id.toLowerCase()}`) ?? []),
      ],
    }));
    return indexed(serviceIndex(ctx, name), value);
  },
});

/** One instance's health entry, as healthServiceNodes lists it, found by its key rather than its name. */
export function healthServiceInstance(ctx: ReadContext, node: string, serviceId: string): ServiceEntry | null {
  const row = getService(ctx.sql, node, serviceId);
  const nodeRow = row && getNode(ctx.sql, row.node);
  if (!row || !nodeRow) return null;
  return { Node: toNode(nodeRow, ctx.datacenter), Service: toNodeService(row), Checks: listChecksForInstance(ctx.sql, row.node, row.service_id).map(toHealthCheck) };
}

const checksQuery = (ctx: ReadContext, key: string, list: () => CheckView[]): Query<HealthCheck[]> => ({
  key,
  rows: [TABLE_CHECKS],
  read: () => indexed(ctx.indexes.get(TABLE_CHECKS), list().map(toHealthCheck)),
});

export const healthNodeChecks = (ctx: ReadContext, node: string) => checksQuery(ctx, `health.node:${node.toLowerCase()}`, () => listChecksOnNode(ctx.sql, node));
export const healthServiceChecks = (ctx: ReadContext, name: string) => checksQuery(ctx, `health.checks:${name.toLowerCase()}`, () => listChecksOfServiceNamed(ctx.sql, name));
export const healthChecksInState = (ctx: ReadContext, state: string) => checksQuery(ctx, `health.state:${state}`, () => listChecksInState(ctx.sql, state));
