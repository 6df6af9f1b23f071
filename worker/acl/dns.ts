// DNS under ACLs (Consul's agent/dns.go with its `dns` token): every read a DNS answer makes goes through
// what the token may read, so a service or node it cannot read has no records (NXDOMAIN, as in Consul).
import type { DatacenterSource, Sources } from '../dns/answer';
import type { Identity } from './resolve';
import type { SegmentResource } from './rules';

export function aclSources(sources: Sources, identity: Identity | undefined): Sources {
  if (!identity || identity.management) return sources;
  const can = (resource: SegmentResource, name: string) => identity.authorizer.allows(resource, name, 'read');
  return (dc) => {
    const source = sources(dc);
    if (!source) return null;
    const filtered: DatacenterSource = {
      name: source.name,
      serviceEntries: async (service) =>
        can('service', service) ? (await source.serviceEntries(service)).filter((e) => can('node', e.Node.Node) && can('service', e.Service.Service)) : [],
      node: async (node) => (can('node', node) ? source.node(node) : null),
      nodes: async () => (await source.nodes()).filter((n) => can('node', n.Node)),
      serviceAddresses: async () => (await source.serviceAddresses()).filter((s) => can('service', s.service)),
    };
    if (source.preparedQuery) {
      const lookup = source.preparedQuery;
      filtered.preparedQuery = async (idOrName) => {
        const result = await lookup(idOrName);
        return result && { ...result, entries: result.entries.filter((e) => can('node', e.Node.Node) && can('service', e.Service.Service)) };
      };
    }
    return filtered;
  };
}
