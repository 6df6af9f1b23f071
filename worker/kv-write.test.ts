import { describe, expect, it } from 'vitest';
import { api, uniq } from './test-support';

/** Everything a client can see of an answer. */
const answer = async (res: Response) => ({ status: res.status, headers: Object.fromEntries(res.headers), body: await res.text() });

/** A PUT as an HTTP client sends it: the body's length declared. */
const putWithLength = (path: string, body: string) =>
  api(path, { method: 'PUT', body, headers: { 'Content-Length': String(new TextEncoder().encode(body).byteLength) } });

const read = async (key: string) => (await (await api(`/v1/kv/${key}?raw`)).text());

describe('the plain KV write fast path', () => {
  // `?dc=dc1` sends the same write through the full app: both must answer alike, headers included.
  it.each([
    ['a new key', (k: string) => k, 'v'],
    ['a key with an encoded slash and non-ASCII', (k: string) => `${k}%2Fcaf%C3%A9`, 'é'],
    ['an empty value', (k: string) => `${k}/empty`, ''],
  ])('writes %s and answers exactly as the full app does', async (_, path, value) => {
    const key = path(uniq('fastput'));
    const fast = await answer(await putWithLength(`/v1/kv/${key}`, value));
    expect(await read(key)).toBe(value);
    const full = await answer(await putWithLength(`/v1/kv/${key}?dc=dc1`, `${value}2`));
    expect(await read(key)).toBe(`${value}2`);
    expect(fast).toEqual(full);
    expect(fast).toMatchObject({ status: 200, body: 'true' });
  });

  it('keeps a lock holder, as a plain PUT through the full app does', async () => {
    const key = uniq('fastput-lock');
    const session = (await (await api('/v1/session/create', { method: 'PUT', body: '{}' })).json()) as { ID: string };
    expect(await (await api(`/v1/kv/${key}?acquire=${session.ID}`, { method: 'PUT', body: 'held' })).text()).toBe('true');
    expect((await putWithLength(`/v1/kv/${key}`, 'overwritten')).status).toBe(200);
    const [entry] = (await (await api(`/v1/kv/${key}`)).json()) as { Session?: string; LockIndex: number }[];
    expect(entry).toMatchObject({ Session: session.ID, LockIndex: 1 });
  });

  it.each([
    ['a bad key', '/v1/kv/%2Fleading', 'x', 400],
    ['no key', '/v1/kv/', 'x', 400],
    ['a value over the limit', `/v1/kv/${uniq('big')}`, 'x'.repeat(512 * 1024 + 1), 413],
  ])('leaves %s to the full app, which refuses it and writes nothing', async (_, path, body, status) => {
    const res = await putWithLength(path, body);
    expect(res.status).toBe(status);
    expect(res.headers.get('Content-Type')).toMatch(/^text\/plain/);
    if (status === 413) expect((await api(path)).status).toBe(404);
  });

  it('leaves ?cas and ?flags to the full app', async () => {
    const key = uniq('fastput-cas');
    expect(await (await putWithLength(`/v1/kv/${key}?cas=0`, 'a')).text()).toBe('true');
    expect(await (await putWithLength(`/v1/kv/${key}?cas=0`, 'b')).text()).toBe('false');
    expect((await putWithLength(`/v1/kv/${key}?flags=7`, 'c')).status).toBe(200);
    const [entry] = (await (await api(`/v1/kv/${key}`)).json()) as { Flags: number }[];
    expect(entry.Flags).toBe(7);
  });
});
