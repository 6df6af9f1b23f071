// The gateway stays up whatever arrives: malformed packets get FORMERR (or nothing when there is no ID to
// answer), and an unreachable worker gets SERVFAIL fast until it is back.
import { createServer as createHttpServer } from 'node:http';
import { createServer, connect, type Server, type Socket } from 'node:net';
import * as packet from 'dns-packet';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { freePort } from '../test/e2e/global-setup';
import { startGateway, type Gateway } from './main';
import { decodeReply, encodeQuery, framed, tcpExchange, udpAsk, udpExchange } from './test-client';

const header = (qd: number, flags = 0x0100) => Buffer.from([0x12, 0x34, flags >> 8, flags & 0xff, 0, qd, 0, 0, 0, 0, 0, 0]);
const TYPE_A = Buffer.from([0, 1, 0, 1]);
const CONSUL = Buffer.from([6, ...Buffer.from('consul'), 0]);
const label = (n: number) => Buffer.concat([Buffer.from([n]), Buffer.alloc(n, 0x61)]);

const MALFORMED: Array<[string, Buffer]> = [
  ['a truncated header', Buffer.from([0x12, 0x34, 0x01, 0x00, 0x00])],
  ['a question count with no question', header(1)],
  ['a question cut inside its name', Buffer.concat([header(1), Buffer.from([5, 0x61, 0x62])])],
  ['a compression pointer to itself', Buffer.concat([header(1), Buffer.from([0xc0, 0x0c]), TYPE_A])],
  ['a compression loop between two pointers', Buffer.concat([header(1), Buffer.from([0xc0, 0x0e, 0xc0, 0x0c]), TYPE_A])],
  ['a name over 255 bytes', Buffer.concat([header(1), label(63), label(63), label(63), label(63), label(63), Buffer.from([0]), TYPE_A])],
  ['a reserved label type', Buffer.concat([header(1), Buffer.from([0x41, 0x61, 0]), TYPE_A])],
  ['no question', header(0)],
  ['two questions', Buffer.concat([header(2), encodeQuery('a.consul', 'A').subarray(12), encodeQuery('b.consul', 'A').subarray(12)])],
  ['a response instead of a query', Buffer.concat([header(1, 0x8100), encodeQuery('a.consul', 'A').subarray(12)])],
  // dns-packet reads labels as UTF-8: these would be echoed longer (up to 189 octets) or split in two.
  ['a label with bytes that are not UTF-8', Buffer.concat([header(1), Buffer.from([3, 0xff, 0xfe, 0x80]), CONSUL, TYPE_A])],
  ['a 63-octet label of bytes that are not UTF-8', Buffer.concat([header(1), Buffer.from([63]), Buffer.alloc(63, 0xc3), CONSUL, TYPE_A])],
  ['a label holding a dot', Buffer.concat([header(1), Buffer.from([3, 0x61, 0x2e, 0x62]), CONSUL, TYPE_A])],
];

describe('dns-gateway robustness', () => {
  let gateway: Gateway;
  const stillServing = async () => expect((await udpAsk(gateway.port, 'beacon.node.consul', 'A')).rcode).toBe('NOERROR');

  beforeAll(async () => {
    gateway = await startGateway({ port: await freePort(), workerUrl: inject('beaconUrl') }, () => {});
  });
  afterAll(() => gateway?.stop());

  it.each(MALFORMED)('answers %s with FORMERR over UDP and TCP, and keeps serving', async (_, bytes) => {
    expect(decodeReply((await udpExchange(gateway.port, bytes))!)).toMatchObject({ id: 0x1234, rcode: 'FORMERR' });
    expect(decodeReply((await tcpExchange(gateway.port, framed(bytes)))!)).toMatchObject({ id: 0x1234, rcode: 'FORMERR' });
    await stillServing();
  });

  it('echoes a question byte for byte: case and UTF-8 labels kept', async () => {
    for (const name of ['BeAcOn.NoDe.CoNsUl', 'café.node.consul', 'ünïcode.service.consul']) {
      const query = encodeQuery(name, 'A');
      for (const reply of [await udpExchange(gateway.port, query), await tcpExchange(gateway.port, framed(query))]) {
        expect(reply!.subarray(12, query.length).equals(query.subarray(12))).toBe(true);
      }
    }
  });

  it('ignores a datagram too short to carry an ID', async () => {
    expect(await udpExchange(gateway.port, Buffer.from([7]), 300)).toBeUndefined();
    await stillServing();
  });

  it('answers an unknown type and an unknown opcode without failing', async () => {
    expect((await udpAsk(gateway.port, 'beacon.node.consul', 'UNKNOWN_65000')).rcode).toBe('NOERROR');
    const status = encodeQuery('beacon.node.consul', 'A');
    status.writeUInt16BE(0x1000 | 0x0100, 2); // opcode 2 (STATUS)
    expect(decodeReply((await udpExchange(gateway.port, status))!).rcode).toBe('NOTIMP');
  });

  it('survives random bytes, and TCP frames that are empty, cut short or abandoned', async () => {
    for (let i = 0; i < 300; i++) {
      const junk = Buffer.from(Array.from({ length: 1 + Math.floor(Math.random() * 80) }, () => Math.floor(Math.random() * 256)));
      await udpExchange(gateway.port, junk, 50);
    }
    expect(await tcpExchange(gateway.port, Buffer.from([0, 0]), 500)).toBeUndefined();
    const abandoned = connect({ host: '127.0.0.1', port: gateway.port });
    abandoned.on('error', () => {});
    abandoned.write(Buffer.from([0, 40, 1, 2, 3]));
    abandoned.destroy();
    await stillServing();
    expect((await tcpExchange(gateway.port, framed(encodeQuery('beacon.node.consul', 'A'))))!.length).toBeGreaterThan(12);
  });
});

