import { describe, expect, it } from 'vitest';
import { toPreparedQuery, type PreparedQuery } from '../../worker/consul/prepared-query';
import { freshDatacenter, inObject, NOW } from '../test-support';

const definition = (id: string, name: string, service = 'web'): PreparedQuery => {
  const parsed = toPreparedQuery(id, { Name: name, Service: { Service: service } });
  if (!('query' in parsed)) throw new Error(parsed.reason);
  return parsed.query;
};

describe('prepared queries in the Datacenter object', () => {
  it('applies migration 3 and moves the prepared-queries index row only on real changes', async () => {
    const dc = freshDatacenter();
    const id = crypto.randomUUID();
    expect(await dc.preparedQueryApply('create', definition(id, 'web'))).toEqual({ ok: true, value: id });
    const created = await dc.preparedQueryGet(id, NOW);
    expect(created.value?.CreateIndex).toBe(created.index);

    await dc.preparedQueryApply('update', definition(id, 'web'));
    expect((await dc.preparedQueryGet(id, NOW)).index).toBe(created.index);
    await dc.preparedQueryApply('update', definition(id, 'web', 'api'));
    const updated = await dc.preparedQueryGet(id, NOW);
    expect(updated.index).toBeGreaterThan(created.index);
    expect([updated.value?.CreateIndex, updated.value?.ModifyIndex]).toEqual([created.index, updated.index]);

    await inObject(dc, (instance, state) => {
      const ids = state.storage.sql.exec<{ id: number }>('SELECT id FROM migrations ORDER BY id').toArray().map((r) => r.id);
      expect(ids).toContain(3);
      expect(instance.indexes.get('prepared-queries')).toBe(updated.index);
    });
  });

  it('resolves by ID, then by name case-insensitively, and refuses a name that is another query\'s ID', async () => {
    const dc = freshDatacenter();
    const [a, b] = [crypto.randomUUID(), crypto.randomUUID()];
    await dc.preparedQueryApply('create', definition(a, 'Web-Query'));
    expect((await dc.preparedQueryResolve(a))?.ID).toBe(a);
    expect((await dc.preparedQueryResolve('web-query'))?.ID).toBe(a);
    expect(await dc.preparedQueryResolve('nothing')).toBeNull();
    expect(await dc.preparedQueryApply('create', definition(b, a))).toEqual({ ok: false, status: 500, reason: `name '${a}' aliases an existing query ID` });
  });

  it('wakes a blocking list on a query write', async () => {
    const dc = freshDatacenter();
    const { index } = await dc.preparedQueryList(NOW);
    const pending = dc.preparedQueryList({ minIndex: index, waitMs: 10_000 });
    await dc.preparedQueryApply('create', definition(crypto.randomUUID(), 'q'));
    const woken = await pending;
    expect(woken.index).toBeGreaterThan(index);
    expect(woken.value.map((q) => q.Name)).toEqual(['q']);
  });
});
