// Consul's DNS name forms, parsed from a question name: services (tag, RFC 2782), nodes, `.addr`, the
// domain apex and reverse (`in-addr.arpa`, `ip6.arpa`) names. Pure; labels compare case-insensitively.
// Mirrors consul agent/dns.go (parseQuery).

export const DOMAIN = 'consul';

export type DnsName =
  | { kind: 'apex' }
  | { kind: 'service'; service: string; tag?: string; dc?: string; rfc2782: boolean }
  | { kind: 'node'; node: string; dc?: string }
  | { kind: 'addr'; ip: string; family: 4 | 6; dc?: string }
  /** A prepared query by name or ID: `<query>.query[.<dc>]`, or `_<query>._<proto>.query` (protocol ignored). */
  | { kind: 'query'; query: string; dc?: string }
  /** A full reverse name for one address; `hex` is that address as its `.addr` label (see addrLabel). */
  | { kind: 'reverse'; hex: string }
  /** Inside the domain but not a name Beacon answers: NXDOMAIN. */
  | { kind: 'unknown' }
  /** Outside the domain: refused (the gateway may forward it to recursors). */
  | { kind: 'outside' };

const TYPE_LABELS = new Set(['service', 'node', 'addr', 'query']);

export function parseName(qname: string): DnsName {
  const labels = qname.replace(/\.$/, '').split('.').filter((l) => l !== '');
  const reverse = reverseName(labels.map((l) => l.toLowerCase()));
  if (reverse) return reverse;
  if (labels.length === 0 || labels[labels.length - 1].toLowerCase() !== DOMAIN) return { kind: 'outside' };
  labels.pop();
  if (labels.length === 0) return { kind: 'apex' };
  const lower = labels.map((l) => l.toLowerCase());
  const n = lower.length;
  let typeAt = -1;
  if (TYPE_LABELS.has(lower[n - 1])) typeAt = n - 1;
  else if (n >= 2 && TYPE_LABELS.has(lower[n - 2])) typeAt = n - 2;
  if (typeAt < 0) return rfc2782WithoutServiceLabel(labels);
  const dc = typeAt === n - 2 ? labels[n - 1] : undefined;
  const before = labels.slice(0, typeAt);
  if (before.length === 0) return { kind: 'unknown' };
  switch (lower[typeAt]) {
    case 'service':
      return serviceName(before, dc);
    case 'node':
      // Node names may contain dots: everything before `.node` is the name.
      return { kind: 'node', node: before.join('.'), dc };
    case 'addr':
      return addrName(before, dc);
    default: {
      // consul agent/dns.go: `_<query>._<proto>` names the query by its first label; else all labels are the name.
      const rfc2782 = before.length === 2 && before[0].startsWith('_') && before[1].startsWith('_');
      const query = rfc2782 ? before[0].slice(1) : before.join('.');
      return query ? { kind: 'query', query, dc } : { kind: 'unknown' };
    }
  }
}

function serviceName(before: string[], dc: string | undefined): DnsName {
  if (before.length === 2 && before[0].startsWith('_') && before[1].startsWith('_')) {
    // RFC 2782: `_<service>._<tag>`, where the protocol-like tag `tcp` means "no tag filter".
    const [service, tag] = [before[0].slice(1), before[1].slice(1)];
    if (!service || !tag) return { kind: 'unknown' };
    return { kind: 'service', service, tag: tag.toLowerCase() === 'tcp' ? undefined : tag, dc, rfc2782: true };
  }
  const service = before[before.length - 1];
  // consul agent/dns.go: every label before the service label, joined with '.', is the tag.
  const tag = before.length > 1 ? before.slice(0, -1).join('.') : undefined;
  return { kind: 'service', service, tag, dc, rfc2782: false };
}

/** consul agent/dns.go: an RFC 2782 name may leave out the `service` label (`_web._tcp.consul`). */
function rfc2782WithoutServiceLabel(labels: string[]): DnsName {
  if ((labels.length === 2 || labels.length === 3) && labels[0].startsWith('_') && labels[1].startsWith('_')) {
    return serviceName(labels.slice(0, 2), labels[2]);
  }
  return { kind: 'unknown' };
}

function addrName(before: string[], dc: string | undefined): DnsName {
  const hex = before.length === 1 ? before[0].toLowerCase() : '';
  if (/^[0-9a-f]{8}$/.test(hex)) {
    return { kind: 'addr', ip: [0, 2, 4, 6].map((i) => parseInt(hex.slice(i, i + 2), 16)).join('.'), family: 4, dc };
  }
  if (/^[0-9a-f]{32}$/.test(hex)) {
    const groups = Array.from({ length: 8 }, (_, i) => hex.slice(i * 4, i * 4 + 4));
    return { kind: 'addr', ip: groups.join(':'), family: 6, dc };
  }
  return { kind: 'unknown' };
}

/** `d.c.b.a.in-addr.arpa` (four octets) or 32 nibbles `.ip6.arpa`, reversed; anything shorter is a zone, not an address. */
function reverseName(lower: string[]): DnsName | undefined {
  const zone = lower.slice(-2).join('.');
  const digits = lower.slice(0, -2).reverse();
  if (zone === 'in-addr.arpa' && digits.length === 4 && isIPv4(digits.join('.'))) return { kind: 'reverse', hex: addrLabel(digits.join('.'))! };
  if (zone === 'ip6.arpa' && digits.length === 32 && digits.every((d) => /^[0-9a-f]$/.test(d))) return { kind: 'reverse', hex: digits.join('') };
  return undefined;
}

/** The `.addr` label for an IP: 8 hex digits for IPv4, 32 for IPv6 (consul agent/dns.go encodeIPAsFqdn). */
export function addrLabel(ip: string): string | undefined {
  if (isIPv4(ip)) return ip.split('.').map((o) => Number(o).toString(16).padStart(2, '0')).join('');
  const groups = expandIPv6(ip);
  return groups ? groups.map((g) => g.padStart(4, '0')).join('') : undefined;
}

export function isIPv4(text: string): boolean {
  const parts = text.split('.');
  return parts.length === 4 && parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255);
}

export function isIPv6(text: string): boolean {
  return expandIPv6(text) !== undefined;
}

function expandIPv6(text: string): string[] | undefined {
  if (!text.includes(':') || !/^[0-9a-fA-F:.]+$/.test(text)) return undefined;
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const split = (s: string) => (s === '' ? [] : s.split(':'));
  const [head, tail] = [split(halves[0]), halves.length === 2 ? split(halves[1]) : []];
  const last = tail.length ? tail : head;
  if (last.length && isIPv4(last[last.length - 1])) {
    const o = last.pop()!.split('.').map(Number);
    last.push(((o[0] << 8) | o[1]).toString(16), ((o[2] << 8) | o[3]).toString(16));
  }
  const missing = 8 - head.length - tail.length;
  if ((halves.length === 1 && missing !== 0) || (halves.length === 2 && missing < 1)) return undefined;
  const groups = [...head, ...Array(halves.length === 2 ? missing : 0).fill('0'), ...tail];
  return groups.every((g) => /^[0-9a-fA-F]{1,4}$/.test(g)) ? groups.map((g) => g.toLowerCase()) : undefined;
}
