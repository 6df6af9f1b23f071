// Answer texts shared per selection and index (durable-objects/engine/answer-texts.ts, worker/http/shared-answers.ts):
// one selection never gets another's bytes, and every write that changes the rows read gives new bytes.
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { inObject } from '../../durable-objects/test-support';
import type { ServiceListingSummary } from '../consul/ui';
import { api, put, uniq } from '../test-support';

interface Entry {
  Node: { Node: string; Meta: Record<string, string> };
  Service: { ID: string; Tags: string[] };
  Checks: { Status: string }[];
}

const dc1 = () => env.DATACENTER_OBJECT.getByName('dc1');

async function register(node: string, meta: Record<string, string>, id: string, service: string, tags: string[], status: string) {
  const res = await put('/v1/catalog/register', {
    Node: node, Address: '10.0.0.1', NodeMeta: meta,
    Service: { ID: id, Service: service, Tags: tags, Port: 80 },
    Checks: [{ CheckID: `chk-${id}`, Name: 'alive', Status: status, ServiceID: id }],
  });
  expect(res.status).toBe(200);
}

async function text(path: string, index = 0): Promise<{ index: number; text: string }> {
  const res = await api(index ? `${path}${path.includes('?') ? '&' : '?'}index=${index}&wait=5s` : path);
  expect(res.status).toBe(200);
  return { index: Number(res.headers.get('X-Consul-Index')), text: await res.text() };
}

/** What each selection must answer, computed from the whole list (the reference is independent of the cache). */
const SELECTIONS: [string, (e: Entry) => boolean][] = [
  ['', () => true],
  ['?passing', (e) => e.Checks.every((c) => c.Status === 'passing')],
  ['?passing=false', () => true],
  ['?tag=a', (e) => e.Service.Tags.includes('a')],
  ['?tag=B', (e) => e.Service.Tags.includes('b')],
  ['?tag=a&tag=b', (e) => e.Service.Tags.includes('a') && e.Service.Tags.includes('b')],
  ['?tag=a&passing', (e) => e.Service.Tags.includes('a') && e.Checks.every((c) => c.Status === 'passing')],
  ['?node-meta=env:prod', (e) => e.Node.Meta.env === 'prod'],
  [`?filter=${encodeURIComponent('"b" in Service.Tags')}`, (e) => e.Service.Tags.includes('b')],
  [`?filter=${encodeURIComponent('"b" in Service.Tags')}&passing`, (e) => e.Service.Tags.includes('b') && e.Checks.every((c) => c.Status === 'passing')],
  ['?near=_agent', () => true],
];

