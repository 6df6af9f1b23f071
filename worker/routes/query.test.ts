// Prepared queries over three datacenters (vitest.config.ts: dc1 primary, dc2 nearest to it, dc3 farthest,
// remote timeout 500 ms).
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { inObject } from '../../durable-objects/test-support';
import { api, getJson, put, registerService, uniq } from '../test-support';

interface Execution {
  Service: string;
  Nodes: { Service: { ID: string } }[];
  DNS: { TTL: string };
  Datacenter: string;
  Failovers: number;
}

const send = (method: string, path: string, body?: unknown) => api(path, { method, body: body === undefined ? undefined : JSON.stringify(body) });

async function createQuery(body: Record<string, unknown>, dc = 'dc1'): Promise<string> {
  const res = await send('POST', `/v1/query?dc=${dc}`, body);
  expect(res.status, await res.clone().text()).toBe(200);
  return ((await res.json()) as { ID: string }).ID;
}

const execute = async (idOrName: string, query = '') => {
  const res = await api(`/v1/query/${idOrName}/execute${query}`);
  expect(res.status, await res.clone().text()).toBe(200);
  return { body: (await res.json()) as Execution, skipped: res.headers.get('X-Beacon-Skipped-Datacenters') };
};

const registerIn = async (dc: string, id: string, name: string, status = 'passing', tags: string[] = []) => {
  const res = await put(`/v1/agent/service/register?dc=${dc}`, { ID: id, Name: name, Tags: tags, Check: { TTL: '1h', Status: status } });
  expect(res.status).toBe(200);
};

describe('/v1/query CRUD', () => {
  it('deletes a query bound to a session when the session ends, and keeps the others', async () => {
    const { ID: session } = (await (await put('/v1/session/create', {})).json()) as { ID: string };
    const bound = await createQuery({ Session: session, Service: { Service: 'web' } });
    const kept = await createQuery({ Name: uniq('kept'), Service: { Service: 'web' } });
    expect((await put(`/v1/session/destroy/${session}`)).status).toBe(200);
    expect((await api(`/v1/query/${bound}`)).status).toBe(404);
    expect((await api(`/v1/query/${kept}`)).status).toBe(200);
  });

  it('creates, reads, lists, updates and deletes a query', async () => {
    const name = uniq('q');
    const id = await createQuery({ Name: name, Token: 'secret', Service: { Service: 'web', Tags: ['v1'] }, DNS: { TTL: '10s' } });
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    const read = await getJson<Record<string, unknown>[]>(`/v1/query/${id}`);
    expect(read.index).toBeGreaterThan(1);
    expect(read.body).toHaveLength(1);
    expect(read.body[0]).toMatchObject({
      ID: id, Name: name, Token: '<hidden>', DNS: { TTL: '10s' },
      Service: { Service: 'web', Tags: ['v1'], OnlyPassing: false, Failover: { NearestN: 0, Datacenters: null } },
    });
    expect((await getJson<{ ID: string }[]>('/v1/query')).body.map((q) => q.ID)).toContain(id);

    expect((await send('PUT', `/v1/query/${id}`, { Name: name, Service: { Service: 'api', OnlyPassing: true } })).status).toBe(200);
    const updated = (await getJson<{ Service: { Service: string; OnlyPassing: boolean }; CreateIndex: number; ModifyIndex: number }[]>(`/v1/query/${id}`)).body[0];
    expect([updated.Service.Service, updated.Service.OnlyPassing]).toEqual(['api', true]);
    expect(updated.ModifyIndex).toBeGreaterThan(updated.CreateIndex);

    expect((await send('DELETE', `/v1/query/${id}`)).status).toBe(200);
    const gone = await api(`/v1/query/${id}`);
    expect([gone.status, await gone.text()]).toEqual([404, 'Query not found']);
    expect(Number(gone.headers.get('X-Consul-Index'))).toBeGreaterThanOrEqual(1);
  });

  it.each([
    [{ Name: 'x' }, 'Invalid prepared query: Must provide a Service name to query'],
    [{ Service: { Service: 'web' } }, 'Invalid prepared query: Must be bound to a session'],
    [{ Name: 'x', Service: { Service: 'web', Failover: { NearestN: -1 } } }, "Invalid prepared query: Bad NearestN '-1', must be >= 0"],
    [{ Name: 'x', Service: { Service: 'web' }, DNS: { TTL: 'soon' } }, 'Invalid prepared query: Bad DNS TTL \'soon\': time: invalid duration "soon"'],
    [{ Name: 'x', Token: '<hidden>', Service: { Service: 'web' } }, "Invalid prepared query: Bad Token '<hidden>', it looks like a query definition with a redacted token was submitted"],
    [{ ID: 'abc', Name: 'x', Service: { Service: 'web' } }, 'ID must be empty when creating a new prepared query'],
  ])('refuses %j with 500 and Consul\'s text', async (body, text) => {
    const res = await send('POST', '/v1/query', body);
    expect([res.status, await res.text()]).toEqual([500, text]);
  });

  it('refuses a second query with the same name, and changes to a query that does not exist', async () => {
    const name = uniq('dup');
    await createQuery({ Name: name, Service: { Service: 'web' } });
    const dup = await send('POST', '/v1/query', { Name: name.toUpperCase(), Service: { Service: 'web' } });
    expect([dup.status, await dup.text()]).toEqual([500, `name '${name.toUpperCase()}' aliases an existing query name`]);
    const missing = crypto.randomUUID();
    for (const method of ['PUT', 'DELETE']) {
      const res = await send(method, `/v1/query/${missing}`, { Name: 'n', Service: { Service: 'web' } });
      expect([res.status, await res.text()]).toEqual([500, `Cannot modify non-existent prepared query: '${missing}'`]);
    }
  });

  it('stores queries per datacenter and answers wrong methods with 405', async () => {
    const id = await createQuery({ Name: uniq('dc2q'), Service: { Service: 'web' } }, 'dc2');
    expect((await api(`/v1/query/${id}`)).status).toBe(404);
    expect((await api(`/v1/query/${id}?dc=dc2`)).status).toBe(200);
    const res = await send('POST', `/v1/query/${id}/execute`);
    expect([res.status, res.headers.get('Allow')]).toEqual([405, 'OPTIONS,GET']);
  });
});

