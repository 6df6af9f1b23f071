import { describe, expect, it } from 'vitest';
import { api, getJson, put, uniq } from '../test-support';

type TxnBody = { Results: { KV?: { Key: string; Value: string | null; ModifyIndex: number } }[] | null; Errors: { OpIndex: number; What: string }[] | null };

const txn = async (ops: unknown) => {
  const res = await put('/v1/txn', ops);
  return { status: res.status, res, body: res.status === 200 || res.status === 409 ? ((await res.json()) as TxnBody) : await res.text() };
};
const kv = (Verb: string, Key: string, extra: Record<string, unknown> = {}) => ({ KV: { Verb, Key, ...extra } });

describe('PUT /v1/txn', () => {
  it('applies KV operations together and returns their results, values only for reads', async () => {
    const p = uniq('txn');
    const { status, body } = await txn([
      kv('set', `${p}/a`, { Value: btoa('1') }),
      kv('set', `${p}/b`, { Value: btoa('2'), Flags: 3 }),
      kv('get', `${p}/a`),
      kv('get-tree', `${p}/`),
    ]);
    expect(status).toBe(200);
    const { Results, Errors } = body as TxnBody;
    expect(Errors).toBeNull();
    expect(Results!.map((r) => [r.KV!.Key, r.KV!.Value])).toEqual([
      [`${p}/a`, null], [`${p}/b`, null], [`${p}/a`, btoa('1')], [`${p}/a`, btoa('1')], [`${p}/b`, btoa('2')],
    ]);
  });

  it('rolls back with 409 and every error when one operation fails, leaving no trace', async () => {
    const p = uniq('rollback');
    await put(`/v1/kv/${p}/kept`, 'old');
    const { status, body } = await txn([
      kv('set', `${p}/new`, { Value: btoa('x') }),
      kv('delete', `${p}/kept`),
      kv('check-index', `${p}/kept`, { Index: 1 }),
      kv('frob', `${p}/x`),
    ]);
    expect(status).toBe(409);
    expect((body as TxnBody).Results).toBeNull();
    expect((body as TxnBody).Errors).toEqual([
      { OpIndex: 2, What: expect.stringMatching(new RegExp(`^key "${p}/kept" doesn't exist$`)) },
      { OpIndex: 3, What: 'unknown KV verb "frob"' },
    ]);
    expect((await api(`/v1/kv/${p}/new`)).status).toBe(404);
    expect(atob((await getJson<{ Value: string }[]>(`/v1/kv/${p}/kept`)).body[0].Value)).toBe('old');
  });

  it('serves an all-read transaction as a read, with leader headers and no index bump', async () => {
    const key = uniq('readonly');
    await put(`/v1/kv/${key}`, 'v');
    const before = (await getJson(`/v1/kv/${key}`)).index;
    const { status, res } = await txn([kv('get', key), { Node: { Verb: 'get', Node: { Node: 'beacon' } } }]);
    expect(status).toBe(200);
    expect(res.headers.get('X-Consul-KnownLeader')).toBe('true');
    expect((await getJson(`/v1/kv/${key}`)).index).toBe(before);
  });

  it('reads catalog objects and reports a missing one as a failed operation', async () => {
    const { status, body } = await txn([
      { Node: { Verb: 'get', Node: { Node: 'beacon' } } },
      { Check: { Verb: 'get', Check: { Node: 'beacon', CheckID: 'serfHealth' } } },
      { Service: { Verb: 'get', Node: 'beacon', Service: { ID: 'nope' } } },
    ]);
    expect(status).toBe(409);
    expect((body as TxnBody).Errors).toEqual([{ OpIndex: 2, What: 'service "nope" on node "beacon" doesn\'t exist' }]);
  });

  it('keeps every digit of a uint64 Flags in and out', async () => {
    const key = uniq('txnflags');
    const res = await put('/v1/txn', `[{"KV":{"Verb":"set","Key":"${key}","Flags": 18446744073709551615}},{"KV":{"Verb":"get","Key":"${key}"}}]`);
    expect(res.status).toBe(200);
    expect((await res.text()).match(/"Flags":\d+/g)).toEqual(['"Flags":18446744073709551615', '"Flags":18446744073709551615']);
    expect(await (await api(`/v1/kv/${key}`)).text()).toContain('"Flags":18446744073709551615,');
  });

  it('locks and unlocks with a session', async () => {
    const { ID } = (await (await put('/v1/session/create', {})).json()) as { ID: string };
    const key = uniq('txnlock');
    expect((await txn([kv('lock', key, { Session: ID, Value: btoa('me') })])).status).toBe(200);
    expect((await getJson<{ Session: string }[]>(`/v1/kv/${key}`)).body[0].Session).toBe(ID);
    expect((await txn([kv('check-session', key, { Session: ID }), kv('unlock', key, { Session: ID })])).status).toBe(200);
    expect((await getJson<{ Session?: string }[]>(`/v1/kv/${key}`)).body[0].Session).toBeUndefined();
  });

  it.each([
    ['not json', 400, /^Failed to parse body: /],
    [{ KV: {} }, 400, /^Failed to parse body: /],
    [[{ KV: { Verb: 'set', Key: 'k', Value: '!!!' } }], 400, /^Failed to parse body: illegal base64 data/],
    [[{ KV: { Verb: 'set', Key: 'big', Value: btoa('x'.repeat(512 * 1024 + 1)) } }], 413, /^Request body\(699\d{3} bytes\) too large, max size: 524288 bytes/],
    [Array.from({ length: 129 }, (_, i) => kv('set', `many/${i}`)), 413, /^Transaction contains too many operations \(129 > 128\)$/],
  ])('refuses %# with %i and writes nothing', async (body, status, text) => {
    const res = await put('/v1/txn', body);
    expect(res.status).toBe(status);
    expect(await res.text()).toMatch(text);
    expect((await api('/v1/kv/many/0')).status).toBe(404);
  });
});