describe('shared health/service answers', () => {
  it('answers each selection its own bytes, in any order, through every write that changes the rows', async () => {
    const [svc, n1, n2] = [uniq('svc'), uniq('n1'), uniq('n2')];
    await register(n1, { env: 'prod' }, `${svc}-1`, svc, ['a'], 'passing');
    await register(n2, { env: 'dev' }, `${svc}-2`, svc, ['b'], 'critical');
    await register(n1, { env: 'prod' }, `${svc}-3`, svc, ['a', 'b'], 'passing');
    const writes = [
      () => register(n2, { env: 'dev' }, `${svc}-2`, svc, ['b'], 'passing'), // a check flips
      () => register(n1, { env: 'prod' }, `${svc}-3`, svc, ['b'], 'passing'), // tags change
      () => register(n2, { env: 'prod' }, `${svc}-2`, svc, ['b'], 'passing'), // node meta changes
      () => register(n1, { env: 'prod' }, `${svc}-1`, svc, ['a'], 'critical'), // a check fails
      async () => expect((await put('/v1/catalog/deregister', { Node: n1, ServiceID: `${svc}-3` })).status).toBe(200),
    ];
    for (let step = 0; step <= writes.length; step++) {
      if (step) await writes[step - 1]();
      // Selections read in a different order each step, so whichever is built first differs.
      const order = step % 2 ? [...SELECTIONS].reverse() : SELECTIONS;
      const whole = JSON.parse((await text(`/v1/health/service/${svc}`)).text) as Entry[];
      for (const [query, keep] of order) {
        const expected = JSON.stringify(whole.filter(keep));
        expect({ query, step, text: (await text(`/v1/health/service/${svc}${query}`)).text }).toEqual({ query, step, text: expected });
      }
      const pretty = (await text(`/v1/health/service/${svc}?passing&pretty`)).text;
      expect(pretty).toBe(`${JSON.stringify(whole.filter(SELECTIONS[1][1]), null, 4)}\n`);
    }
  });

  it('builds a selection once per index, however many read it, and again after a write to its rows only', async () => {
    const [svc, other, n1] = [uniq('svc'), uniq('other'), uniq('n1')];
    await register(n1, {}, `${svc}-1`, svc, ['a'], 'passing');
    const built = () => inObject(dc1(), (dc) => dc.answers.built);
    await text(`/v1/health/service/${svc}?tag=a`);
    const before = await built();
    for (let i = 0; i < 5; i++) await text(`/v1/health/service/${svc}?tag=a`);
    expect(await built()).toBe(before);
    // A write to another service's rows leaves this text as it is.
    await register(n1, {}, `${other}-1`, other, [], 'passing');
    await text(`/v1/health/service/${svc}?tag=a`);
    expect(await built()).toBe(before);
    await register(n1, {}, `${svc}-2`, svc, ['a'], 'passing');
    const after = JSON.parse((await text(`/v1/health/service/${svc}?tag=a`)).text) as Entry[];
    expect(await built()).toBe(before + 1);
    expect(after.map((e) => e.Service.ID)).toEqual([`${svc}-1`, `${svc}-2`]);
  });

  it('wakes watchers of different selections each with their own answer', async () => {
    const [svc, n1] = [uniq('svc'), uniq('n1')];
    await register(n1, {}, `${svc}-1`, svc, ['a'], 'passing');
    await register(n1, {}, `${svc}-2`, svc, ['b'], 'passing');
    const { index } = await text(`/v1/health/service/${svc}`);
    const watches = ['?tag=a', '?tag=b', '?passing', ''].map((query) => text(`/v1/health/service/${svc}${query}`, index).then((r) => [query, r] as const));
    // Parked or not, each watcher must see the write: it answers once the index passes `index`.
    await register(n1, {}, `${svc}-1`, svc, ['a'], 'critical');
    const answers = Object.fromEntries(await Promise.all(watches));
    const ids = (query: string) => (JSON.parse(answers[query].text) as Entry[]).map((e) => e.Service.ID);
    for (const query of Object.keys(answers)) expect(answers[query].index).toBeGreaterThan(index);
    expect(ids('?tag=a')).toEqual([`${svc}-1`]);
    expect(ids('?tag=b')).toEqual([`${svc}-2`]);
    expect(ids('?passing')).toEqual([`${svc}-2`]);
    expect(ids('')).toEqual([`${svc}-1`, `${svc}-2`]);
  });
});

describe('shared UI summaries', () => {
  it('keys the services and nodes summaries by filter, and rebuilds them after a change', async () => {
    const [svc, n1] = [uniq('svc'), uniq('n1')];
    await register(n1, {}, `${svc}-1`, svc, ['a'], 'passing');
    const only = (name: string) => `?filter=${encodeURIComponent(`Service.Service == "${name}"`)}`;
    const summary = async (query: string) => JSON.parse((await text(`/v1/internal/ui/services${query}`)).text) as ServiceListingSummary[];
    expect((await summary(only(svc))).map((s) => [s.Name, s.ChecksPassing, s.ChecksCritical])).toEqual([[svc, 1, 0]]);
    expect(await summary(only(`${svc}-none`))).toEqual([]);
    const all = await summary('');
    expect(all.some((s) => s.Name === svc)).toBe(true);
    await register(n1, {}, `${svc}-1`, svc, ['a'], 'critical');
    expect((await summary(only(svc))).map((s) => [s.Name, s.ChecksPassing, s.ChecksCritical])).toEqual([[svc, 0, 1]]);
    const nodes = JSON.parse((await text(`/v1/internal/ui/nodes?filter=${encodeURIComponent(`Node == "${n1}"`)}`)).text) as { Node: string; Checks: { Status: string }[] }[];
    expect(nodes.map((n) => [n.Node, n.Checks.map((c) => c.Status)])).toEqual([[n1, ['critical']]]);
    expect((await text('/v1/internal/ui/nodes?pretty')).text).toMatch(/^\[\n {4}\{/);
  });

  it('refuses a bad filter with Consul\'s text and reads nothing', async () => {
    for (const path of ['/v1/internal/ui/services', '/v1/internal/ui/nodes', '/v1/health/service/web']) {
      const res = await api(`${path}?filter=${encodeURIComponent('Service ==')}`);
      expect(res.status).toBe(400);
      expect(await res.text()).toMatch(/^Failed to create boolean expression evaluator/);
    }
  });
});