describe('/v1/query/:id/execute and /explain', () => {
  it('executes by ID or by name, keeping only healthy instances with the wanted tags', async () => {
    const svc = uniq('svc');
    await registerIn('dc1', `${svc}-ok`, svc, 'passing', ['v1']);
    await registerIn('dc1', `${svc}-warn`, svc, 'warning', ['v1']);
    await registerIn('dc1', `${svc}-bad`, svc, 'critical', ['v1']);
    await registerIn('dc1', `${svc}-old`, svc, 'passing', ['v1', 'old']);
    const name = uniq('web');
    const id = await createQuery({ Name: name, Service: { Service: svc, Tags: ['V1', '!old'] }, DNS: { TTL: '3s' } });
    const byId = (await execute(id)).body;
    expect(byId).toMatchObject({ Service: svc, DNS: { TTL: '3s' }, Datacenter: 'dc1', Failovers: 0 });
    expect(byId.Nodes.map((n) => n.Service.ID).sort()).toEqual([`${svc}-ok`, `${svc}-warn`]);
    expect((await execute(name)).body.Nodes).toHaveLength(2);
    expect((await execute(name, '?limit=1')).body.Nodes).toHaveLength(1);

    await send('PUT', `/v1/query/${id}`, { Name: name, Service: { Service: svc, OnlyPassing: true, Tags: ['!old'] } });
    expect((await execute(name)).body.Nodes.map((n) => n.Service.ID)).toEqual([`${svc}-ok`]);
    await send('PUT', `/v1/query/${id}`, { Name: name, Service: { Service: svc, IgnoreCheckIDs: [`service:${svc}-bad`], Tags: ['!old'] } });
    expect((await execute(name)).body.Nodes).toHaveLength(3);

    const explain = await getJson<{ Query: { ID: string; Name: string } }>(`/v1/query/${name}/explain`);
    expect(explain.body.Query).toMatchObject({ ID: id, Name: name });
    const unknown = await api('/v1/query/no-such-query/execute');
    expect([unknown.status, await unknown.text()]).toEqual([404, 'Query not found']);
  });

  it('fails over when every local instance is critical, and comes back when one recovers', async () => {
    const svc = uniq('fo');
    await registerIn('dc1', `${svc}-1`, svc, 'critical');
    await registerIn('dc2', `${svc}-2`, svc, 'passing');
    await registerIn('dc3', `${svc}-3`, svc, 'passing');
    const name = uniq('fo-q');
    await createQuery({ Name: name, Service: { Service: svc, Failover: { NearestN: 1, Datacenters: ['dc3'] } } });

    const failed = (await execute(name)).body;
    expect([failed.Datacenter, failed.Failovers, failed.Nodes.map((n) => n.Service.ID)]).toEqual(['dc2', 1, [`${svc}-2`]]);
    await put(`/v1/agent/check/fail/service:${svc}-2?dc=dc2`);
    const further = (await execute(name)).body;
    expect([further.Datacenter, further.Failovers, further.Nodes.map((n) => n.Service.ID)]).toEqual(['dc3', 2, [`${svc}-3`]]);

    await put(`/v1/agent/check/pass/service:${svc}-1`);
    const back = (await execute(name)).body;
    expect([back.Datacenter, back.Failovers, back.Nodes.map((n) => n.Service.ID)]).toEqual(['dc1', 0, [`${svc}-1`]]);
  });

  it('answers an empty list with Failovers counted when no datacenter has a healthy instance', async () => {
    const svc = uniq('none');
    const name = uniq('none-q');
    await createQuery({ Name: name, Service: { Service: svc, Failover: { NearestN: 2 } } });
    expect((await execute(name)).body).toMatchObject({ Nodes: [], Failovers: 2 });
  });

  it('skips a datacenter that does not answer within the timeout and says so', async () => {
    const svc = uniq('slow');
    await registerIn('dc2', `${svc}-2`, svc, 'passing');
    const name = uniq('slow-q');
    await createQuery({ Name: name, Service: { Service: svc, Failover: { Datacenters: ['dc3', 'dc2'] } } });
    // dc3's object really stalls: its input gate stays closed for 3 s, as under a long migration or overload.
    // (runInDurableObject itself answers only when the stall ends, so it is awaited at the end.)
    const stall = inObject(env.DATACENTER_OBJECT.getByName('dc3'), (_, state) => {
      void state.blockConcurrencyWhile(() => new Promise((resolve) => setTimeout(resolve, 3000)));
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const started = Date.now();
    const { body, skipped } = await execute(name);
    const elapsed = Date.now() - started;
    expect([body.Datacenter, body.Failovers, body.Nodes.map((n) => n.Service.ID)]).toEqual(['dc2', 2, [`${svc}-2`]]);
    expect(skipped).toBe('dc3');
    expect(elapsed).toBeGreaterThanOrEqual(450);
    expect(elapsed).toBeLessThan(2000);
    await stall;
  });
});

describe('prepared query templates', () => {
  it('takes python-consul\'s template body and answers every name the template prefixes, rendered for it', async () => {
    const prefix = `${uniq('tpl')}-`;
    const svc = uniq('redis');
    await registerIn('dc1', `${svc}-1`, svc);
    // python-consul 1.1 sends lower-case keys and always a template object.
    const res = await send('POST', '/v1/query', { name: prefix, service: { service: '${name.suffix}' }, template: { type: 'name_prefix_match' } });
    expect(res.status, await res.clone().text()).toBe(200);
    const { ID } = (await res.json()) as { ID: string };

    const { body } = await execute(`${prefix}${svc}`);
    expect([body.Service, body.Nodes.map((n) => n.Service.ID)]).toEqual([svc, [`${svc}-1`]]);
    const explained = (await (await api(`/v1/query/${prefix}${svc}/explain`)).json()) as { Query: { ID: string; Service: { Service: string } } };
    expect(explained.Query).toMatchObject({ ID, Service: { Service: svc } });
    // The stored definition keeps its template text.
    expect(((await getJson<{ Service: { Service: string } }[]>(`/v1/query/${ID}`)).body)[0].Service.Service).toBe('${name.suffix}');
    const byId = await api(`/v1/query/${ID}/execute`);
    expect([byId.status, await byId.text()]).toEqual([500, 'prepared query templates can only be resolved up by name, not by ID']);
  });

  it('refuses a template that does not compile, with Consul\'s text', async () => {
    const res = await send('POST', '/v1/query', { Name: uniq('bad'), Service: { Service: '${nodes}' }, Template: { Type: 'name_prefix_match' } });
    expect([res.status, await res.text()]).toEqual([500, "failed compiling template: Bad evaluation for '${nodes}' in Service.Service: unknown variable accessed: nodes"]);
    const wrongType = await send('POST', '/v1/query', { Name: uniq('bad'), Service: { Service: 's' }, Template: { Type: 'exact' } });
    expect([wrongType.status, await wrongType.text()]).toEqual([500, "failed compiling template: Bad Template.Type 'exact'"]);
  });
});
