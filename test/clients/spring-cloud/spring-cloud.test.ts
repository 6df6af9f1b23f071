// Spring Cloud Consul 5.0 (spring-cloud-starter-consul-discovery and -consul-config, Spring's own
// RestClient-based ConsulClient) against Beacon: two JVMs of the same jar, "a" and "b".
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { freePort } from '../../e2e/global-setup';
import { SpringApp } from './spring-app';

const base = inject('beaconUrl');
const suffix = crypto.randomUUID().slice(0, 8);
const A = `spring-a-${suffix}`;
const B = `spring-b-${suffix}`;
const GREETING_KEY = `config/${A}/beacon/greeting`; // key-value style: the property beacon.greeting
const TTL_MS = 8_000; // spring.cloud.consul.discovery.heartbeat.ttl in application.yml
const STARTUP_MS = 120_000; // two JVMs starting at once on a loaded 2-core machine

interface Check { CheckID: string; ServiceID: string; Status: string; Type: string; Output: string; ModifyIndex: number }
interface AgentService { ID: string; Service: string; Address: string; Port: number; Meta: Record<string, string> }
interface Hello { app: string; greeting: string }
interface Call { services: string[]; instances: { id: string; uri: string }[]; response?: string }

const beacon = async <T>(path: string, init?: RequestInit) => {
  const res = await fetch(`${base}${path}`, init);
  const text = await res.text();
  return { status: res.status, body: (res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text) as T };
};
const putKv = (key: string, value: string) => beacon<boolean>(`/v1/kv/${key}`, { method: 'PUT', body: value });
const checkOf = async (serviceId: string) =>
  (await beacon<Record<string, Check>>('/v1/agent/checks')).body[`service:${serviceId}`];

/** Polls `read` every 250 ms until `done` holds or `ms` passes, then returns the last value read. */
async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, ms: number): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await sleep(250);
  }
}

let a: SpringApp;
let b: SpringApp;
let aId: string;
let registeredAt = 0;
let passingIndex = 0; // the check's ModifyIndex once passing: a heartbeat that changes nothing keeps it

beforeAll(async () => {
  expect((await putKv(GREETING_KEY, 'hello from KV')).body).toBe(true);
  const consulAddr = new URL(base).host;
  a = new SpringApp(A, await freePort(), consulAddr);
  b = new SpringApp(B, await freePort(), consulAddr);
  aId = `${A}-${a.port}`;
  const up = await until(async () => [await a.get<Hello>('/hello'), await b.get<Hello>('/hello')], (r) => r.every(Boolean), STARTUP_MS);
  expect(up.every(Boolean), `${a.log}\n${b.log}`).toBe(true);
  registeredAt = Date.now();
}, STARTUP_MS + 10_000);

afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
  await beacon(`/v1/kv/config/${A}?recurse`, { method: 'DELETE' });
}, 70_000);

describe('Spring Cloud Consul against Beacon', () => {
  it('registers app a with its address, port and a TTL check its heartbeat turns passing', async () => {
    const service = await beacon<AgentService>(`/v1/agent/service/${aId}`);
    expect(service.status, a.log).toBe(200);
    expect(service.body).toMatchObject({ ID: aId, Service: A, Address: '127.0.0.1', Port: a.port, Meta: { secure: 'false' } });
    const check = await until(() => checkOf(aId), (c) => c?.Status === 'passing', 3 * TTL_MS);
    expect(check, a.log).toMatchObject({ ServiceID: aId, Type: 'ttl', Status: 'passing' });
    passingIndex = check.ModifyIndex;
  }, 30_000);

  it('serves beacon.greeting from config/<app>/beacon/greeting in KV', async () => {
    expect(await a.get<Hello>('/hello')).toEqual({ app: A, greeting: 'hello from KV' });
  });

  it('lets app b find app a through DiscoveryClient (passing only) and call it over HTTP', async () => {
    const call = await until(() => b.get<Call>(`/call?service=${A}`), (c) => (c?.instances.length ?? 0) > 0, 30_000);
    expect(call?.instances, b.log).toEqual([{ id: aId, uri: a.url }]);
    expect(call?.services).toEqual(expect.arrayContaining([A, B]));
    expect(JSON.parse(call?.response ?? '{}')).toEqual({ app: A, greeting: 'hello from KV' });
  }, 40_000);

  it('serves a changed KV value without a restart (the config watch blocks on the prefix)', async () => {
    expect((await putKv(GREETING_KEY, 'changed live')).body).toBe(true);
    const hello = await until(() => a.get<Hello>('/hello'), (h) => h?.greeting === 'changed live', 30_000);
    expect(hello, a.log).toEqual({ app: A, greeting: 'changed live' });
    expect(a.running).toBe(true); // the same JVM: refreshed, not restarted
  }, 40_000);

  it('keeps the TTL check passing past two TTLs by heartbeat alone, never flapping', async () => {
    await sleep(Math.max(0, registeredAt + 2.5 * TTL_MS - Date.now()));
    const check = await checkOf(aId);
    expect(check, a.log).toMatchObject({ Status: 'passing', Type: 'ttl' });
    // An expiry (critical, "TTL expired") and the next heartbeat's passing would each take an index.
    expect(check.ModifyIndex, `${check.Output}\n${a.log}`).toBe(passingIndex);
  }, 40_000);

  it('deregisters app a on a clean stop by PID', async () => {
    await a.stop();
    expect(a.running).toBe(false);
    expect((await beacon(`/v1/agent/service/${aId}`)).status, a.log).toBe(404);
    expect(await checkOf(aId)).toBeUndefined();
    expect((await beacon<unknown[]>(`/v1/health/service/${A}`)).body).toEqual([]);
    const call = await b.get<Call>(`/call?service=${A}`);
    expect(call?.instances).toEqual([]);
    expect(call?.services).not.toContain(A);
  }, 40_000);
});
