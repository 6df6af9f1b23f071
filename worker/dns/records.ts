// Record builders shared by the answers: SOA for negative answers, A/AAAA/CNAME for an address, node
// meta as TXT. Records are dns-packet objects, encoded once in message.ts.
import type { Answer } from 'dns-packet';
import { DOMAIN, isIPv4, isIPv6 } from './name';

/** consul agent/dns.go defaults: refresh 3600, retry 600, expire 86400, min TTL 0; serial is Unix time. */
export function soaRecord(nowMs: number): Answer {
  return {
    name: DOMAIN, type: 'SOA', class: 'IN', ttl: 0,
    data: { mname: `ns.${DOMAIN}`, rname: `hostmaster.${DOMAIN}`, serial: Math.floor(nowMs / 1000) >>> 0, refresh: 3600, retry: 600, expire: 86400, minimum: 0 },
  };
}

export type AddressWanted = { a: boolean; aaaa: boolean; cname: boolean };

/** A for IPv4, AAAA for IPv6, CNAME for a hostname; undefined when the question type excludes it. */
export function addressRecord(name: string, address: string, ttl: number, want: AddressWanted): Answer | undefined {
  if (isIPv4(address)) return want.a ? { name, type: 'A', class: 'IN', ttl, data: address } : undefined;
  if (isIPv6(address)) return want.aaaa ? { name, type: 'AAAA', class: 'IN', ttl, data: address } : undefined;
  if (!address) return undefined;
  return want.cname ? { name, type: 'CNAME', class: 'IN', ttl, data: address.replace(/\.$/, '') } : undefined;
}

export const addressKind = (address: string): 'ip' | 'hostname' | 'none' =>
  !address ? 'none' : isIPv4(address) || isIPv6(address) ? 'ip' : 'hostname';

/**
 * Node meta as TXT strings, as consul agent/dns.go (encodeKVasRFC1464) writes them: `key=value`, with
 * backquote, `=` and leading/trailing spaces in the key escaped by a backquote; `rfc1035-` keys give the bare value.
 */
export function metaTxt(meta: Record<string, string>): string[] {
  return Object.entries(meta).map(([key, value]) => {
    if (key.startsWith('rfc1035-')) return value;
    let escaped = key.replace(/[`=]/g, (ch) => '`' + ch);
    escaped = escaped.replace(/^ +/, (s) => s.replace(/ /g, '` ')).replace(/ +$/, (s) => s.replace(/ /g, '` '));
    return `${escaped}=${value}`;
  });
}

export function txtRecords(name: string, meta: Record<string, string>, ttl: number): Answer[] {
  return metaTxt(meta).map((text) => ({ name, type: 'TXT', class: 'IN', ttl, data: [text] }));
}

/** Fisher–Yates: answers come in random order, as Consul shuffles them (agent/dns.go). */
export function shuffle<T>(items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}
