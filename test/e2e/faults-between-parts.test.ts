// Faults between the parts: the DNS gateway losing its worker (killed, or accepting connections and
// never answering) answers SERVFAIL within its worker timeout and recovers when the worker is back;
// a blocking query held while the server dies settles (answer or error), never hanging past its wait.
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { startGateway } from '../../dns-gateway/main';
import { decodeReply, encodeQuery, udpExchange } from '../../dns-gateway/test-client';
import { startBeacon } from './beacon-process';
import { freePort } from './global-setup';

const WORKER_TIMEOUT_MS = 1000;
/** Longer than the gateway's worker timeout: a reply inside it is the gateway's SERVFAIL, not a hang. */
const CLIENT_WAIT_MS = WORKER_TIMEOUT_MS + 2000;

async function ask(port: number, name: string) {
  const reply = await udpExchange(port, encodeQuery(name, 'A'), CLIENT_WAIT_MS);
  return reply ? decodeReply(reply) : undefined;
}

it('answers SERVFAIL while its worker is dead, and answers again once it is back; a held blocking query settles', { timeout: 300_000 }, async () => {
  const persistTo = await mkdtemp(join(tmpdir(), 'beacon-faults-'));
  const port = await freePort();
  let beacon = await startBeacon(port, persistTo);
  const gateway = await startGateway({ port: await freePort(), workerUrl: beacon.url, workerTimeoutMs: WORKER_TIMEOUT_MS, cacheMs: 0 }, () => {});
  try {
    const reg = await fetch(`${beacon.url}/v1/catalog/register`, { method: 'PUT', body: JSON.stringify({ Node: 'n1', Address: '10.7.0.1', Service: { ID: 'f1', Service: 'faulty', Port: 80 } }) });
    expect(reg.status).toBe(200);
    expect(await ask(gateway.port, 'faulty.service.consul')).toMatchObject({ rcode: 'NOERROR', answer: ['faulty.service.consul. 0 IN A 10.7.0.1'] });

    // A blocking query held on the service when the server dies.
    const first = await fetch(`${beacon.url}/v1/health/service/faulty`);
    const index = first.headers.get('X-Consul-Index');
    await first.arrayBuffer();
    const WAIT_S = 60;
    const held = fetch(`${beacon.url}/v1/health/service/faulty?index=${index}&wait=${WAIT_S}s`).then(
      async (res) => `answered ${res.status} ${await res.text()}`,
      (err: Error) => `error ${err.message}`,
    );
    const pastWait = new Promise<string>((resolve) => setTimeout(() => resolve('hung past its wait'), WAIT_S * 1000 + 5000).unref());

    await beacon.kill();
    expect(await Promise.race([held, pastWait])).not.toBe('hung past its wait');
    expect(await ask(gateway.port, 'faulty.service.consul')).toMatchObject({ rcode: 'SERVFAIL' });
    expect(await ask(gateway.port, 'faulty.service.consul')).toMatchObject({ rcode: 'SERVFAIL' });

    beacon = await startBeacon(port, persistTo);
    expect(await ask(gateway.port, 'faulty.service.consul')).toMatchObject({ rcode: 'NOERROR', answer: ['faulty.service.consul. 0 IN A 10.7.0.1'] });
  } finally {
    await gateway.stop();
    await beacon.stop();
    await rm(persistTo, { recursive: true, force: true });
  }
});

it('answers SERVFAIL when its worker accepts connections and never replies', async () => {
  const sockets = new Set<Socket>();
  const blackhole = createServer((s) => (sockets.add(s), s.on('error', () => {})));
  await new Promise<void>((resolve) => blackhole.listen(0, '127.0.0.1', resolve));
  const { port } = blackhole.address() as { port: number };
  const gateway = await startGateway({ port: await freePort(), workerUrl: `http://127.0.0.1:${port}`, workerTimeoutMs: WORKER_TIMEOUT_MS, cacheMs: 0 }, () => {});
  try {
    const replies = await Promise.all(Array.from({ length: 5 }, () => ask(gateway.port, 'web.service.consul')));
    expect(replies.map((r) => r?.rcode)).toEqual(Array(5).fill('SERVFAIL'));
  } finally {
    await gateway.stop();
    for (const s of sockets) s.destroy();
    await new Promise((resolve) => blackhole.close(resolve));
  }
});
