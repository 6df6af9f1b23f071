// DNS TTLs from wrangler vars, as Consul's dns_config has them: DNS_NODE_TTL (node_ttl) and DNS_SERVICE_TTL
// (service_ttl: one duration, or a JSON map of service name or `prefix*` to duration). Both default to 0.
import { parseGoDuration } from '../consul/duration';
import type { DnsSettings } from './answer';

export interface DnsVars {
  DNS_NODE_TTL?: string;
  DNS_SERVICE_TTL?: string;
}

const seconds = (text: string, what: string): number => {
  const ms = parseGoDuration(text.trim());
  if (ms === undefined || ms < 0) throw new Error(`${what}: invalid duration ${JSON.stringify(text)}`);
  return Math.floor(ms / 1000);
};

/** consul agent/config: exact service name first, then the longest matching `prefix*`, then `*`, else 0. */
export function serviceTtlLookup(raw: string | undefined): (service: string) => number {
  const text = raw?.trim() ?? '';
  if (!text) return () => 0;
  if (!text.startsWith('{')) {
    const ttl = seconds(text, 'DNS_SERVICE_TTL');
    return () => ttl;
  }
  const entries = Object.entries(JSON.parse(text) as Record<string, string>).map(([k, v]) => [k.toLowerCase(), seconds(String(v), `DNS_SERVICE_TTL ${k}`)] as const);
  const exact = new Map(entries.filter(([k]) => !k.endsWith('*')));
  const prefixes = entries.filter(([k]) => k.endsWith('*')).map(([k, v]) => [k.slice(0, -1), v] as const).sort((a, b) => b[0].length - a[0].length);
  return (service) => {
    const name = service.toLowerCase();
    return exact.get(name) ?? prefixes.find(([p]) => name.startsWith(p))?.[1] ?? 0;
  };
}

let cached: { key: string; settings: Omit<DnsSettings, 'now'> } | undefined;

export function dnsSettings(vars: DnsVars): DnsSettings {
  const key = `${vars.DNS_NODE_TTL ?? ''}\n${vars.DNS_SERVICE_TTL ?? ''}`;
  if (cached?.key !== key) {
    const nodeTtl = vars.DNS_NODE_TTL?.trim() ? seconds(vars.DNS_NODE_TTL, 'DNS_NODE_TTL') : 0;
    cached = { key, settings: { nodeTtl, serviceTtl: serviceTtlLookup(vars.DNS_SERVICE_TTL) } };
  }
  return { ...cached.settings, now: () => Date.now() };
}
