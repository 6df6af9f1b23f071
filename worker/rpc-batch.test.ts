import { describe, expect, it } from 'vitest';
import { freshDatacenter } from '../durable-objects/test-support';
import { batchStats } from './fast-batches';
import { api, registerService, uniq } from './test-support';

const bytes = (text: string) => new TextEncoder().encode(text).buffer as ArrayBuffer;
const put = (key: string, body: string) =>
  api(`/v1/kv/${key}`, { method: 'PUT', body, headers: { 'Content-Length': String(new TextEncoder().encode(body).byteLength) } });
const entry = async (key: string) => ((await (await api(`/v1/kv/${key}`)).json()) as { Value: string; ModifyIndex: number }[])[0];
const decode = (value: string) => atob(value);
const N = 24;

describe('plain calls coalesced into one RPC', () => {
  it('answers every one of many concurrent puts to one key, in fewer RPCs than puts', async () => {
    const key = uniq('batch-one');
    const before = batchStats().puts;
    const answers = await Promise.all(Array.from({ length: N }, (_, i) => put(key, `v${i}`).then(async (r) => [r.status, await r.text()])));
    const after = batchStats().puts;
    expect(answers).toEqual(Array.from({ length: N }, () => [200, 'true']));
    expect(after.calls - before.calls).toBe(N);
    expect(after.batches - before.batches).toBeLessThan(N);
    expect(Array.from({ length: N }, (_, i) => `v${i}`)).toContain(decode((await entry(key)).Value));
  });

  it('gives concurrent puts to different keys distinct indexes, each its own value', async () => {
    const keys = Array.from({ length: N }, (_, i) => `${uniq('batch-many')}/${i}`);
    const answers = await Promise.all(keys.map((key) => put(key, key).then((r) => r.text())));
    expect(answers.every((a) => a === 'true')).toBe(true);
    const entries = await Promise.all(keys.map(entry));
    expect(entries.map((e) => decode(e.Value))).toEqual(keys);
    expect(new Set(entries.map((e) => e.ModifyIndex)).size).toBe(N);
  });

  it('answers concurrent reads each with its own key, at an index no older than the write before them', async () => {
    const keys = Array.from({ length: N }, (_, i) => `${uniq('batch-get')}/${i}`);
    for (const key of keys) await put(key, key);
    const written = (await entry(keys.at(-1)!)).ModifyIndex;
    const before = batchStats().gets;
    const reads = await Promise.all([...keys, `${keys[0]}-missing`].map(async (key) => {
      const res = await api(`/v1/kv/${key}`);
      const body = res.status === 200 ? ((await res.json()) as { Value: string }[])[0].Value : await res.text();
      return { status: res.status, index: Number(res.headers.get('X-Consul-Index')), body };
    }));
    expect(batchStats().gets.batches - before.batches).toBeLessThan(N + 1);
    expect(reads.slice(0, N).map((r) => decode(r.body))).toEqual(keys);
    expect(reads.at(-1)).toMatchObject({ status: 404, body: '' });
    for (const r of reads) expect(r.index).toBeGreaterThanOrEqual(written);
  });

  it('answers concurrent health reads exactly as the full app does', async () => {
    const name = uniq('batch-svc');
    await registerService({ ID: name, Name: name, Port: 80 });
    const full = await (await api(`/v1/health/service/${name}?dc=dc1`)).text();
    const before = batchStats().healthReads;
    const bodies = await Promise.all(Array.from({ length: N }, async (_, i) => (await api(`/v1/health/service/${name}${i % 2 ? '?passing' : ''}`)).text()));
    expect(batchStats().healthReads.batches - before.batches).toBeLessThan(N);
    const passing = await (await api(`/v1/health/service/${name}?passing&dc=dc1`)).text();
    bodies.forEach((body, i) => expect(body).toBe(i % 2 ? passing : full));
  });

  it('answers each write of a batch as if alone: a refusal or a failed cas beside them changes only itself', async () => {
    const dc = freshDatacenter();
    const outcomes = await dc.kvsApplyMany([
      { Verb: 'set', Key: 'a', Value: bytes('1') },
      { Verb: 'lock', Key: 'b', Value: bytes('x'), Session: crypto.randomUUID() },
      { Verb: 'cas', Key: 'c', Value: bytes('3'), Index: 99 },
      { Verb: 'set', Key: 'd', Value: bytes('4') },
    ]);
    expect(outcomes.map((o) => o.ok && o.value)).toEqual([true, false, false, true]);
    expect(outcomes[1]).toMatchObject({ ok: false, reason: expect.stringContaining('invalid session') });
    const reads = await dc.kvsGetMany(['a', 'b', 'c', 'd']);
    expect(reads.map((r) => r.value && new TextDecoder().decode(r.value.Value ?? new ArrayBuffer(0)))).toEqual(['1', null, null, '4']);
    expect(reads.every((r) => r.index === reads[0].index)).toBe(true);
  });
});
