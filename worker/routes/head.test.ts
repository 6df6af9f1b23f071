// HEAD answers as GET does, without a body, and never writes (issue 9 item 1, issue 15): it once ran as
// DELETE on /v1/kv and as an update on /v1/query/:id.
import { describe, expect, it } from 'vitest';
import { api, put, uniq } from '../test-support';

/** Everything of an answer but its body, plus the body's length. */
const seen = async (res: Response) => {
  const headers = Object.fromEntries(res.headers);
  delete headers['content-length'];
  return { status: res.status, headers, bodyLength: (await res.text()).length };
};
const head = async (path: string) => seen(await api(path, { method: 'HEAD' }));
/** What HEAD must answer: GET's status and headers, no body. */
const getWithoutBody = async (path: string) => ({ ...(await seen(await api(path))), bodyLength: 0 });

describe('HEAD on /v1/kv', () => {
  it('reads a key as GET does and leaves it in place', async () => {
    const key = uniq('head/kept');
    expect((await put(`/v1/kv/${key}`, 'v')).status).toBe(200);
    for (const path of [`/v1/kv/${key}`, `/v1/kv/${key}?dc=dc1`, `/v1/kv/${key}?raw`, `/v1/kv/${key}/missing`]) {
      expect(await head(path), path).toEqual(await getWithoutBody(path));
    }
    expect(await (await api(`/v1/kv/${key}?raw`)).text()).toBe('v');
  });

  it('deletes nothing with ?recurse, under a prefix or on the whole store', async () => {
    const prefix = uniq('head/tree');
    await put(`/v1/kv/${prefix}/a`, '1');
    await put(`/v1/kv/${prefix}/b`, '2');
    expect((await head(`/v1/kv/${prefix}?recurse`)).status).toBe(200);
    expect((await head('/v1/kv/?recurse')).status).toBe(200);
    expect(await (await api(`/v1/kv/${prefix}?keys`)).json()).toEqual([`${prefix}/a`, `${prefix}/b`]);
  });
});

describe('HEAD on /v1/query', () => {
  it('answers a stored query, its execution and its explanation as GET does, and replaces nothing', async () => {
    const name = uniq('head-q');
    const created = await api('/v1/query', { method: 'POST', body: JSON.stringify({ Name: name, Service: { Service: 'web' } }) });
    const { ID: id } = (await created.json()) as { ID: string };
    const before = await (await api(`/v1/query/${id}`)).text();
    for (const path of [`/v1/query/${id}`, `/v1/query/${name}`, `/v1/query/${id}/execute`, `/v1/query/${name}/execute`, `/v1/query/${id}/explain`, '/v1/query', `/v1/query/${uniq('missing')}/execute`]) {
      expect(await head(path), path).toEqual(await getWithoutBody(path));
    }
    expect(await (await api(`/v1/query/${id}`)).text()).toBe(before);
  });
});

describe('HEAD on an endpoint without GET', () => {
  it('answers 405 with Allow and changes nothing', async () => {
    const res = await api('/v1/agent/service/register', { method: 'HEAD' });
    expect([res.status, res.headers.get('Allow'), await res.text()]).toEqual([405, 'OPTIONS,PUT', '']);
  });
});
