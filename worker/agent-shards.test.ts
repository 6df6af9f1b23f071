import { env } from 'cloudflare:test';
import { describe, expect, inject, it } from 'vitest';
import { advanceShard, restart, settled, shardFor } from '../durable-objects/shards/test-support';
import { api, getJson, put, registerService, uniq } from './test-support';

type Checks = Record<string, { Status: string; Output: string }>;
type Entry = { Checks: { CheckID: string; Status: string; Output: string }[] };

const DC = 'dc1';
const datacenter = () => env.DATACENTER_OBJECT.getByName(DC);
const agentCheck = async (id: string) => (await getJson<Checks>('/v1/agent/checks')).body[id];
const catalogCheck = async (service: string, id: string) =>
  (await getJson<Entry[]>(`/v1/health/service/${service}`)).body[0]?.Checks.find((c) => c.CheckID === id);
const beat = async (verb: string, id: string, note = '') => (await put(`/v1/agent/check/${verb}/${id}?note=${note}`)).status;

async function registered() {
  const name = uniq('shard');
  await registerService({ ID: name, Name: name, Check: { TTL: '10m', Status: 'passing' } });
  return { name, id: `service:${name}` };
}

describe('TTL checks over HTTP with agent shards', () => {
  it('send an unchanged heartbeat to its shard only: no Datacenter request', async () => {
    const { id } = await registered();
    expect(await beat('pass', id, 'steady')).toBe(200);
    const before = await datacenter().getStats();
    for (let i = 0; i < 5; i++) expect(await beat('pass', id, 'steady')).toBe(200);
    expect((await datacenter().getStats()).requests).toBe(before.requests);
    expect((await shardFor(DC, id).getStats()).checks).toContain(id);
  });

  it('show an output-only change at once in /v1/agent/checks, and in the catalog at the next sync', async () => {
    const { name, id } = await registered();
    expect(await beat('pass', id, 'fresh')).toBe(200);
    expect(await agentCheck(id)).toMatchObject({ Status: 'passing', Output: 'fresh' });
    expect(await catalogCheck(name, id)).toMatchObject({ Status: 'passing', Output: '' });
  });

  it('lose nothing when the shard restarts: state, heartbeats, status changes and deregistration', async () => {
    const { name, id } = await registered();
    expect(await beat('warn', id, 'before')).toBe(200);
    expect(await beat('warn', id, 'held')).toBe(200);
    await restart(shardFor(DC, id));
    expect(await agentCheck(id)).toMatchObject({ Status: 'warning', Output: 'held' });
    expect(await beat('pass', id, 'after')).toBe(200);
    expect(await catalogCheck(name, id)).toMatchObject({ Status: 'passing', Output: 'after' });
    expect((await put(`/v1/agent/service/deregister/${name}`)).status).toBe(200);
    expect(await beat('pass', id)).toBe(404);
  });

  it('lose nothing when the Datacenter restarts: the shard keeps its checks and the catalog hears changes', async () => {
    const { name, id } = await registered();
    expect(await beat('pass', id, 'held')).toBe(200);
    await restart(datacenter());
    expect(await agentCheck(id)).toMatchObject({ Status: 'passing', Output: 'held' });
    expect(await beat('fail', id, 'down')).toBe(200);
    expect(await catalogCheck(name, id)).toMatchObject({ Status: 'critical', Output: 'down' });
    const passing = await getJson<Entry[]>(`/v1/health/service/${name}?passing`);
    expect(passing.body).toEqual([]);
    expect((await put(`/v1/agent/check/deregister/${id}`)).status).toBe(200);
    expect(await beat('pass', id)).toBe(404);
  });

  it('answer a heartbeat sent to the wrong shard through the Datacenter, which hands it to the owner', async () => {
    const { name, id } = await registered();
    const owner = shardFor(DC, id);
    await owner.sync({ replace: false, own: [], drop: [id] });
    expect(await beat('warn', id, 'rerouted')).toBe(200);
    expect((await owner.getStats()).checks).toContain(id);
    expect(await catalogCheck(name, id)).toMatchObject({ Status: 'warning', Output: 'rerouted' });
  });

  it('keep Consul answers for unknown checks and checks without a TTL', async () => {
    expect(await beat('pass', uniq('nope'))).toBe(404);
    const name = uniq('http');
    await registerService({ ID: name, Name: name, Check: { HTTP: 'http://127.0.0.1:1/', Interval: '1h' } });
    const res = await api(`/v1/agent/check/pass/service:${name}`, { method: 'PUT' });
    expect(res.status).toBe(500);
    expect(await res.text()).toBe(`CheckID "service:${name}" does not have associated TTL`);
  });
});

describe('HTTP and TCP checks over HTTP with agent shards', () => {
  const TARGET = inject('checkTarget');

  it('lose no HTTP or TCP check when the shard or the Datacenter restarts', async () => {
    const name = uniq('probe');
    const [http, tcp] = [`${name}-http`, `${name}-tcp`];
    const answer = (code: number) => fetch(`http://${TARGET}/switch/${name}?code=${code}`, { method: 'PUT' });
    const catalog = async () => {
      const entry = (await getJson<Entry[]>(`/v1/health/service/${name}`)).body[0];
      return Object.fromEntries(entry.Checks.filter((c) => c.CheckID !== 'serfHealth').map((c) => [c.CheckID, c.Status]));
    };
    // Every check's run comes within a minute: the shards' clocks move a minute on and their alarms fire.
    const runAll = async () => {
      for (const id of [http, tcp]) await advanceShard(shardFor(DC, id), 60_001);
    };
    await answer(200);
    await registerService({
      ID: name, Name: name,
      Checks: [{ CheckID: http, Name: 'http', HTTP: `http://${TARGET}/switch/${name}`, Interval: '1m' }, { CheckID: tcp, Name: 'tcp', TCP: TARGET, Interval: '1m' }],
    });
    await settled(datacenter());
    await runAll();
    expect(await catalog()).toEqual({ [http]: 'passing', [tcp]: 'passing' });

    await answer(503);
    for (const id of [http, tcp]) await restart(shardFor(DC, id));
    await runAll();
    expect(await catalog()).toEqual({ [http]: 'critical', [tcp]: 'passing' });

    await answer(200);
    await restart(datacenter());
    await runAll();
    expect(await catalog()).toEqual({ [http]: 'passing', [tcp]: 'passing' });
    for (const id of [http, tcp]) expect((await shardFor(DC, id).getStats()).checks).toContain(id);

    expect((await put(`/v1/agent/service/deregister/${name}`)).status).toBe(200);
    for (const id of [http, tcp]) expect((await shardFor(DC, id).getStats()).checks).not.toContain(id);
  });
});
