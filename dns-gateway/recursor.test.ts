// Names outside consul. go to configured recursors (a tiny DNS server started here on 127.0.0.1, never a
// real resolver), and so do reverse names that are not Beacon's; without recursors they are refused;
// with every recursor down the answer is SERVFAIL.
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer, type Server } from 'node:net';
import * as packet from 'dns-packet';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { freePort } from '../test/e2e/global-setup';
import { startGateway, type Gateway } from './main';
import { tcpAsk, udpAsk } from './test-client';

const UPSTREAM_RECORDS = [
  { name: 'example.org', type: 'A', data: '192.0.2.1' },
  { name: '9.2.0.192.in-addr.arpa', type: 'PTR', data: 'upstream.example.org' },
];

function answerFor(query: Buffer): Buffer {
  const q = packet.decode(query);
  const [question] = q.questions!;
  const record = UPSTREAM_RECORDS.find((r) => r.name === question.name.toLowerCase() && r.type === question.type);
  return packet.encode({
    id: q.id, type: 'response', flags: packet.RECURSION_AVAILABLE | (record ? 0 : 3), questions: q.questions,
    answers: record ? [{ ...record, name: question.name, ttl: 60 } as packet.Answer] : [],
  });
}

async function startUpstream(port: number): Promise<{ stop(): Promise<void> }> {
  const udp: UdpSocket = createSocket('udp4');
  udp.on('message', (m, from) => udp.send(answerFor(m), from.port, from.address));
  await new Promise<void>((r) => udp.bind(port, '127.0.0.1', r));
  const tcp: Server = createServer((s) =>
    s.once('data', (d) => {
      const reply = answerFor(d.subarray(2));
      s.end(Buffer.concat([Buffer.from([reply.length >> 8, reply.length & 0xff]), reply]));
    }),
  );
  await new Promise<void>((r) => tcp.listen(port, '127.0.0.1', r));
  return { stop: () => Promise.all([new Promise((r) => udp.close(() => r(null))), new Promise((r) => tcp.close(r))]).then(() => {}) };
}

describe('recursors', () => {
  let upstream: { stop(): Promise<void> };
  let forwarding: Gateway;
  let refusing: Gateway;
  let deadEnd: Gateway;

  beforeAll(async () => {
    const upstreamPort = await freePort();
    upstream = await startUpstream(upstreamPort);
    const workerUrl = inject('beaconUrl');
    forwarding = await startGateway({ port: await freePort(), workerUrl, recursors: [`127.0.0.1:${await freePort()}`, `127.0.0.1:${upstreamPort}`], recursorTimeoutMs: 300 }, () => {});
    refusing = await startGateway({ port: await freePort(), workerUrl }, () => {});
    deadEnd = await startGateway({ port: await freePort(), workerUrl, recursors: [`127.0.0.1:${await freePort()}`], recursorTimeoutMs: 200 }, () => {});
  });
  afterAll(async () => {
    await Promise.all([forwarding?.stop(), refusing?.stop(), deadEnd?.stop(), upstream?.stop()]);
  });

  it('forwards foreign names over UDP and TCP, past a recursor that does not answer', async () => {
    for (const ask of [udpAsk, tcpAsk]) {
      const reply = await ask(forwarding.port, 'example.org', 'A');
      expect(reply.rcode).toBe('NOERROR');
      expect(reply.answer).toEqual(['example.org. 60 IN A 192.0.2.1']);
    }
    expect((await udpAsk(forwarding.port, 'missing.example.org', 'A')).rcode).toBe('NXDOMAIN');
  });

  it('still answers consul. names itself', async () => {
    expect((await udpAsk(forwarding.port, 'beacon.node.consul', 'A')).answer).toEqual(['beacon.node.consul. 0 IN A 127.0.0.1']);
  });

  it('answers reverse names of its own nodes itself and asks the recursors for the rest', async () => {
    expect((await udpAsk(forwarding.port, '1.0.0.127.in-addr.arpa', 'PTR')).answer).toEqual(['1.0.0.127.in-addr.arpa. 0 IN PTR beacon.node.dc1.consul']);
    expect((await udpAsk(forwarding.port, '9.2.0.192.in-addr.arpa', 'PTR')).answer).toEqual(['9.2.0.192.in-addr.arpa. 60 IN PTR upstream.example.org']);
    expect((await udpAsk(refusing.port, '9.2.0.192.in-addr.arpa', 'PTR')).rcode).toBe('REFUSED');
  });

  it('refuses foreign names without recursors, and SERVFAILs when none answers', async () => {
    expect((await udpAsk(refusing.port, 'example.org', 'A')).rcode).toBe('REFUSED');
    expect((await udpAsk(deadEnd.port, 'example.org', 'A')).rcode).toBe('SERVFAIL');
  });
});
