// One query in, one reply out, for both transports: answers repeated queries from cached wire bytes,
// refuses what does not decode (or whose question would not echo byte for byte), forwards foreign names
// (and reverse names the worker refuses) to recursors, asks the worker for the rest (answers.ts keeps
// them fresh), and fits the reply to the transport. Never throws.
import * as packet from 'dns-packet';
import { AnswerStore, type Upstream } from './answers';
import type { GatewayConfig } from './config';
import { questionEchoes } from './question';
import { foldName, nameEnd, queryHash, sameQuery, storedQuery, type Transport } from './reply-key';
import { forward } from './recursor';
import { encodeWithin, TCP_MAX, udpLimit } from './truncate';

export type { Transport };
export interface Handler {
  (message: Buffer, transport: Transport): Promise<Buffer | undefined>;
  /** The reply from cached bytes, synchronously, when there is one: the listeners try this first. */
  cached(message: Buffer, transport: Transport): Buffer | undefined;
  stats(): { hits: number; loads: number; refreshes: number; watched: number };
  close(): void;
}

const DOMAIN = 'consul';
const [FORMERR, SERVFAIL] = [1, 2];
const OPCODE_MASK = 0xf << 11;
const ECHOED = OPCODE_MASK | packet.RECURSION_DESIRED | packet.CHECKING_DISABLED;
const OUR_EDNS_SIZE = 4096;
/** Orders kept per cached reply, at most: one per instance, each first in one of them. */
const MAX_ORDERINGS = 16;
const CLIENT_SUBNET = 8;

type ClientSubnet = { code: number; family: number; sourcePrefixLength: number; ip: string };

/** A whole reply for one query's bytes (after the ID), in a few orders, valid while its answer's version holds. */
interface CachedReply {
  transport: Transport;
  /** The query after its ID: a hit compares these bytes (the key is only their hash). */
  query: Buffer;
  variants: Buffer[];
  upstream: Upstream;
  version: number;
}

const rcodeOf = (answer: packet.Packet) => (answer as { rcode?: string }).rcode;
/** Names the worker answers: the Consul domain, and reverse names (it knows which addresses are its nodes'). */
const forWorker = (name: string) => {
  const n = name.replace(/\.$/, '').toLowerCase();
  return n === DOMAIN || n.endsWith(`.${DOMAIN}`) || n.endsWith('.arpa');
};

export function createHandler(config: GatewayConfig, log: (message: string) => void = console.error): Handler {
  // Whole replies by a hash of the transport and the query's bytes after its ID: a hit decodes nothing and
  // builds no string (a 40-byte string key and its hashing cost a third of a hit's JavaScript).
  const replies = new Map<number, CachedReply>();
  // The worker's answer per question, shared by every client and EDNS size asking it, kept fresh.
  const answers = new AnswerStore({
    workerUrl: config.workerUrl, workerTimeoutMs: config.workerTimeoutMs, token: config.token, cacheMs: config.cacheMs,
    maxWatched: config.watchMax, idleMs: config.watchIdleMs, waitMs: config.watchWaitMs, log,
  });
  const recursion = config.recursors.length > 0;
  let hits = 0;

  const cached = (message: Buffer, transport: Transport): Buffer | undefined => {
    if (message.length < 12) return undefined;
    const end = nameEnd(message);
    const key = queryHash(message, transport, end);
    const hit = replies.get(key);
    if (!hit || hit.transport !== transport || !sameQuery(message, hit.query, end)) return undefined;
    const upstream = hit.upstream;
    if (hit.version !== upstream.version || (upstream.expires !== Infinity && upstream.expires <= performance.now())) {
      replies.delete(key);
      return undefined;
    }
    answers.touch(upstream);
    hits++;
    const variants = hit.variants;
    return asAsked(variants.length === 1 ? variants[0] : variants[Math.floor(Math.random() * variants.length)], message, end);
  };

  const remember = (message: Buffer, transport: Transport, reply: Omit<CachedReply, 'transport' | 'query'>) => {
    // A flood of distinct queries: start over rather than track the oldest (the answers stay watched).
    if (replies.size >= config.cacheEntries) replies.clear();
    // Another query with the same hash is replaced: the bytes compared on a hit keep the two apart.
    replies.set(queryHash(message, transport), { transport, query: storedQuery(message), ...reply });
  };

  const handle = async (message: Buffer, transport: Transport): Promise<Buffer | undefined> => {
    if (message.length < 2) return undefined;
    const hit = cached(message, transport);
    if (hit) return hit;
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
      // One answer whatever the case of the name (a 0x20 client would otherwise be a new watch per query):
      // the worker is asked in lower case, so answer names are lower case; the question is echoed as asked.
      const name = foldName(question.name);
      const upstreamKey = `${name}|${question.type}|${question.class}|${flags}`;
      const upstream = await answers.get(upstreamKey, () => packet.encode({ id: 0, type: 'query', flags, questions: [{ ...question, name }] }));
      const { answer, version } = upstream;
      // A reverse name the worker does not own is refused: as Consul does, ask the recursors instead.
      if (recursion && rcodeOf(answer) === 'REFUSED') return await recurse();
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
      if (version >= 0) remember(message, transport, { variants, upstream, version });
      return asAsked(variants[0], message, nameEnd(message));
    } catch (err) {
      log(`dns-gateway: ${question.name} ${question.type}: ${(err as Error).message}`);
      return errorReply(id, flags, SERVFAIL, query.questions);
    }
  };

  return Object.assign(handle, {
    cached,
    stats: () => ({ hits, ...answers.stats, watched: answers.size }),
    close: () => answers.close(),
  });
}

/**
 * Consul shuffles instances on every query (agent/dns.go); a cached answer keeps that by holding one order
 * per instance (up to 16), each with that instance first and the rest shuffled, and picking one per hit:
 * every instance comes first equally often (the worker shuffles, so which 16 changes with each answer).
 * Only address and SRV records are reordered (a CNAME comes first).
 */
function orderings(answers: packet.Answer[]): packet.Answer[][] {
  if (answers.length < 2 || !answers.every((r) => r.type === 'A' || r.type === 'AAAA' || r.type === 'SRV')) return [answers];
  return Array.from({ length: Math.min(answers.length, MAX_ORDERINGS) }, (_, i) => [answers[i], ...shuffled([...answers.slice(0, i), ...answers.slice(i + 1)])]);
}

function shuffled<T>(items: T[]): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [copy[i], copy[j]] = [copy[j], copy[i]];
  }
  return copy;
}

/**
 * A copy of a cached reply carrying the query's ID and its question name's bytes (the same name in another
 * case; a header-only reply has none), as the cached bytes may still be queued for another client.
 */
function asAsked(reply: Buffer, query: Buffer, nameEnd: number): Buffer {
  const copy = Buffer.from(reply);
  copy[0] = query[0];
  copy[1] = query[1];
  if (copy[5] === 1 && copy[4] === 0) query.copy(copy, 12, 12, nameEnd);
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
