// Test support: DNS queries encoded and replies decoded through dns-packet, records written as zone-file
// lines (`web.service.consul. 0 IN A 10.0.0.1`) so cases read like CoreDNS's test tables.
import { Buffer } from 'node:buffer';
import * as packet from 'dns-packet';

export function query(name: string, type: string, id = 1): Uint8Array {
  return packet.encode({ id, type: 'query', flags: packet.RECURSION_DESIRED, questions: [{ name, type: type as packet.RecordType, class: 'IN' }] });
}

const dot = (name: string) => (name.endsWith('.') ? name : `${name}.`);

export function zoneLine(r: packet.Answer): string {
  if (r.type === 'OPT') return '. OPT';
  const d = (r as { data: unknown }).data as never;
  const head = `${dot(r.name)} ${r.ttl ?? 0} ${r.class ?? 'IN'} ${r.type}`;
  switch (r.type) {
    case 'SRV': {
      const s = d as packet.SrvData;
      return `${head} ${s.priority} ${s.weight} ${s.port} ${dot(s.target)}`;
    }
    case 'SOA': {
      const s = d as packet.SoaData;
      return `${head} ${dot(s.mname)} ${dot(s.rname)} ${s.serial} ${s.refresh} ${s.retry} ${s.expire} ${s.minimum}`;
    }
    case 'TXT':
      return `${head} ${(d as Buffer[]).map((b) => JSON.stringify(Buffer.from(b).toString())).join(' ')}`;
    case 'CNAME':
    case 'NS':
    case 'PTR':
      return `${head} ${dot(d as string)}`;
    default:
      return `${head} ${d}`;
  }
}

export interface Decoded {
  id: number;
  rcode: string;
  aa: boolean;
  tc: boolean;
  answer: string[];
  ns: string[];
  extra: string[];
}

export function decodeReply(bytes: Uint8Array): Decoded {
  const p = packet.decode(Buffer.from(bytes));
  return {
    id: p.id ?? 0,
    rcode: (p as { rcode?: string }).rcode ?? 'NOERROR',
    aa: p.flag_aa,
    tc: p.flag_tc,
    answer: (p.answers ?? []).map(zoneLine),
    ns: (p.authorities ?? []).map(zoneLine),
    extra: (p.additionals ?? []).map(zoneLine),
  };
}

/** Answers come in random order: compare them sorted. */
export const sorted = (lines: string[]) => [...lines].sort();
