// HAProxy (Debian's haproxy) discovering its servers through Beacon's DNS gateway, as a new user sets it
// up: `server-template … _<service>._tcp.service.consul resolvers …` with three instances on one address,
// different ports. Server state is read from HAProxy's runtime API; traffic goes through HAProxy to real backends.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { configFromEnv } from '../../../dns-gateway/config';
import { startGateway, type Gateway } from '../../../dns-gateway/main';
import { freePort } from '../../e2e/global-setup';
import { get, RESOLUTION_MAINT, startBackend, startHaproxy, type Backend, type Haproxy } from './harness';

const service = `hap-${crypto.randomUUID().slice(0, 8)}`;
const SLOTS = 5;

describe('HAProxy server-template over Beacon DNS', () => {
  let base: string;
  let dir: string;
  let gateway: Gateway;
  let haproxy: Haproxy;
  let frontendPort: number;
  const backends: Backend[] = [];

  const register = async (b: Backend) => {
    const body = { ID: `${service}-${b.name}`, Name: service, Address: '127.0.0.1', Port: b.port };
    const res = await fetch(`${base}/v1/agent/service/register`, { method: 'PUT', body: JSON.stringify(body) });
    expect(res.status, await res.text()).toBe(200);
  };
  const deregister = async (b: Backend) => {
    const res = await fetch(`${base}/v1/agent/service/deregister/${service}-${b.name}`, { method: 'PUT' });
    expect(res.status, await res.text()).toBe(200);
  };
  /** Ports of the slots HAProxy has an address for and does not hold in MAINT (resolution). */
  const live = async () =>
    (await haproxy.servers())
      .filter((s) => (Number(s.srv_admin_state) & RESOLUTION_MAINT) === 0 && s.srv_addr === '127.0.0.1')
      .map((s) => Number(s.srv_port))
      .sort();
  /** Waits (bounded) until HAProxy's live slots are exactly these backends; fails with its state and log. */
  const untilServing = async (expected: Backend[]) => {
    const want = expected.map((b) => b.port).sort();
    const deadline = Date.now() + 30_000;
    let seen: number[] = [];
    while (Date.now() < deadline) {
      seen = await live();
      if (JSON.stringify(seen) === JSON.stringify(want)) return;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(seen, `servers state:\n${JSON.stringify(await haproxy.servers(), null, 1)}\nhaproxy:\n${haproxy.output()}`).toEqual(want);
  };
  const traffic = async (requests: number) => {
    const answers = new Set<string>();
    for (let i = 0; i < requests; i++) answers.add(await get(frontendPort));
    return [...answers].sort();
  };

  beforeAll(async () => {
    base = inject('beaconUrl');
    dir = await mkdtemp(join(tmpdir(), 'beacon-haproxy-'));
    gateway = await startGateway(
      configFromEnv({ BEACON_DNS_HOST: '127.0.0.1', BEACON_DNS_PORT: String(await freePort()), BEACON_DNS_WORKER_URL: base }),
      () => {},
    );
    for (const name of ['a', 'b', 'c']) backends.push(await startBackend(name));
    for (const b of backends) await register(b);
    frontendPort = await freePort();
    haproxy = await startHaproxy({ dir, frontendPort, dnsPort: gateway.port, srvName: `_${service}._tcp.service.consul`, slots: SLOTS });
  });

  afterAll(async () => {
    await haproxy?.stop();
    await gateway?.stop();
    await Promise.all(backends.map((b) => b.close()));
    await rm(dir, { recursive: true, force: true });
  });

  it('fills one slot per instance sharing one address, and sends traffic to all three', async () => {
    await untilServing(backends);
    const idle = (await haproxy.servers()).filter((s) => (Number(s.srv_admin_state) & RESOLUTION_MAINT) !== 0);
    expect(idle).toHaveLength(SLOTS - 3);
    expect(await traffic(9)).toEqual(['200 a', '200 b', '200 c']);
  });

  it('drops a deregistered instance', async () => {
    const [a, b, c] = backends;
    await deregister(b);
    await untilServing([a, c]);
    expect(await traffic(6)).toEqual(['200 a', '200 c']);
  });

  it('picks up a new instance', async () => {
    const d = await startBackend('d');
    backends.push(d);
    await register(d);
    const [a, , c] = backends;
    await untilServing([a, c, d]);
    expect(await traffic(9)).toEqual(['200 a', '200 c', '200 d']);
  });
});
