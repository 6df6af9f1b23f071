import { describe, expect, it } from 'vitest';
import { api, put, uniq } from './test-support';

/** Everything a client can see of an answer. */
const answer = async (res: Response) => ({ status: res.status, headers: Object.fromEntries(res.headers), body: await res.text() });

async function register(node: string, id: string, service: string, status: string) {
  const res = await put('/v1/catalog/register', {
    Node: node, Address: '10.0.0.1', Service: { ID: id, Service: service, Port: 80 },
    Checks: [{ CheckID: `chk-${id}`, Name: 'alive', Status: status, ServiceID: id }],
  });
  expect(res.status).toBe(200);
}

describe('the plain health/service read fast path', () => {
  // `?dc=dc1` sends the same read through the full app: both must answer alike, headers included.
  it.each(['', '?passing', '?passing=true', '?passing=0', '?token=anything'])('answers %s exactly as the full app does', async (query) => {
    const [svc, node] = [uniq('fasth'), uniq('n')];
    await register(node, `${svc}-1`, svc, 'passing');
    await register(node, `${svc}-2`, svc, 'critical');
    const path = `/v1/health/service/${svc}${query}`;
    const fast = await answer(await api(path));
    const full = await answer(await api(`${path}${query ? '&' : '?'}dc=dc1`));
    expect(fast).toEqual(full);
    const ids = (JSON.parse(fast.body) as { Service: { ID: string } }[]).map((e) => e.Service.ID);
    expect(ids).toEqual(query.startsWith('?passing') && query !== '?passing=0' ? [`${svc}-1`] : [`${svc}-1`, `${svc}-2`]);
  });

  it('answers an unknown service and a name needing decoding as the full app does', async () => {
    for (const name of [uniq('none'), `${uniq('enc')}%2Fcaf%C3%A9`]) {
      expect(await answer(await api(`/v1/health/service/${name}`))).toEqual(await answer(await api(`/v1/health/service/${name}?dc=dc1`)));
    }
  });

  it('leaves a bad ?passing to the full app, which refuses it', async () => {
    const res = await api('/v1/health/service/web?passing=maybe');
    expect([res.status, await res.text()]).toEqual([400, 'Invalid value for ?passing']);
  });

  it('answers at once with the write just made: the read is not served stale from the worker', async () => {
    const [svc, node] = [uniq('fresh'), uniq('n')];
    await register(node, `${svc}-1`, svc, 'passing');
    const before = JSON.parse(await (await api(`/v1/health/service/${svc}`)).text()) as unknown[];
    await register(node, `${svc}-2`, svc, 'passing');
    const after = JSON.parse(await (await api(`/v1/health/service/${svc}`)).text()) as unknown[];
    expect([before.length, after.length]).toEqual([1, 2]);
  });
});
