// One DNS message in, one out: decodes the query with dns-packet, refuses what Beacon does not serve
// (FORMERR, NOTIMP, REFUSED), answers the question, and encodes the reply. Shared by every transport.
import { Buffer } from 'node:buffer';
import * as packet from 'dns-packet';
import { answer, type DnsSettings, type Rcode, type Reply, type Sources } from './answer';

// RFC 1035 4.1.1 rcodes by name (dns-packet decodes them to names but exports no table).
const RCODES: Record<Rcode, number> = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 };
const OPCODE_MASK = 0xf << 11;
/** What Beacon offers over EDNS0: the gateway truncates to the client's size, DoH has no limit. */
export const EDNS_UDP_SIZE = 4096;

export type Decoded = packet.DecodedPacket;

/** Decodes a query; undefined when the bytes are not a DNS message. */
export function decodeQuery(bytes: Uint8Array): Decoded | undefined {
  try {
    return packet.decode(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  } catch {
    return undefined;
  }
}

/** A bare error reply for bytes that did not decode: only the ID is kept (undefined without one). */
export function formatError(bytes: Uint8Array): Uint8Array | undefined {
  if (bytes.byteLength < 2) return undefined;
  const id = (bytes[0] << 8) | bytes[1];
  return packet.encode({ id, type: 'response', flags: RCODES.FORMERR, questions: [] });
}

/** The reply's bytes and the smallest TTL in it (what RFC 8484 asks a DoH Cache-Control max-age to be). */
export async function respond(bytes: Uint8Array, sources: Sources, settings: DnsSettings): Promise<{ bytes: Uint8Array; ttl: number } | undefined> {
  const query = decodeQuery(bytes);
  if (!query) {
    const error = formatError(bytes);
    return error && { bytes: error, ttl: 0 };
  }
  const reply = await replyTo(query, sources, settings);
  const ttls = [...reply.answers, ...reply.authorities].map((r) => ('ttl' in r ? (r.ttl ?? 0) : 0));
  return { bytes: encodeReply(query, reply), ttl: ttls.length ? Math.min(...ttls) : 0 };
}

async function replyTo(query: Decoded, sources: Sources, settings: DnsSettings): Promise<Reply> {
  const empty = (rcode: Rcode): Reply => ({ rcode, answers: [], authorities: [], additionals: [] });
  if (query.type !== 'query' || query.questions?.length !== 1) return empty('FORMERR');
  if (((query.flags ?? 0) & OPCODE_MASK) !== 0) return empty('NOTIMP');
  const [q] = query.questions;
  if (q.class !== 'IN' && q.class !== 'ANY') return empty('REFUSED');
  // consul agent/dns.go: zone transfers are not implemented.
  if (q.type === 'AXFR' || q.type === 'IXFR') return empty('NOTIMP');
  try {
    return await answer({ name: q.name, type: q.type }, sources, settings);
  } catch (err) {
    console.error('dns: lookup failed:', err);
    return empty('SERVFAIL');
  }
}

export function encodeReply(query: Decoded, reply: Reply): Uint8Array {
  const authoritative = reply.rcode !== 'REFUSED' && reply.rcode !== 'FORMERR' && reply.rcode !== 'NOTIMP';
  const echoed = (query.flags ?? 0) & (OPCODE_MASK | packet.RECURSION_DESIRED | packet.CHECKING_DISABLED);
  const flags = echoed | (authoritative ? packet.AUTHORITATIVE_ANSWER : 0) | RCODES[reply.rcode];
  const hasOpt = query.additionals?.some((r) => r.type === 'OPT');
  const opt = { name: '.', type: 'OPT', udpPayloadSize: EDNS_UDP_SIZE, extendedRcode: 0, ednsVersion: 0, flags: 0, options: [] } as unknown as packet.Answer;
  return packet.encode({
    id: query.id,
    type: 'response',
    flags,
    questions: reply.rcode === 'FORMERR' ? [] : (query.questions ?? []),
    answers: reply.answers,
    authorities: reply.authorities,
    additionals: [...reply.additionals, ...(hasOpt ? [opt] : [])],
  });
}
