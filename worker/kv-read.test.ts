import { describe, expect, it } from 'vitest';
import { api, put, uniq } from './test-support';

/** Everything a client can see of an answer. */
const answer = async (res: Response) => ({ status: res.status, headers: Object.fromEntries(res.headers), body: await res.text() });

describe('the plain KV read fast path', () => {
  // `?dc=dc1` sends the same read through the full app: both must answer alike, headers included.
  it.each([
    ['a key', (k: string) => k, 'v'],
    ['a key with an encoded slash and non-ASCII', (k: string) => `${k}%2Fcaf%C3%A9`, 'x'],
    ['a key holding an empty value', (k: string) => `${k}/empty`, ''],
    ['a missing key', (k: string) => `${k}/missing`, undefined],
  ])('answers %s exactly as the full app does', async (_, path, value) => {
    const key = path(uniq('fast'));
    if (value !== undefined) expect((await put(`/v1/kv/${key}?flags=18446744073709551615`, value)).status).toBe(200);
    const fast = await answer(await api(`/v1/kv/${key}`));
    const full = await answer(await api(`/v1/kv/${key}?dc=dc1`));
    expect(fast).toEqual(full);
    expect(fast.status).toBe(value === undefined ? 404 : 200);
    if (value !== undefined) expect(fast.body).toContain('"Flags":18446744073709551615');
  });

  it('leaves any other read to the full app', async () => {
    const key = uniq('fast-raw');
    await put(`/v1/kv/${key}`, 'raw value');
    expect(await (await api(`/v1/kv/${key}?raw`)).text()).toBe('raw value');
    expect((await api('/v1/kv/')).status).toBe(400);
  });
});
