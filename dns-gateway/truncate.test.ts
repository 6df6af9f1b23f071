import * as packet from 'dns-packet';
import { describe, expect, it } from 'vitest';
import { encodeWithin, udpLimit } from './truncate';

const srvReply = (n: number): packet.Packet => ({
  id: 1, type: 'response', flags: packet.AUTHORITATIVE_ANSWER,
  questions: [{ name: '_web._tcp.service.consul', type: 'SRV', class: 'IN' }],
  answers: Array.from({ length: n }, (_, i) => ({ name: '_web._tcp.service.consul', type: 'SRV' as const, ttl: 0, data: { priority: 1, weight: 1, port: 8000 + i, target: `n${i}.node.dc1.consul` } })),
  additionals: Array.from({ length: n }, (_, i) => ({ name: `n${i}.node.dc1.consul`, type: 'A' as const, ttl: 0, data: `10.0.0.${i + 1}` })),
});

describe('encodeWithin', () => {
  it('leaves a reply that fits untouched', () => {
    const bytes = encodeWithin(srvReply(2), 512);
    expect(packet.decode(bytes)).toMatchObject({ flag_tc: false, answers: { length: 2 }, additionals: { length: 2 } });
  });

  it('cuts answers to 512 bytes, keeps the additional records of the surviving targets, sets TC', () => {
    const bytes = encodeWithin(srvReply(20), 512);
    const p = packet.decode(bytes);
    expect(bytes.length).toBeLessThanOrEqual(512);
    expect(p.flag_tc).toBe(true);
    expect(p.answers!.length).toBeGreaterThan(0);
    expect(p.answers!.length).toBeLessThan(20);
    const targets = p.answers!.map((a) => (a as packet.StringAnswer & { data: packet.SrvData }).data.target);
    expect(p.additionals!.map((a) => a.name).every((n) => targets.includes(n))).toBe(true);
  });

  it('keeps one additional record per surviving SRV record when instances share a target', () => {
    const shared = srvReply(3);
    for (const r of shared.answers!) (r as packet.StringAnswer & { data: packet.SrvData }).data.target = 'shared.addr.dc1.consul';
    shared.additionals = shared.additionals!.map((r) => ({ ...r, name: 'shared.addr.dc1.consul', data: '10.0.0.9' }) as packet.Answer);
    // Room for one SRV record and its address, not for two SRV records.
    const limit = packet.encode({ ...shared, answers: shared.answers!.slice(0, 1), additionals: shared.additionals.slice(0, 1) }).length;
    const p = packet.decode(encodeWithin(shared, limit));
    expect(p).toMatchObject({ flag_tc: true, answers: { length: 1 } });
    expect(p.additionals!.map((a) => [a.name, (a as packet.StringAnswer).data])).toEqual([['shared.addr.dc1.consul', '10.0.0.9']]);
  });

  it('uses the whole EDNS0 size when offered', () => {
    const bytes = encodeWithin(srvReply(20), 4096);
    expect(packet.decode(bytes)).toMatchObject({ flag_tc: false, answers: { length: 20 } });
  });

  it('drops only additional records without setting TC when the answers alone fit', () => {
    const reply = srvReply(9);
    const answersOnly = packet.encode({ ...reply, additionals: [] }).length;
    const bytes = encodeWithin(reply, answersOnly);
    expect(packet.decode(bytes)).toMatchObject({ flag_tc: false, answers: { length: 9 }, additionals: { length: 0 } });
  });
});

describe('udpLimit', () => {
  const opt = (size: number) => ({ name: '.', type: 'OPT', udpPayloadSize: size }) as unknown as packet.Answer;
  it.each([
    [undefined, 512],
    [1232, 1232],
    [100, 512],
    [65535, 65467],
  ])('EDNS0 size %s → %d', (size, limit) => {
    expect(udpLimit({ additionals: size === undefined ? [] : [opt(size)] })).toBe(limit);
  });
});
