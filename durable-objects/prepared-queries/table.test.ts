import { describe, expect, it } from 'vitest';
import { toPreparedQuery } from '../../worker/consul/parse-query';
import type { PreparedQuery, PreparedQueryDefinition } from '../../worker/consul/prepared-query';
import { freshDatacenter, inObject, NOW } from '../test-support';

const definition = (id: string, name: string, service = 'web', extra: PreparedQueryDefinition = {}): PreparedQuery => {
  const parsed = toPreparedQuery(id, { Name: name, Service: { Service: service }, ...extra });
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
    expect(await dc.preparedQueryResolve(a)).toMatchObject({ ok: true, value: { ID: a } });
    expect(await dc.preparedQueryResolve('web-query')).toMatchObject({ ok: true, value: { ID: a } });
    expect(await dc.preparedQueryResolve('nothing')).toEqual({ ok: true, value: null });
    expect(await dc.preparedQueryApply('create', definition(b, a))).toEqual({ ok: false, status: 500, reason: `name '${a}' aliases an existing query ID` });
  });

  it('resolves a name no query has to the template with the longest prefix of it, rendered for that name', async () => {
    const dc = freshDatacenter();
    const template = (name: string, service: string) => definition(crypto.randomUUID(), name, service, { Template: { Type: 'name_prefix_match' } });
    const [catchAll, geo, geoDb] = [template('', 'any-${name.full}'), template('geo-', 'geo-${name.suffix}'), template('geo-db-', 'db-${name.suffix}')];
    for (const query of [catchAll, geo, geoDb]) expect((await dc.preparedQueryApply('create', query)).ok).toBe(true);
    await dc.preparedQueryApply('create', definition(crypto.randomUUID(), 'geo-db-static', 'static'));
    const serviceFor = async (name: string) => {
      const resolved = await dc.preparedQueryResolve(name);
      return resolved.ok ? resolved.value?.Service.Service : resolved.reason;
    };
    expect(await serviceFor('GEO-DB-eu')).toBe('db-eu');
    expect(await serviceFor('geo-web')).toBe('geo-web');
    expect(await serviceFor('geo-db-static')).toBe('static');
    expect(await serviceFor('other')).toBe('any-other');
    expect(await serviceFor(geo.ID)).toBe('prepared query templates can only be resolved up by name, not by ID');
    const second = template('', 'x');
    expect(await dc.preparedQueryApply('create', second)).toEqual({ ok: false, status: 500, reason: 'a query template with an empty name already exists' });
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
