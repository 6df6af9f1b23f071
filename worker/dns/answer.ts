// Answers one question as Consul's DNS interface does: the records, the rcode and the SOA of a negative
// answer. Pure apart from the reads it asks its datacenter sources for. Mirrors consul agent/dns.go.
import type { Answer } from 'dns-packet';
import type { Node } from '../consul/common';
import type { ServiceEntry } from '../consul/check';
import { addrLabel, DOMAIN, parseName } from './name';
import { addressKind, addressRecord, shuffle, soaRecord, txtRecords, type AddressWanted } from './records';

/** What a datacenter offers the DNS: healthy-or-not service entries and nodes. */
export interface DatacenterSource {
  name: string;
  serviceEntries(service: string): Promise<ServiceEntry[]>;
  node(node: string): Promise<Node | null>;
  /** Every node, and every service instance's own address, for reverse lookups. */
  nodes(): Promise<Node[]>;
  serviceAddresses(): Promise<{ service: string; address: string }[]>;
  /** Executes a prepared query with failover (worker/federation); null when no query has that name or ID. */
  preparedQuery?(idOrName: string): Promise<QueryResult | null>;
}

/** A prepared query's healthy instances, the datacenter they came from and the query's own DNS TTL. */
export interface QueryResult {
  entries: ServiceEntry[];
  datacenter: string;
  ttl?: number;
}

/** The source for a datacenter name (undefined: this deployment's own), or null for an unknown one. */
export type Sources = (dc: string | undefined) => DatacenterSource | null;

export interface DnsSettings {
  serviceTtl(service: string): number;
  nodeTtl: number;
  /** Consul's only_passing: leave out instances in warning too, not just critical ones. */
  onlyPassing: boolean;
  now(): number;
}

export type Rcode = 'NOERROR' | 'FORMERR' | 'SERVFAIL' | 'NXDOMAIN' | 'NOTIMP' | 'REFUSED';

export interface Reply {
  rcode: Rcode;
  answers: Answer[];
  authorities: Answer[];
  additionals: Answer[];
}

export interface Question {
  name: string;
  type: string;
}

const ADDRESS_TYPES: Record<string, AddressWanted> = {
  A: { a: true, aaaa: false, cname: true },
  AAAA: { a: false, aaaa: true, cname: true },
  ANY: { a: true, aaaa: true, cname: true },
};
const ALL: AddressWanted = ADDRESS_TYPES.ANY;

export async function answer(q: Question, sources: Sources, settings: DnsSettings): Promise<Reply> {
  const name = parseName(q.name);
  const negative = (rcode: Rcode): Reply => ({ rcode, answers: [], authorities: [soaRecord(settings.now())], additionals: [] });
  const found = (answers: Answer[], additionals: Answer[] = []): Reply =>
    answers.length ? { rcode: 'NOERROR', answers, authorities: [], additionals } : negative('NOERROR');
  switch (name.kind) {
    case 'outside':
      return { rcode: 'REFUSED', answers: [], authorities: [], additionals: [] };
    case 'unknown':
      return negative('NXDOMAIN');
    case 'apex':
      if (q.type === 'SOA') return found([{ ...soaRecord(settings.now()), name: q.name }]);
      if (q.type === 'NS') return found([{ name: q.name, type: 'NS', class: 'IN', ttl: 0, data: `ns.${DOMAIN}` }]);
      return negative('NOERROR');
    case 'reverse': {
      const local = sources(undefined)!;
      const answers = (await reverseTargets(local, name.hex)).map((data): Answer => ({ name: q.name, type: 'PTR', class: 'IN', ttl: settings.nodeTtl, data }));
      // Not ours: refused like any foreign name, so the gateway can ask its recursors (Consul recurses too).
      return answers.length ? found(answers) : { rcode: 'REFUSED', answers: [], authorities: [], additionals: [] };
    }
  }
  const source = sources(name.dc);
  if (!source) return negative('NXDOMAIN');
  switch (name.kind) {
    case 'addr': {
      const record = addressRecord(q.name, name.ip, settings.nodeTtl, ADDRESS_TYPES[q.type] ?? { a: false, aaaa: false, cname: false });
      return found(record ? [record] : []);
    }
    case 'node': {
      const node = await source.node(name.node);
      if (!node) return negative('NXDOMAIN');
      const ttl = settings.nodeTtl;
      const address = ADDRESS_TYPES[q.type] ? addressRecord(q.name, node.Address, ttl, ADDRESS_TYPES[q.type]) : undefined;
      const txt = txtRecords(q.name, node.Meta ?? {}, ttl);
      // consul agent/dns.go: node meta TXT goes in ANSWER for TXT/ANY, in ADDITIONAL otherwise.
      if (q.type === 'TXT') return found(txt);
      if (q.type === 'ANY') return found([...(address ? [address] : []), ...txt]);
      return address ? found([address], txt) : negative('NOERROR');
    }
    case 'query': {
      const result = await source.preparedQuery?.(name.query);
      // Already filtered by the query's health rules; none healthy anywhere is NXDOMAIN, as for a service.
      if (!result?.entries.length) return negative('NXDOMAIN');
      const ttl = result.ttl ?? settings.serviceTtl(result.entries[0].Service.Service);
      if (q.type === 'SRV') return srvReply(q.name, result.entries, ttl, result.datacenter, found);
      const wanted = ADDRESS_TYPES[q.type];
      return found(wanted ? addressAnswers(q.name, result.entries, ttl, wanted) : []);
    }
    case 'service': {
      const entries = healthy(await source.serviceEntries(name.service), name.tag, settings.onlyPassing);
      // consul agent/dns.go: a service with no healthy instance does not exist as far as DNS goes.
      if (entries.length === 0) return negative('NXDOMAIN');
      const ttl = settings.serviceTtl(name.service);
      if (q.type === 'SRV') return srvReply(q.name, entries, ttl, source.name, found);
      const wanted = ADDRESS_TYPES[q.type];
      return found(wanted ? addressAnswers(q.name, entries, ttl, wanted) : []);
    }
  }
}

