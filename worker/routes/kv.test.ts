import { describe, expect, it } from 'vitest';
import { blockingReadContract } from '../http/blocking-contract';
import { api, getJson, put, uniq } from '../test-support';

type Entry = { Key: string; Value: string | null; Flags: number; Session?: string; LockIndex: number; CreateIndex: number; ModifyIndex: number };

const kvPut = async (key: string, value: string, query = '') => (await put(`/v1/kv/${key}${query}`, value)).text();
const kvDelete = async (key: string, query = '') => (await api(`/v1/kv/${key}${query}`, { method: 'DELETE' })).text();
const entry = async (key: string) => (await getJson<Entry[]>(`/v1/kv/${key}`)).body[0];
const b64 = (text: string) => btoa(text);

describe('PUT and GET /v1/kv/<key>', () => {
  it('stores a value and returns it base64-encoded with Consul\'s fields', async () => {
    const key = uniq('app/config');
    expect(await kvPut(key, 'hello', '?flags=42')).toBe('true');
    const res = await api(`/v1/kv/${key}`);
    const [got] = (await res.json()) as Entry[];
    expect(got).toEqual({ LockIndex: 0, Key: key, Flags: 42, Value: b64('hello'), CreateIndex: got.CreateIndex, ModifyIndex: got.CreateIndex });
    expect(Number(res.headers.get('X-Consul-Index'))).toBe(got.ModifyIndex);
    expect(got).not.toHaveProperty('Session');
  });

  it('keeps a uint64 Flags exact, as Go\'s api.Lock needs (0x2ddccbc058a50c18)', async () => {
    const key = uniq('lock-flags');
    expect(await kvPut(key, '', '?flags=3304740253564472344')).toBe('true');
    expect(await (await api(`/v1/kv/${key}`)).text()).toContain('"Flags":3304740253564472344,');
    expect(await (await api(`/v1/kv/${key}?recurse&pretty`)).text()).toContain('"Flags": 3304740253564472344,');
    const res = await put(`/v1/kv/${key}?flags=18446744073709551616`, '');
    expect([res.status, await res.text()]).toEqual([500, 'strconv.ParseUint: parsing "18446744073709551616": value out of range']);
  });

  it('answers ?raw with the bytes themselves', async () => {
    const key = uniq('raw');
    await kvPut(key, '{"a":1}');
    const res = await api(`/v1/kv/${key}?raw`);
    expect(res.headers.get('Content-Type')).toBe('text/plain');
    expect(res.headers.get('X-Content-Type-Options')).toBe('nosniff');
    expect(await res.text()).toBe('{"a":1}');
  });

  it('renders an empty value as null and keeps a key with a trailing slash', async () => {
    const key = `${uniq('folder')}/`;
    expect(await kvPut(key, '')).toBe('true');
    expect((await entry(key)).Value).toBeNull();
  });

  it('does not move ModifyIndex for an identical write, and resets Flags on a write without ?flags', async () => {
    const key = uniq('same');
    await kvPut(key, 'v', '?flags=7');
    const first = await entry(key);
    await kvPut(key, 'v', '?flags=7');
    expect((await entry(key)).ModifyIndex).toBe(first.ModifyIndex);
    await kvPut(key, 'v');
    const after = await entry(key);
    expect(after.Flags).toBe(0);
    expect(after.ModifyIndex).toBeGreaterThan(first.ModifyIndex);
  });

  it('answers 404 with an empty body and X-Consul-Index for a missing key', async () => {
    const res = await api(`/v1/kv/${uniq('missing')}`);
    expect(res.status).toBe(404);
    expect(await res.text()).toBe('');
    expect(Number(res.headers.get('X-Consul-Index'))).toBeGreaterThanOrEqual(1);
    expect(res.headers.get('X-Consul-KnownLeader')).toBe('true');
  });

  it('accepts a value of exactly 512 KiB and refuses one byte more with 413, writing nothing', async () => {
    const key = uniq('big');
    expect(await kvPut(key, 'x'.repeat(512 * 1024))).toBe('true');
    const res = await put(`/v1/kv/${key}`, 'y'.repeat(512 * 1024 + 1));
    expect(res.status).toBe(413);
    expect(await res.text()).toMatch(/^Request body\(524289 bytes\) too large, max size: 524288 bytes/);
    expect(atob((await entry(key)).Value!).startsWith('x')).toBe(true);
  });

  it.each([
    ['PUT', '', '', 400, 'Missing key name'],
    ['GET', '', '', 400, 'Missing key name'],
    ['DELETE', '', '', 400, 'Missing key name'],
    ['PUT', 'a/..%2Fb', '', 400, 'key contains path traversal sequence'],
    ['PUT', 'k', '?cas=abc', 500, 'strconv.ParseUint: parsing "abc": invalid syntax'],
    ['PUT', 'k', '?flags=-1', 500, 'strconv.ParseUint: parsing "-1": invalid syntax'],
    ['PUT', 'k', '?cas=1&acquire=x', 400, 'Conflicting flags: acquire=x&cas=1\n'],
    ['DELETE', 'k', '?recurse&cas=1', 400, 'Conflicting flags: cas=1&recurse=\n'],
    ['PUT', 'k', '?acquire=7c1b2c7a-0000-4000-8000-000000000000', 500, 'invalid session "7c1b2c7a-0000-4000-8000-000000000000"'],
    ['PUT', 'k', '?acquire=', 500, 'invalid session ""'],
  ])('%s /v1/kv/%s%s → %i %j and writes nothing', async (method, key, query, status, text) => {
    const full = key ? `${uniq('bad')}/${key}` : '';
    const res = await api(`/v1/kv/${full}${query}`, { method, body: method === 'PUT' ? 'v' : undefined });
    expect(res.status).toBe(status);
    expect(await res.text()).toBe(text);
    // Nothing under the test's prefix (a GET of a refused key is itself refused).
    if (full) expect((await api(`/v1/kv/${full.split('/')[0]}?keys`)).status).toBe(404);
  });

  it('refuses other methods with 405', async () => {
    const res = await api('/v1/kv/x', { method: 'POST' });
    expect(res.status).toBe(405);
    expect(res.headers.get('Allow')).toBe('OPTIONS,GET,PUT,DELETE');
  });
});

