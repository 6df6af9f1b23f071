// Faults between the parts: the DNS gateway losing its worker (killed, or accepting connections and
// never answering) answers SERVFAIL within its worker timeout and recovers when the worker is back;
// a blocking query held while the server dies settles (answer or error), never hanging past its wait;
// a datacenter whose object cannot be reached (its storage unreadable, so the object never starts) is
// skipped by prepared-query failover, which answers from the next datacenter instead of hanging.
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { startGateway } from '../../dns-gateway/main';
import { decodeReply, encodeQuery, udpExchange } from '../../dns-gateway/test-client';
import { BEACON_UNIQUE_KEY, doStorageDir } from '../../scripts/workerd-runtime';
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

it('fails a prepared query over past a datacenter that is unreachable, to the next one, without hanging', { timeout: 300_000 }, async () => {
  const persistTo = await mkdtemp(join(tmpdir(), 'beacon-faults-dc-'));
  const port = await freePort();
  let beacon = await startBeacon(port, persistTo);
  const objects = join(doStorageDir(persistTo), BEACON_UNIQUE_KEY);
  const sqliteFiles = async () => (await readdir(objects)).filter((f) => f.endsWith('.sqlite'));
  const put = async (path: string, body: unknown, method = 'PUT') => {
    const res = await fetch(`${beacon.url}${path}`, { method, body: JSON.stringify(body) });
    expect(res.status, `${path}: ${await res.clone().text()}`).toBe(200);
    return res.json();
  };
  // Past any remote timeout (1 s in scripts/local-federation.json): a reply before it is not a hang.
  const NOT_A_HANG_MS = 30_000;
  const execute = async (name: string) => {
    const res = await fetch(`${beacon.url}/v1/query/${name}/execute`, { signal: AbortSignal.timeout(NOT_A_HANG_MS) });
    const body = (await res.json()) as { Datacenter: string; Failovers: number; Nodes: { Service: { ID: string } }[] };
    return [res.status, body.Datacenter, body.Failovers, body.Nodes.map((n) => n.Service.ID), res.headers.get('X-Beacon-Skipped-Datacenters')];
  };
  try {
    // dc1's instance is critical, so the query fails over: dc2 first, then dc3.
    await put('/v1/catalog/register', { Node: 'n1', Address: '10.8.0.1', Service: { ID: 'far-1', Service: 'far', Port: 80 }, Check: { CheckID: 'far-1-down', Name: 'down', ServiceID: 'far-1', Status: 'critical' } });
    const before = await sqliteFiles();
    await put('/v1/catalog/register?dc=dc2', { Node: 'n2', Address: '10.8.0.2', Service: { ID: 'far-2', Service: 'far', Port: 80 } });
    const dc2File = (await sqliteFiles()).filter((f) => !before.includes(f));
    expect(dc2File, "dc2's object file").toHaveLength(1);
    await put('/v1/catalog/register?dc=dc3', { Node: 'n3', Address: '10.8.0.3', Service: { ID: 'far-3', Service: 'far', Port: 80 } });
    await put('/v1/query', { Name: 'far-q', Service: { Service: 'far', Failover: { Datacenters: ['dc2', 'dc3'] } } }, 'POST');
    expect(await execute('far-q')).toEqual([200, 'dc2', 1, ['far-2'], null]);

    // dc2 becomes unreachable: its storage is unreadable, so its object fails every call.
    await beacon.stop();
    await writeFile(join(objects, dc2File[0]), Buffer.alloc(8192, 0x5a));
    for (const suffix of ['-wal', '-shm']) await rm(join(objects, dc2File[0] + suffix), { force: true });
    beacon = await startBeacon(port, persistTo);

    expect(await execute('far-q')).toEqual([200, 'dc3', 2, ['far-3'], 'dc2']);
    // A read sent to dc2 itself answers an error rather than waiting; dc1 and dc3 keep answering.
    const direct = await fetch(`${beacon.url}/v1/catalog/service/far?dc=dc2`, { signal: AbortSignal.timeout(NOT_A_HANG_MS) });
    expect(direct.status).toBe(500);
    await direct.arrayBuffer();
    const dc3 = await fetch(`${beacon.url}/v1/catalog/service/far?dc=dc3`);
    expect(((await dc3.json()) as { ServiceID: string }[]).map((e) => e.ServiceID)).toEqual(['far-3']);
  } finally {
    await beacon.stop();
    await rm(persistTo, { recursive: true, force: true });
  }
});
