// One query in, one reply out, for both transports: answers repeated queries from the cache, refuses
// what does not decode (or whose question would not echo byte for byte), forwards foreign names (and
// reverse names the worker refuses) to recursors, relays the rest to the worker, and fits the reply to
// the transport. Never throws.
import * as packet from 'dns-packet';
import { AnswerCache } from './cache';
import type { GatewayConfig } from './config';
import { questionEchoes } from './question';
import { forward } from './recursor';
import { relay } from './relay';
import { encodeWithin, TCP_MAX, udpLimit } from './truncate';

export type Transport = 'udp' | 'tcp';
export type Handler = (message: Buffer, transport: Transport) => Promise<Buffer | undefined>;

const DOMAIN = 'consul';
const [FORMERR, SERVFAIL] = [1, 2];
const OPCODE_MASK = 0xf << 11;
const ECHOED = OPCODE_MASK | packet.RECURSION_DESIRED | packet.CHECKING_DISABLED;
const OUR_EDNS_SIZE = 4096;
const ORDERINGS = 6;
const CLIENT_SUBNET = 8;

type ClientSubnet = { code: number; family: number; sourcePrefixLength: number; ip: string };

const cacheable = (answer: packet.Packet) => (answer as { rcode?: string }).rcode !== 'SERVFAIL';
/** Names the worker answers: the Consul domain, and reverse names (it knows which addresses are its nodes'). */
const forWorker = (name: string) => {
  const n = name.replace(/\.$/, '').toLowerCase();
  return n === DOMAIN || n.endsWith(`.${DOMAIN}`) || n.endsWith('.arpa');
};

export function createHandler(config: GatewayConfig, log: (message: string) => void = console.error): Handler {
  // Whole replies keyed by the query's bytes after its ID (and the transport): a hit decodes nothing.
  const replies = new AnswerCache<Buffer[]>(config.cacheMs, config.cacheEntries);
  // The worker's answer per question, shared by every client and EDNS size asking it.
  const answers = new AnswerCache<packet.Packet>(config.cacheMs, config.cacheEntries);
  const recursion = config.recursors.length > 0;

  return async (message, transport) => {
    if (message.length < 2) return undefined;
    const key = transport[0] + message.toString('latin1', 2);
    const hit = replies.get(key);
    if (hit) return withId(hit[Math.floor(Math.random() * hit.length)], message);
    let query: packet.DecodedPacket;
    try {
      query = packet.decode(message);
    } catch {
      return errorReply(message.readUInt16BE(0), 0, FORMERR);
    }
    const id = query.id ?? 0;
    const flags = (query.flags ?? 0) & ECHOED;
    if (query.type !== 'query' || query.questions?.length !== 1) return errorReply(id, flags, FORMERR);
    const [question] = query.questions;
    if (!questionEchoes(message, question)) return errorReply(id, flags, FORMERR);
    const recurse = async () =>
      (await forward(message, transport, config.recursors, config.recursorTimeoutMs)) ?? errorReply(id, flags, SERVFAIL, query.questions);
    if (recursion && !forWorker(question.name)) return recurse();
    try {
      const upstreamKey = `${question.name}|${question.type}|${question.class}|${flags}`;
      const { value: answer, expires } = await answers.fetch(upstreamKey, async () => {
        const relayed = packet.encode({ id: 0, type: 'query', flags, questions: [question] });
        return packet.decode(await relay(config.workerUrl, relayed, config.workerTimeoutMs));
      }, cacheable);
      // A reverse name the worker does not own is refused: as Consul does, ask the recursors instead.
      if (recursion && (answer as { rcode?: string }).rcode === 'REFUSED') return await recurse();
      const clientOpt = query.additionals?.find((r) => r.type === 'OPT') as { options?: ClientSubnet[] } | undefined;
      // EDNS client subnet (RFC 7871) is echoed with scope 0, as Consul does: every answer suits every subnet.
      const subnet = clientOpt?.options?.find((o) => o.code === CLIENT_SUBNET);
      const options = subnet ? [{ code: CLIENT_SUBNET, family: subnet.family, sourcePrefixLength: subnet.sourcePrefixLength, scopePrefixLength: 0, ip: subnet.ip }] : [];
      const opt = { name: '.', type: 'OPT', udpPayloadSize: OUR_EDNS_SIZE, extendedRcode: 0, ednsVersion: 0, flags: 0, options } as unknown as packet.Answer;
      const reply: packet.Packet = {
        ...answer,
        id,
        flags: (answer.flags ?? 0) | (recursion ? packet.RECURSION_AVAILABLE : 0),
        questions: query.questions,
        additionals: [...(answer.additionals ?? []).filter((r) => r.type !== 'OPT'), ...(clientOpt ? [opt] : [])],
      };
      const limit = transport === 'udp' ? udpLimit(query) : TCP_MAX;
      const variants = orderings(reply.answers ?? []).map((answers) => encodeWithin({ ...reply, answers }, limit));
      if (cacheable(answer)) replies.set(key, variants, expires);
      return withId(variants[0], message);
    } catch (err) {
      log(`dns-gateway: ${question.name} ${question.type}: ${(err as Error).message}`);
      return errorReply(id, flags, SERVFAIL, query.questions);
    }
  };
}

/**
 * Consul shuffles instances on every query (agent/dns.go); a cached answer keeps that by holding a few
 * shuffled orders and picking one per hit. Only address and SRV records are reordered (a CNAME comes first).
 */
function orderings(answers: packet.Answer[]): packet.Answer[][] {
  if (answers.length < 2 || !answers.every((r) => r.type === 'A' || r.type === 'AAAA' || r.type === 'SRV')) return [answers];
  return Array.from({ length: ORDERINGS }, (_, i) => (i === 0 ? answers : shuffled(answers)));
}

function shuffled<T>(items: T[]): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [copy[i], copy[j]] = [copy[j], copy[i]];
  }
  return copy;
}

/** A copy of a cached reply carrying the query's ID. */
function withId(reply: Buffer, query: Buffer): Buffer {
  const copy = Buffer.from(reply);
  copy[0] = query[0];
  copy[1] = query[1];
  return copy;
}

function errorReply(id: number, flags: number, rcode: number, questions: packet.Question[] = []): Buffer {
  try {
    return packet.encode({ id, type: 'response', flags: flags | rcode, questions });
  } catch {
    // A question that decoded but does not encode again (an unknown class): answer without it.
    return packet.encode({ id, type: 'response', flags: flags | rcode, questions: [] });
  }
}