describe('?cas', () => {
  it('creates only when absent with cas=0 and updates only at the current ModifyIndex', async () => {
    const key = uniq('cas');
    expect(await kvPut(key, 'a', '?cas=0')).toBe('true');
    expect(await kvPut(key, 'b', '?cas=0')).toBe('false');
    const { ModifyIndex } = await entry(key);
    expect(await kvPut(key, 'c', `?cas=${ModifyIndex + 1}`)).toBe('false');
    expect(await kvPut(key, 'd', `?cas=${ModifyIndex}`)).toBe('true');
    expect(atob((await entry(key)).Value!)).toBe('d');
  });

  it('deletes with cas only at the current index, and answers true for a missing key', async () => {
    const key = uniq('delcas');
    await kvPut(key, 'a');
    const { ModifyIndex } = await entry(key);
    expect(await kvDelete(key, `?cas=${ModifyIndex - 1}`)).toBe('false');
    expect(await kvDelete(key, `?cas=${ModifyIndex}`)).toBe('true');
    expect((await api(`/v1/kv/${key}`)).status).toBe(404);
    expect(await kvDelete(key, '?cas=5')).toBe('true');
  });
});

describe('races', () => {
  it('lets exactly one of 20 concurrent ?cas writes at the same index win', async () => {
    const key = uniq('race-cas');
    await kvPut(key, 'start');
    const { ModifyIndex } = await entry(key);
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => kvPut(key, `writer-${i}`, `?cas=${ModifyIndex}`)));
    expect(answers.filter((a) => a === 'true')).toHaveLength(1);
    expect(atob((await entry(key)).Value!)).toBe(`writer-${answers.indexOf('true')}`);
  });

  it('lets exactly one of 10 sessions racing to ?acquire a key hold it', async () => {
    const key = uniq('race-lock');
    const sessions = await Promise.all(Array.from({ length: 10 }, async () => ((await (await put('/v1/session/create', {})).json()) as { ID: string }).ID));
    const answers = await Promise.all(sessions.map((id) => kvPut(key, id, `?acquire=${id}`)));
    expect(answers.filter((a) => a === 'true')).toHaveLength(1);
    expect((await entry(key)).Session).toBe(sessions[answers.indexOf('true')]);
  });
});

