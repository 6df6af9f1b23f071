// GET /v1/catalog/services is answered from a per-service aggregate (durable-objects/catalog/service-tags.ts).
// Each case is a list of writes and the answer for its services; every step is also checked against the
// fold over every instance that answered before (still what `?filter=` takes), byte for byte.
import { describe, expect, it } from 'vitest';
import { inObject } from '../../durable-objects/test-support';
import { env } from 'cloudflare:test';
import { api, put, registerService, uniq } from '../test-support';

type Step =
  | { catalog: string; service: { Service: string; ID?: string; Tags?: string[] } }
  | { agent: { ID: string; Name: string; Tags?: string[] } }
  | { deregister: string; serviceId?: string }
  | { agentDeregister: string }
  | { txn: unknown[] };

interface Case { name: string; steps: Step[]; answer: Record<string, string[]> }

/** Every `$` in a case is its own prefix, so cases share the datacenter without seeing each other. */
const CASES: Case[] = [
  {
    name: 'tags are the union over instances, first seen walking nodes then service IDs',
    steps: [
      { catalog: '$-n2', service: { Service: '$-web', Tags: ['c', 'a'] } },
      { catalog: '$-n1', service: { Service: '$-web', Tags: ['b', 'a'] } },
    ],
    answer: { '$-web': ['b', 'a', 'c'] },
  },
  {
    name: 'a service without tags lists []',
    steps: [{ agent: { ID: '$-x', Name: '$-plain' } }],
    answer: { '$-plain': [] },
  },
  {
    name: 're-registering with other tags replaces the instance\'s tags',
    steps: [
      { agent: { ID: '$-1', Name: '$-api', Tags: ['v1', 'blue'] } },
      { agent: { ID: '$-2', Name: '$-api', Tags: ['v1'] } },
      { agent: { ID: '$-1', Name: '$-api', Tags: ['green'] } },
    ],
    answer: { '$-api': ['green', 'v1'] },
  },
  {
    name: 'a change to anything but the name and tags keeps the answer',
    steps: [
      { agent: { ID: '$-1', Name: '$-meta', Tags: ['a'] } },
      { catalog: '$-n1', service: { Service: '$-meta', ID: '$-2', Tags: ['b'] } },
      { agent: { ID: '$-1', Name: '$-meta', Tags: ['a'], Port: 81 } as never },
    ],
    answer: { '$-meta': ['a', 'b'] },
  },
  {
    name: 'renaming an instance moves it; the old name goes with its last instance',
    steps: [
      { agent: { ID: '$-1', Name: '$-old', Tags: ['t'] } },
      { agent: { ID: '$-1', Name: '$-new', Tags: ['t'] } },
    ],
    answer: { '$-new': ['t'] },
  },
  {
    name: 'deregistering one instance keeps the others\' tags; the last one drops the service',
    steps: [
      { agent: { ID: '$-1', Name: '$-db', Tags: ['primary'] } },
      { agent: { ID: '$-2', Name: '$-db', Tags: ['replica'] } },
      { agent: { ID: '$-3', Name: '$-cache', Tags: ['x'] } },
      { agentDeregister: '$-1' },
      { agentDeregister: '$-3' },
    ],
    answer: { '$-db': ['replica'] },
  },
  {
    name: 'removing a node removes its services',
    steps: [
      { catalog: '$-n1', service: { Service: '$-a', Tags: ['one'] } },
      { catalog: '$-n1', service: { Service: '$-b', ID: '$-b1' } },
      { catalog: '$-n2', service: { Service: '$-a', Tags: ['two'] } },
      { deregister: '$-n1' },
    ],
    answer: { '$-a': ['two'] },
  },
  {
    name: 'names differing only in case are separate keys, each first seen as the fold saw it',
    steps: [
      { catalog: '$-n2', service: { Service: '$-Mixed', Tags: ['upper'] } },
      { catalog: '$-n1', service: { Service: '$-mixed', Tags: ['lower'] } },
      { catalog: '$-n3', service: { Service: '$-MIXED', ID: 'm3', Tags: ['caps'] } },
    ],
    answer: { '$-mixed': ['lower'], '$-Mixed': ['upper'], '$-MIXED': ['caps'] },
  },
  {
    name: 'names beyond ASCII, which SQLite folds only in their ASCII letters',
    steps: [
      { agent: { ID: '$-1', Name: '$-Über', Tags: ['ü'] } },
      { agent: { ID: '$-2', Name: '$-über', Tags: ['u'] } },
      { agent: { ID: '$-3', Name: '$-ÜBER' } },
      { agentDeregister: '$-2' },
    ],
    answer: { '$-Über': ['ü'], '$-ÜBER': [] },
  },
  {
    name: 'transactions register and remove services too',
    steps: [
      { catalog: '$-n1', service: { Service: '$-t', ID: '$-t1', Tags: ['kept'] } },
      { txn: [
        { Service: { Verb: 'set', Node: '$-n1', Service: { ID: '$-t2', Service: '$-t', Tags: ['added'] } } },
        { Service: { Verb: 'delete', Node: '$-n1', Service: { ID: '$-t1' } } },
      ] },
    ],
    answer: { '$-t': ['added'] },
  },
];

