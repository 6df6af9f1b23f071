// The statements of a plain KV put (`PUT /v1/kv/<key>`, the write `npm run bench:etcd` measures), recorded as
// the object runs it: one upsert that also tells an unchanged value apart, the index rows, and nothing else.
import { describe, expect, it } from 'vitest';
import { freshDatacenter, inObject } from '../test-support';
import { plannedStatements } from '../query-plans';

const bytes = (text: string) => new TextEncoder().encode(text).buffer as ArrayBuffer;

describe('statements of a plain KV put', () => {
  const dc = freshDatacenter();
  const put = (key: string, value: string) =>
    inObject(dc, (instance, state) => plannedStatements(state.storage.sql, () => instance.kvsApply({ Verb: 'set', Key: key, Value: bytes(value), Flags: '0' })));
  const kinds = (plans: { query: string }[]) => plans.map((p) => p.query.split(' ').slice(0, 3).join(' '));

  it('writes a changed value with one upsert and the index rows, reading nothing first', async () => {
    await put('app/a', 'one');
    const plans = await put('app/a', 'two');
    expect(kinds(plans)).toEqual(['INSERT INTO kvs', 'INSERT INTO index_rows']);
    expect(plans[0].plan.some((line) => /^SCAN /.test(line))).toBe(false);
  });

  it('writes nothing more for an unchanged value: no index rows, no index taken', async () => {
    await put('app/b', 'same');
    const before = (await dc.getStats()).index;
    const plans = await put('app/b', 'same');
    expect(kinds(plans)).toEqual(['INSERT INTO kvs']);
    expect((await dc.getStats()).index).toBe(before);
  });

  it('clears the tombstone of a key written again after a delete', async () => {
    await put('app/c', 'x');
    await dc.kvsApply({ Verb: 'delete', Key: 'app/c' });
    const plans = await put('app/c', 'y');
    expect(kinds(plans)).toEqual(['INSERT INTO kvs', 'DELETE FROM tombstones', 'INSERT INTO index_rows']);
    const listed = await dc.kvsList('app/', { minIndex: 0, waitMs: 0 });
    expect(listed.index).toBe((await dc.kvsGet('app/c', { minIndex: 0, waitMs: 0 })).value?.ModifyIndex);
  });
});
