// DNS settings from wrangler vars, as Consul's dns_config has them: DNS_NODE_TTL (node_ttl), DNS_SERVICE_TTL
// (service_ttl: one duration, or a JSON map of service name or `prefix*` to duration), both 0 by default,
// and DNS_ONLY_PASSING (only_passing, false by default).
import { parseGoDuration } from '../consul/duration';
import type { DnsSettings } from './answer';

export interface DnsVars {
  DNS_NODE_TTL?: string;
  DNS_SERVICE_TTL?: string;
  DNS_ONLY_PASSING?: string;
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

function flag(text: string | undefined, what: string): boolean {
  const value = text?.trim().toLowerCase() ?? '';
  if (value === '' || value === 'false') return false;
  if (value === 'true') return true;
  throw new Error(`${what}: expected true or false, got ${JSON.stringify(text)}`);
}

let cached: { key: string; settings: Omit<DnsSettings, 'now'> } | undefined;

export function dnsSettings(vars: DnsVars): DnsSettings {
  const key = `${vars.DNS_NODE_TTL ?? ''}\n${vars.DNS_SERVICE_TTL ?? ''}\n${vars.DNS_ONLY_PASSING ?? ''}`;
  if (cached?.key !== key) {
    const nodeTtl = vars.DNS_NODE_TTL?.trim() ? seconds(vars.DNS_NODE_TTL, 'DNS_NODE_TTL') : 0;
    const onlyPassing = flag(vars.DNS_ONLY_PASSING, 'DNS_ONLY_PASSING');
    cached = { key, settings: { nodeTtl, serviceTtl: serviceTtlLookup(vars.DNS_SERVICE_TTL), onlyPassing } };
  }
  return { ...cached.settings, now: () => Date.now() };
}
