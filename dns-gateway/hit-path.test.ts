// The hit path (reply-key.ts, handler.ts `cached`) answers exactly as the slow path would: each packet is
// answered by a handler that has never seen it (the slow path: decode, ask the worker, encode) and by one
// primed with another packet; where the primed one answers from its cache, the bytes are the same (but for a
// negative answer's SOA serial, which is the time).
import * as packet from 'dns-packet';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parseConfig } from './config';
import { createHandler, type Handler } from './handler';
import { nameEnd } from './reply-key';
import { decodeReply, encodeQuery } from './test-client';

const SERVICE = `hit-${Math.random().toString(36).slice(2, 8)}`;
const NAME = `${SERVICE}.service.consul`;
const opt = (udpPayloadSize: number, options: object[] = []) =>
  ({ name: '.', type: 'OPT', udpPayloadSize, extendedRcode: 0, ednsVersion: 0, flags: 0, options }) as unknown as packet.Answer;
const query = (name: string, type: string, { id = 0x4242, additionals = [] as packet.Answer[] } = {}) =>
  packet.encode({ id, type: 'query', flags: packet.RECURSION_DESIRED, questions: [{ name, type: type as packet.RecordType, class: 'IN' }], additionals });
/** A question of a type number dns-packet has no name for. */
const unknownType = (name: string) => {
  const known = query(name, 'A');
  known.writeUInt16BE(0xff00, known.length - 4);
  return known;
};
const cookie = (letter: string) => ({ code: 10, data: Buffer.alloc(8, letter) });
/** The bytes with a negative answer's SOA serial zeroed: it is Unix time (Consul's), so it moves between two asks. */
function sansSerial(reply: Buffer): Buffer {
  const soa = packet.decode(reply).authorities?.find((r) => r.type === 'SOA');
  if (!soa) return reply;
  const { serial, refresh, retry, expire, minimum } = soa.data as packet.SoaData;
  const fields = Buffer.alloc(20);
  [serial, refresh, retry, expire, minimum].forEach((n, i) => fields.writeUInt32BE(n!, i * 4));
  const at = reply.indexOf(fields);
  expect(at).toBeGreaterThan(12);
  return Buffer.concat([reply.subarray(0, at), Buffer.alloc(4), reply.subarray(at + 4)]);
}

/** [case, primer (fills the cache), packet asked, whether it is answered from the cache]. */
const CASES: Array<[string, Buffer, Buffer, boolean]> = [
  ['the same query', query(NAME, 'A'), query(NAME, 'A'), true],
  ['another ID', query(NAME, 'A', { id: 1 }), query(NAME, 'A', { id: 2 }), true],
  ['the name in odd case (0x20)', query(NAME, 'A'), query(NAME.replace(/[aeiou]/g, (c) => c.toUpperCase()), 'A'), true],
  ['an odd-case primer, a lower-case query', query(NAME.toUpperCase(), 'SRV'), query(NAME, 'SRV'), true],
  ['with EDNS, odd case', query(NAME, 'A', { additionals: [opt(1232)] }), query(NAME.toUpperCase(), 'A', { additionals: [opt(1232)] }), true],
  ['with EDNS against without', query(NAME, 'A'), query(NAME, 'A', { additionals: [opt(4096)] }), false],
  ['another EDNS size', query(NAME, 'A', { additionals: [opt(4096)] }), query(NAME, 'A', { additionals: [opt(1232)] }), false],
  ['letters outside the name keep their case (an EDNS cookie)', query(NAME, 'A', { additionals: [opt(4096, [cookie('a')])] }), query(NAME, 'A', { additionals: [opt(4096, [cookie('A')])] }), false],
  ['another type', query(NAME, 'A'), query(NAME, 'SRV'), false],
  ['an unknown type', unknownType(NAME), unknownType(NAME.toUpperCase()), true],
  ['a node name in odd case', query('beacon.node.consul', 'A'), query('BEACON.Node.Consul', 'A'), true],
  ['a missing name in odd case', query(`no-${SERVICE}.service.consul`, 'A'), query(`NO-${SERVICE}.SERVICE.consul`, 'A'), true],
  ['a non-ASCII label is not folded', query(`é${SERVICE}.service.consul`, 'A'), query(`É${SERVICE}.service.consul`, 'A'), false],
  ['a truncated packet', query(NAME, 'A'), query(NAME, 'A').subarray(0, 20), false],
  ['a packet cut in its question type', query(NAME, 'A'), query(NAME, 'A').subarray(0, -3), false],
];

describe('the hit path answers as the slow path', () => {
  const config = parseConfig({ workerUrl: inject('beaconUrl') });
  const handlers: Handler[] = [];
  const fresh = () => {
    const handler = createHandler(config, () => {});
    handlers.push(handler);
    return handler;
  };
  beforeAll(async () => {
    const res = await fetch(`${inject('beaconUrl')}/v1/catalog/register`, {
      method: 'PUT',
      body: JSON.stringify({ Node: `${SERVICE}-node`, Address: '10.0.42.1', Service: { ID: SERVICE, Service: SERVICE, Port: 4242 } }),
    });
    expect(res.ok).toBe(true);
  });
  afterAll(() => handlers.forEach((h) => h.close()));

  it.each(CASES)('%s', async (_, primer, asked, hit) => {
    for (const transport of ['udp', 'tcp'] as const) {
      const slow = await fresh()(asked, transport);
      const primed = fresh();
      await primed(primer, transport);
      const cached = primed.cached(asked, transport);
      expect(cached !== undefined, transport).toBe(hit);
      expect(sansSerial((cached ?? (await primed(asked, transport)))!)).toEqual(sansSerial(slow!));
      // A reply with a question carries it exactly as asked, whatever was asked before.
      if (slow!.readUInt16BE(4) === 1) expect(slow!.subarray(12, nameEnd(asked)).equals(asked.subarray(12, nameEnd(asked)))).toBe(true);
    }
  });

  it('asks the worker once for a name however its case varies', async () => {
    const handler = fresh();
    const spellings = [NAME, NAME.toUpperCase(), NAME.replace(/e/g, 'E'), NAME.replace(/s/g, 'S')];
    for (const name of spellings) {
      const asked = encodeQuery(name, 'A');
      const reply = (await handler(asked, 'udp'))!;
      expect(reply.subarray(12, 12 + name.length + 2).equals(asked.subarray(12, 12 + name.length + 2))).toBe(true);
      expect(decodeReply(reply).answer).toEqual([`${NAME}. 0 IN A 10.0.42.1`]);
    }
    expect(handler.stats()).toMatchObject({ loads: 1, hits: spellings.length - 1 });
  });
});