/**
 * consul agent/dns.go handlePtr: every node with that address names `<node>.node.<dc>.consul`; failing
 * that, the first service instance with it as its own address names `<service>.service.<dc>.consul`.
 */
async function reverseTargets(source: DatacenterSource, hex: string): Promise<string[]> {
  const nodes = (await source.nodes()).filter((n) => addrLabel(n.Address) === hex);
  if (nodes.length) return nodes.map((n) => `${n.Node}.node.${source.name}.${DOMAIN}`);
  const service = (await source.serviceAddresses()).find((s) => s.address && addrLabel(s.address) === hex);
  return service ? [`${service.service}.service.${source.name}.${DOMAIN}`] : [];
}

/** Tag filter (case-insensitive), then drop any instance with a critical check, or with any check not passing when `onlyPassing`. */
function healthy(entries: ServiceEntry[], tag: string | undefined, onlyPassing: boolean): ServiceEntry[] {
  const wanted = tag?.toLowerCase();
  const unfit = (status: string) => status === 'critical' || (onlyPassing && status !== 'passing');
  return shuffle(entries.filter((e) => (!wanted || e.Service.Tags.some((t) => t.toLowerCase() === wanted)) && !e.Checks.some((c) => unfit(c.Status))));
}

/** A/AAAA per distinct address; a hostname's CNAME only when no instance gave an IP (one CNAME: an RRset of CNAMEs is invalid). */
function addressAnswers(qname: string, entries: ServiceEntry[], ttl: number, wanted: AddressWanted): Answer[] {
  const ips = new Map<string, Answer>();
  let cname: Answer | undefined;
  for (const e of entries) {
    const address = e.Service.Address || e.Node.Address;
    const record = addressRecord(qname, address, ttl, wanted);
    if (!record) continue;
    if (record.type === 'CNAME') cname ??= record;
    else if (!ips.has(`${record.type} ${address}`)) ips.set(`${record.type} ${address}`, record);
  }
  return ips.size ? [...ips.values()] : cname ? [cname] : [];
}

/**
 * consul agent/dns.go serviceSRVRecords: one SRV per distinct node, service address and port, each
 * followed by its own A/AAAA in ADDITIONAL, repeated when instances share a target. Clients such as
 * HAProxy pair each additional record with one SRV record, so a shared address must appear once per SRV.
 */
function srvReply(qname: string, entries: ServiceEntry[], ttl: number, dc: string, found: (a: Answer[], x: Answer[]) => Reply): Reply {
  const answers: Answer[] = [];
  const extras: Answer[] = [];
  const seen = new Set<string>();
  for (const e of entries) {
    const key = `${e.Node.Node}:${e.Service.Address}:${e.Service.Port}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const { target, address } = srvTarget(e, dc);
    const warning = e.Checks.some((c) => c.Status === 'warning');
    const weight = warning ? e.Service.Weights.Warning : e.Service.Weights.Passing;
    answers.push({ name: qname, type: 'SRV', class: 'IN', ttl, data: { priority: 1, weight, port: e.Service.Port, target } });
    const extra = address ? addressRecord(target, address, ttl, ALL) : undefined;
    if (extra) extras.push(extra);
  }
  return found(answers, extras);
}

/**
 * consul agent/dns.go: a service with its own IP is targeted as `<hex>.addr.<dc>.consul`, one with a
 * hostname as that hostname, one without an address as its node, `<node>.node.<dc>.consul`.
 */
function srvTarget(e: ServiceEntry, dc: string): { target: string; address?: string } {
  const own = e.Service.Address;
  if (addressKind(own) === 'ip') return { target: `${addrLabel(own)}.addr.${dc}.${DOMAIN}`, address: own };
  if (addressKind(own) === 'hostname') return { target: own.replace(/\.$/, '') };
  return { target: `${e.Node.Node}.node.${dc}.${DOMAIN}`, address: e.Node.Address };
}