describe('dns-gateway EDNS', () => {
  it('echoes a client subnet option with scope 0, as Consul does', async () => {
    const gateway = await startGateway({ port: await freePort(), workerUrl: inject('beaconUrl') }, () => {});
    try {
      const subnet = { code: 'CLIENT_SUBNET', family: 1, sourcePrefixLength: 24, ip: '192.0.2.0' };
      const query = packet.encode({
        type: 'query', id: 7, flags: packet.RECURSION_DESIRED, questions: [{ name: 'beacon.node.consul', type: 'A' }],
        additionals: [{ type: 'OPT', name: '.', udpPayloadSize: 1232, options: [subnet] } as unknown as packet.Answer],
      });
      const reply = packet.decode((await udpExchange(gateway.port, query))!);
      const opt = reply.additionals?.find((r) => r.type === 'OPT') as unknown as { options: Record<string, unknown>[] };
      expect(opt.options).toEqual([expect.objectContaining({ code: 8, family: 1, sourcePrefixLength: 24, scopePrefixLength: 0, ip: '192.0.2.0' })]);
      const plain = packet.decode((await udpExchange(gateway.port, encodeQuery('beacon.node.consul', 'A', { ednsSize: 1232 })))!);
      expect((plain.additionals?.find((r) => r.type === 'OPT') as unknown as { options: unknown[] }).options).toEqual([]);
    } finally {
      await gateway.stop();
    }
  });
});

describe('dns-gateway with the worker unreachable', () => {
  it('answers SERVFAIL quickly, and recovers once the worker is back', async () => {
    const workerPort = await freePort();
    const gateway = await startGateway({ port: await freePort(), workerUrl: `http://127.0.0.1:${workerPort}`, cacheMs: 0 }, () => {});
    let proxy: Server | undefined;
    const open = new Set<Socket>();
    try {
      const started = performance.now();
      expect((await udpAsk(gateway.port, 'beacon.node.consul', 'A')).rcode).toBe('SERVFAIL');
      expect(performance.now() - started).toBeLessThan(500);
      // The worker comes back on the same port (here: a TCP proxy to it).
      const target = new URL(inject('beaconUrl'));
      proxy = createServer((client) => {
        open.add(client);
        const upstream = connect({ host: target.hostname, port: Number(target.port) });
        client.pipe(upstream).pipe(client);
        client.on('error', () => upstream.destroy());
        upstream.on('error', () => client.destroy());
      });
      await new Promise<void>((r) => proxy!.listen(workerPort, '127.0.0.1', r));
      expect((await udpAsk(gateway.port, 'beacon.node.consul', 'A')).rcode).toBe('NOERROR');
    } finally {
      await gateway.stop();
      open.forEach((s) => s.destroy());
      await new Promise((r) => (proxy ? proxy.close(r) : r(null)));
    }
  });

  it('answers SERVFAIL after the worker timeout when the worker hangs', async () => {
    const hanging = createHttpServer(() => {});
    const hangPort = await freePort();
    await new Promise<void>((r) => hanging.listen(hangPort, '127.0.0.1', r));
    const gateway = await startGateway({ port: await freePort(), workerUrl: `http://127.0.0.1:${hangPort}`, workerTimeoutMs: 300 }, () => {});
    try {
      const started = performance.now();
      expect((await udpAsk(gateway.port, 'web.service.consul', 'A')).rcode).toBe('SERVFAIL');
      expect(performance.now() - started).toBeLessThan(1000);
    } finally {
      await gateway.stop();
      hanging.closeAllConnections();
      await new Promise((r) => hanging.close(r));
    }
  });
});