const fill = <T>(value: T, prefix: string): T => JSON.parse(JSON.stringify(value).replaceAll('$', prefix));

async function apply(step: Step): Promise<void> {
  const res =
    'catalog' in step ? await put('/v1/catalog/register', { Node: step.catalog, Address: '10.0.0.1', Service: step.service })
    : 'agent' in step ? await put('/v1/agent/service/register', step.agent)
    : 'deregister' in step ? await put('/v1/catalog/deregister', { Node: step.deregister, ServiceID: step.serviceId })
    : 'agentDeregister' in step ? await put(`/v1/agent/service/deregister/${encodeURIComponent(step.agentDeregister)}`)
    : await put('/v1/txn', step.txn);
  if (res.status !== 200) throw new Error(`${JSON.stringify(step)}: ${res.status} ${await res.text()}`);
}

const text = async (path: string, dc = 'dc1') => {
  const res = await api(`${path}${path.includes('?') ? '&' : '?'}dc=${dc}`);
  expect(res.status).toBe(200);
  return { text: await res.text(), index: res.headers.get('X-Consul-Index') };
};
/** The answer as the fold over every instance gives it: a filter that keeps every instance. */
const FOLD = `/v1/catalog/services?filter=${encodeURIComponent('ServiceID != "-"')}`;

async function expectSameAsFold(dc = 'dc1'): Promise<Record<string, string[]>> {
  const [plain, fold] = [await text('/v1/catalog/services', dc), await text(FOLD, dc)];
  expect(plain).toEqual(fold);
  expect(await text('/v1/catalog/services?pretty', dc)).toEqual(await text(`${FOLD}&pretty`, dc));
  return JSON.parse(plain.text);
}

describe('GET /v1/catalog/services from the per-service aggregate', () => {
  it.each(CASES)('$name', async ({ steps, answer }) => {
    const prefix = uniq('st');
    for (const step of fill(steps, prefix)) {
      await apply(step);
      await expectSameAsFold();
    }
    const all = await expectSameAsFold();
    const ours = Object.fromEntries(Object.entries(all).filter(([name]) => name.startsWith(prefix)));
    expect(Object.entries(ours)).toEqual(Object.entries(fill(answer, prefix)));
  });

  it('refreshes only the services a write names, never rebuilding from every instance', async () => {
    await expectSameAsFold();
    const builds = () => inObject(env.DATACENTER_OBJECT.getByName('dc1'), (dc) => dc.serviceTags.builds);
    const before = await builds();
    const name = uniq('one');
    await registerService({ ID: name, Name: name, Tags: ['a'] });
    await put(`/v1/agent/service/deregister/${name}`);
    await registerService({ ID: name, Name: name, Tags: ['b'] });
    expect((await expectSameAsFold())[name]).toEqual(['b']);
    expect(await builds()).toBe(before);
  });

  it('answers the restored catalog after a snapshot restore', async () => {
    const [kept, dropped] = [uniq('kept'), uniq('dropped')];
    const register = (name: string, tags: string[]) => put('/v1/catalog/register?dc=dc2', { Node: name, Address: '10.0.0.2', Service: { Service: name, Tags: tags } });
    await register(kept, ['k']);
    expect(Object.keys(await expectSameAsFold('dc2'))).toContain(kept);
    const file = new Uint8Array(await (await api('/v1/snapshot?dc=dc2')).arrayBuffer());
    await register(dropped, []);
    expect(Object.keys(await expectSameAsFold('dc2'))).toContain(dropped);
    expect((await api('/v1/snapshot?dc=dc2', { method: 'PUT', body: file })).status).toBe(200);
    const after = await expectSameAsFold('dc2');
    expect(after[kept]).toEqual(['k']);
    expect(after[dropped]).toBeUndefined();
  });
});