describe('?recurse and ?keys', () => {
  it('lists entries under a prefix in byte order, and key names cut at a separator', async () => {
    const p = uniq('tree');
    for (const k of ['b', 'a/x', 'a/y/z', 'A']) await kvPut(`${p}/${k}`, k);
    const { body } = await getJson<Entry[]>(`/v1/kv/${p}/?recurse`);
    expect(body.map((e) => e.Key)).toEqual([`${p}/A`, `${p}/a/x`, `${p}/a/y/z`, `${p}/b`]);
    expect((await getJson<string[]>(`/v1/kv/${p}/?keys`)).body).toEqual(body.map((e) => e.Key));
    expect((await getJson<string[]>(`/v1/kv/${p}/?keys&separator=/`)).body).toEqual([`${p}/A`, `${p}/a/`, `${p}/b`]);
    expect((await getJson<string[]>(`/v1/kv/${p}/a?keys&seperator=/`)).body).toEqual([`${p}/a/`]);
  });

  it('answers 404 for an empty prefix listing, with the index of the prefix\'s last delete', async () => {
    const p = uniq('gone');
    await kvPut(`${p}/k`, 'v');
    await kvDelete(`${p}/k`);
    const res = await api(`/v1/kv/${p}/?recurse`);
    expect(res.status).toBe(404);
    const keys = await api(`/v1/kv/${p}/?keys`);
    expect(keys.status).toBe(404);
    expect(keys.headers.get('X-Consul-Index')).toBe(res.headers.get('X-Consul-Index'));
  });

  it('deletes a whole tree with DELETE ?recurse and leaves siblings alone', async () => {
    const p = uniq('wipe');
    await kvPut(`${p}/a/1`, '1');
    await kvPut(`${p}/a/2`, '2');
    await kvPut(`${p}/ab`, '3');
    expect(await kvDelete(`${p}/a/`, '?recurse')).toBe('true');
    expect((await getJson<string[]>(`/v1/kv/${p}/?keys`)).body).toEqual([`${p}/ab`]);
  });
});

describe('blocking KV reads', () => {
  blockingReadContract('GET /v1/kv/<key>', () => {
    const key = uniq('watched');
    return { path: () => `/v1/kv/${key}`, setup: async () => void (await kvPut(key, '1')), relatedWrite: async () => void (await kvPut(key, '2')), unrelatedWrite: async () => void (await kvPut(`${key}-other`, 'x')) };
  });

  blockingReadContract('GET /v1/kv/<prefix>?recurse', () => {
    const p = uniq('prefix');
    return {
      path: () => `/v1/kv/${p}/?recurse`,
      setup: async () => void (await kvPut(`${p}/a`, '1')),
      relatedWrite: async () => void (await kvPut(`${p}/deep/er`, '2')),
      unrelatedWrite: async () => void (await kvPut(`${p}-sibling/a`, 'x')),
    };
  });

  blockingReadContract('GET /v1/kv/<prefix>?keys (woken by a delete)', () => {
    const p = uniq('keys');
    return {
      path: () => `/v1/kv/${p}/?keys`,
      setup: async () => {
        await kvPut(`${p}/a`, '1');
        await kvPut(`${p}/b`, '1');
      },
      relatedWrite: async () => void (await kvDelete(`${p}/b`)),
      unrelatedWrite: async () => void (await kvDelete(`${uniq('elsewhere')}`)),
    };
  });
});
