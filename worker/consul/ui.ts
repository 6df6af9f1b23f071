// Consul's UI summary shapes (agent/structs NodeInfo, ServiceListingSummary) and the fold from one to
// the other: one element per service name with its instances, nodes, tags and check counts.
import type { HealthCheck } from './check';
import type { StringMap } from './common';
import type { NodeService } from './service';

/** `/v1/internal/ui/nodes` element: a node with every service and check on it. */
export interface NodeInfo {
  ID: string;
  Node: string;
  Address: string;
  TaggedAddresses: StringMap;
  Meta: StringMap;
  Services: NodeService[];
  Checks: HealthCheck[];
}

/** One service instance as `?filter=` sees it on `/v1/internal/ui/services`. */
export interface UiInstance {
  Node: Omit<NodeInfo, 'Services' | 'Checks'>;
  Service: NodeService;
  Checks: HealthCheck[];
}

export interface ServiceListingSummary {
  Kind?: string;
  Name: string;
  Datacenter: string;
  Tags: string[] | null;
  Nodes: string[];
  ExternalSources: string[] | null;
  InstanceCount: number;
  ChecksPassing: number;
  ChecksWarning: number;
  ChecksCritical: number;
  GatewayConfig: Record<string, never>;
  TransparentProxy: boolean;
  ConnectNative: boolean;
  ConnectedWithProxy: boolean;
  ConnectedWithGateway: boolean;
}

/** Every instance with its node's checks and its own. */
export function uiInstances(nodes: NodeInfo[]): UiInstance[] {
  const out: UiInstance[] = [];
  for (const { Services, Checks, ...node } of nodes) {
    const nodeChecks = Checks.filter((c) => !c.ServiceID);
    for (const service of Services) {
      out.push({ Node: node, Service: service, Checks: [...nodeChecks, ...Checks.filter((c) => c.ServiceID === service.ID)] });
    }
  }
  return out;
}

const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Folds instances into one summary per service name, sorted by name. */
export function summariseServices(instances: UiInstance[], datacenter: string): ServiceListingSummary[] {
  const groups = new Map<string, UiInstance[]>();
  for (const i of instances) {
    let list = groups.get(i.Service.Service);
    if (!list) groups.set(i.Service.Service, (list = []));
    list.push(i);
  }
  return [...groups.keys()].sort(byName).map((name) => {
    const list = groups.get(name)!;
    const tags = new Set<string>(), nodes = new Set<string>(), sources: string[] = [];
    const checks = new Map<string, string>();
    for (const { Node, Service, Checks } of list) {
      for (const t of Service.Tags ?? []) tags.add(t);
      nodes.add(Node.Node);
      const source = Service.Meta?.['external-source'];
      if (source && !sources.includes(source)) sources.push(source);
      for (const c of Checks) checks.set(`${Node.Node}\u0000${c.CheckID}`, c.Status);
    }
    const count = (status: string) => [...checks.values()].filter((s) => s === status).length;
    const kind = list[0].Service.Kind;
    return {
      ...(kind ? { Kind: kind } : {}),
      Name: name,
      Datacenter: datacenter,
      Tags: tags.size ? [...tags].sort(byName) : null,
      Nodes: [...nodes].sort(byName),
      ExternalSources: sources.length ? sources : null,
      InstanceCount: list.length,
      ChecksPassing: count('passing'),
      ChecksWarning: count('warning'),
      ChecksCritical: count('critical'),
      GatewayConfig: {},
      TransparentProxy: false,
      ConnectNative: list.some((i) => Boolean((i.Service.Connect as { Native?: boolean } | undefined)?.Native)),
      ConnectedWithProxy: false,
      ConnectedWithGateway: false,
    };
  });
}
