// DNS fuzzing: random datagrams, mutated valid queries (bit flips, truncation, appended junk, labels
// over 63 octets) over UDP, and malformed or half-open TCP streams, against a started gateway in front
// of the shared server. Every reply that comes back must itself decode as DNS, and valid queries keep
// getting the right answer throughout and afterwards. Fixed seed, bounded runs.
import fc from 'fast-check';
import { connect, type Socket } from 'node:net';
import * as packet from 'dns-packet';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { startGateway, type Gateway } from '../../dns-gateway/main';
import { encodeQuery, framed, udpAsk, udpExchange } from '../../dns-gateway/test-client';
import { freePort } from './global-setup';

const RUNS = Number(process.env.BEACON_DNS_FUZZ_RUNS ?? 300);
const name = `dnsfuzz-${Math.random().toString(36).slice(2, 8)}`;
let gateway: Gateway;

beforeAll(async () => {
  const base = inject('beaconUrl');
  const res = await fetch(`${base}/v1/catalog/register`, { method: 'PUT', body: JSON.stringify({ Node: `${name}-n`, Address: '10.8.0.1', Service: { ID: name, Service: name, Port: 80 } }) });
  expect(res.status).toBe(200);
  gateway = await startGateway({ port: await freePort(), workerUrl: base, tcpIdleMs: 2000 }, () => {});
});
afterAll(() => gateway?.stop());

const valid = () => udpAsk(gateway.port, `${name}.service.consul`, 'A');
const expectAnswering = async () => expect(await valid()).toMatchObject({ rcode: 'NOERROR', answer: [`${name}.service.consul. 0 IN A 10.8.0.1`] });

const base = encodeQuery('web.service.consul', 'A', { id: 7 });
const datagram = fc.oneof(
  fc.uint8Array({ maxLength: 600 }).map((b) => Buffer.from(b)),
  fc.array(fc.tuple(fc.nat(base.length * 8 - 1)), { minLength: 1, maxLength: 8 }).map((flips) => {
    const b = Buffer.from(base);
    for (const [bit] of flips) b[bit >> 3] ^= 1 << (bit & 7);
    return b;
  }),
  fc.nat(base.length).map((n) => base.subarray(0, n)),
  fc.uint8Array({ minLength: 1, maxLength: 64 }).map((junk) => Buffer.concat([base, Buffer.from(junk)])),
  fc.integer({ min: 64, max: 255 }).map((len) => {
    const header = base.subarray(0, 12);
    return Buffer.concat([header, Buffer.from([Math.min(len, 255)]), Buffer.alloc(Math.min(len, 255), 0x61), Buffer.from([0, 0, 1, 0, 1])]);
  }),
);

it(`keeps answering valid queries through ${RUNS} random and mutated UDP packets, every reply valid DNS`, async () => {
  await expectAnswering();
  let replies = 0;
  await fc.assert(
    fc.asyncProperty(datagram, async (bytes) => {
      const reply = await udpExchange(gateway.port, bytes, 1500);
      if (reply) {
        replies++;
        expect(() => packet.decode(reply), `reply to ${bytes.toString('hex')}`).not.toThrow();
      }
    }),
    { seed: 15, numRuns: RUNS, endOnFailure: true },
  );
  await expectAnswering();
  console.log(`dns-fuzz: ${RUNS} datagrams, ${replies} replies, all valid DNS`);
});

it('keeps answering through malformed and half-open TCP streams, and closes the idle ones', async () => {
  const sockets: Socket[] = [];
  const open = () =>
    new Promise<Socket>((resolve) => {
      const s = connect({ host: '127.0.0.1', port: gateway.port }, () => resolve(s));
      s.on('error', () => {});
      s.resume(); // read, so the gateway's close is seen
      sockets.push(s);
    });
  try {
    const streams = [
      Buffer.from([0xff, 0xff]), // a length it never sends
      Buffer.from([0x00]), // half a length
      Buffer.from([0x00, 0x00]), // a zero-length message
      framed(Buffer.from('not dns at all')),
      Buffer.concat([framed(base), Buffer.from([0x00, 0x40, 1, 2, 3])]), // one query, then a truncated one
      Buffer.alloc(0), // connect and say nothing
    ];
    for (let i = 0; i < 60; i++) (await open()).write(streams[i % streams.length]);
    await expectAnswering();
    const closed = await Promise.all(sockets.map((s) => new Promise<boolean>((resolve) => (s.destroyed ? resolve(true) : s.once('close', () => resolve(true))))));
    expect(closed.every(Boolean), 'the gateway closed every stalled connection (its idle timeout)').toBe(true);
    await expectAnswering();
  } finally {
    for (const s of sockets) s.destroy();
  }
});
