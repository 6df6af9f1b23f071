// The instances a prepared query returns from one datacenter (Consul's PreparedQuery.execute): health
// entries without unhealthy ones (FilterIgnore), then node meta, service meta and tags; shuffled, limited.
import type { Indexed, StringMap } from '../../worker/consul/common';
import type { ServiceEntry } from '../../worker/consul/check';
import type { ServiceQuery } from '../../worker/consul/prepared-query';
import { healthServiceNodes } from '../catalog/reads';
import type { ReadContext, Reads } from '../engine/reads';

/** Critical drops an instance; so does warning when OnlyPassing. Ignored check IDs don't count. */
function healthy(entry: ServiceEntry, onlyPassing: boolean, ignore: Set<string>): boolean {
  return entry.Checks.every((check) => ignore.has(check.CheckID.toLowerCase()) || (check.Status !== 'critical' && (!onlyPassing || check.Status === 'passing')));
}

const metaMatches = (meta: StringMap, wanted: StringMap | null) => Object.entries(wanted ?? {}).every(([k, v]) => meta[k] === v);

/** Every plain tag required and no `!tag` present, compared case-insensitively (Consul's tagFilter). */
function tagsMatch(tags: string[], wanted: string[] | null): boolean {
  const have = new Set(tags.map((t) => t.toLowerCase()));
  return (wanted ?? []).every((tag) => {
    const t = tag.toLowerCase();
    return t.startsWith('!') ? !have.has(t.slice(1)) : have.has(t);
  });
}

export function queryNodes(entries: ServiceEntry[], service: ServiceQuery, limit: number): ServiceEntry[] {
  const ignore = new Set((service.IgnoreCheckIDs ?? []).map((id) => id.toLowerCase()));
  const nodes = entries.filter(
    (e) => healthy(e, service.OnlyPassing, ignore) && metaMatches(e.Node.Meta, service.NodeMeta) && metaMatches(e.Service.Meta, service.ServiceMeta) && tagsMatch(e.Service.Tags, service.Tags),
  );
  for (let i = nodes.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [nodes[i], nodes[j]] = [nodes[j], nodes[i]];
  }
  return limit > 0 ? nodes.slice(0, limit) : nodes;
}

/** One datacenter's part of an execution, on the shared read of the service's health entries. */
export function preparedQueryExecute({ read, reads }: { read: ReadContext; reads: Reads }, service: ServiceQuery, limit: number): Indexed<{ nodes: ServiceEntry[]; datacenter: string }> {
  const { index, value } = reads.shared(healthServiceNodes(read, service.Service));
  return { index, value: { nodes: queryNodes(value, service, limit), datacenter: read.datacenter } };
}
