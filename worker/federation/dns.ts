// Prepared queries for the DNS interface (`<query>.query[.<dc>].consul`): resolved in the asked
// datacenter and executed with the same failover as /v1/query/:id/execute.
import { parseGoDuration } from '../consul/duration';
import type { DatacenterSource, QueryResult } from '../dns/answer';
import type { Env } from '../env';
import { datacenterStub } from './choose';
import { federationOf } from './config';
import { executePreparedQuery } from './execute';

export function preparedQueryLookup(env: Env, dc: string): (idOrName: string) => Promise<QueryResult | null> {
  return async (idOrName) => {
    const federation = federationOf(env);
    const local = federation.byName.get(dc.toLowerCase());
    const resolved = local && (await datacenterStub(env, local.name)!.preparedQueryResolve(idOrName));
    // A template looked up by ID is refused by the resolver; for DNS that is no query at all.
    const query = resolved && resolved.ok ? resolved.value : null;
    if (!local || !query) return null;
    const { response } = await executePreparedQuery(env, federation, local.name, query, 0);
    // consul agent/dns.go: the query's own DNS.TTL wins over the service TTL settings.
    const ttlMs = query.DNS.TTL ? parseGoDuration(query.DNS.TTL) : undefined;
    return { entries: response.Nodes, datacenter: response.Datacenter, ttl: ttlMs === undefined ? undefined : Math.floor(ttlMs / 1000) };
  };
}

const FRESH = { minIndex: 0, waitMs: 0 };

/** What the DNS answerer reads of one declared datacenter, or null for an unknown one. */
export function datacenterSource(env: Env, name: string): DatacenterSource | null {
  const stub = datacenterStub(env, name);
  if (!stub) return null;
  return {
    name,
    serviceEntries: async (service) => (await stub.healthServiceNodes(service, FRESH)).value,
    node: async (node) => (await stub.catalogNodeServices(node, FRESH)).value?.Node ?? null,
    nodes: async () => (await stub.catalogNodes(FRESH)).value,
    serviceAddresses: async () => (await stub.catalogAllInstances(FRESH)).value.map((s) => ({ service: s.ServiceName, address: s.ServiceAddress })),
    preparedQuery: preparedQueryLookup(env, name),
  };
}
