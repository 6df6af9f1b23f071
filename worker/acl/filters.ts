// Leaving out of an answer what the token may not read (Consul's agent/structs/aclfilter): one function per
// answer shape, applied to the JSON a route wrote. Each reports whether it removed anything, for
// X-Consul-Results-Filtered-By-ACLs.
import type { Identity } from './resolve';
import type { SegmentResource } from './rules';

export type FilterKind =
  | 'nodes' | 'service-map' | 'catalog-services' | 'node-services-map' | 'node-services-list' | 'checks' | 'service-entries'
  | 'agent-services' | 'agent-checks' | 'agent-members' | 'kv' | 'sessions' | 'events' | 'queries' | 'query-execute' | 'txn'
  | 'ui-services' | 'ui-nodes' | 'ui-node';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

export class Filtering {
  removed = false;
  constructor(private readonly identity: Identity) {}

  can(resource: SegmentResource, segment: string): boolean {
    return this.identity.management || this.identity.authorizer.allows(resource, segment, 'read');
  }

  list<T>(items: T[], keep: (item: T) => boolean): T[] {
    const kept = items.filter(keep);
    if (kept.length !== items.length) this.removed = true;
    return kept;
  }

  map(record: Record<string, Json>, keep: (key: string, value: Json) => boolean): Record<string, Json> {
    return Object.fromEntries(this.list(Object.entries(record), ([k, v]) => keep(k, v)));
  }

  entry = (e: Json) => this.can('node', e.Node?.Node ?? '') && this.can('service', e.Service?.Service ?? '');
  check = (ch: Json) => this.can('node', ch.Node ?? '') && (!ch.ServiceName || this.can('service', ch.ServiceName));
  query = (q: Json) => this.can('query', q.Name ?? '');
}

/** Filters `body` in place of the route's answer; null means "no readable node" where Consul answers null. */
export function applyAclFilter(kind: FilterKind, f: Filtering, body: Json): Json {
  switch (kind) {
    case 'nodes':
      return f.list(body, (n: Json) => f.can('node', n.Node));
    case 'service-map':
      return f.map(body, (name) => f.can('service', name));
    case 'catalog-services':
      return f.list(body, (s: Json) => f.can('node', s.Node) && f.can('service', s.ServiceName));
    case 'node-services-map':
    case 'node-services-list': {
      if (!body) return body;
      if (!f.can('node', body.Node.Node)) {
        f.removed = true;
        return null;
      }
      const keep = (s: Json) => f.can('service', s.Service);
      const Services = Array.isArray(body.Services) ? f.list(body.Services, keep) : f.map(body.Services, (_k, s) => keep(s));
      return { ...body, Services };
    }
    case 'ui-services':
      // Summaries are folded before this runs, so their counts still include instances on nodes the
      // token cannot read (Consul filters the instances first); the node names themselves are dropped.
      return f.list(body, (s: Json) => f.can('service', s.Name)).map((s: Json) => (Array.isArray(s.Nodes) ? { ...s, Nodes: f.list(s.Nodes, (n: string) => f.can('node', n)) } : s));
    case 'ui-nodes':
      return f.list(body, (n: Json) => f.can('node', n.Node)).map((n: Json) => uiNode(f, n));
    case 'ui-node':
      if (!body) return body;
      if (!f.can('node', body.Node)) {
        f.removed = true;
        return null;
      }
      return uiNode(f, body);
    case 'checks':
      return f.list(body, f.check);
    case 'service-entries':
      return f.list(body, f.entry);
    case 'agent-services':
      return f.map(body, (_id, s) => f.can('service', s.Service));
    case 'agent-checks':
      return f.map(body, (_id, ch) => f.check(ch));
    case 'agent-members':
      return f.list(body, (m: Json) => f.can('node', String(m.Name).split('.')[0]));
    case 'kv':
      // ?keys lists names, ?recurse and a single read list entries.
      return f.list(body, (e: Json) => f.can('key', typeof e === 'string' ? e : e.Key));
    case 'sessions':
      return f.list(body, (s: Json) => f.can('session', s.Node));
    case 'events':
      return f.list(body, (e: Json) => f.can('event', e.Name));
    case 'queries':
      return f.list(body, f.query);
    case 'query-execute':
      if (Array.isArray(body)) return f.list(body, f.query);
      if (body?.Nodes) return { ...body, Nodes: f.list(body.Nodes, f.entry) };
      return body;
    case 'txn':
      if (!body?.Results) return body;
      return {
        ...body,
        Results: f.list(body.Results, (res: Json) =>
          res.KV ? f.can('key', res.KV.Key) : res.Node ? f.can('node', res.Node.Node) : res.Service ? f.can('service', res.Service.Service) : res.Check ? f.check(res.Check) : true),
      };
  }
}

/** A NodeInfo (internal/ui/nodes, /node/:n) without the services and checks the token may not read. */
function uiNode(f: Filtering, node: Json): Json {
  return {
    ...node,
    Services: Array.isArray(node.Services) ? f.list(node.Services, (s: Json) => f.can('service', s.Service)) : node.Services,
    Checks: Array.isArray(node.Checks) ? f.list(node.Checks, f.check) : node.Checks,
  };
}
