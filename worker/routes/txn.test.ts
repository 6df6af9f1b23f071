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

describe('PUT /v1/txn catalog writes', () => {
  type CatalogResults = { Node?: { Node: string; Address: string; ModifyIndex: number }; Service?: { ID: string; Port: number; ModifyIndex: number }; Check?: { CheckID: string; Status: string; ServiceID: string } }[];
  const nodeOp = (Verb: string, Node: Record<string, unknown>) => ({ Node: { Verb, Node } });
  const serviceOp = (Verb: string, Node: string, Service: Record<string, unknown>) => ({ Service: { Verb, Node, Service } });
  const checkOp = (Verb: string, Check: Record<string, unknown>) => ({ Check: { Verb, Check } });
  /** A node with one service and one check, registered in one transaction. */
  async function seed() {
    const node = uniq('txn-node');
    const { status, body } = await txn([
      nodeOp('set', { Node: node, Address: '10.9.0.1', Meta: { rack: 'r1' } }),
      serviceOp('set', node, { ID: 'web-1', Service: 'txnweb', Port: 80, Tags: ['a'], Weights: { Passing: 0, Warning: 0 } }),
      checkOp('set', { Node: node, CheckID: 'web-1:alive', Name: 'alive', ServiceID: 'web-1', Status: 'passing' }),
    ]);
    expect(status, JSON.stringify(body)).toBe(200);
    return { node, results: (body as unknown as { Results: CatalogResults }).Results };
  }

  it('sets a node, a service and a check together, answering each object as stored', async () => {
    const { node, results } = await seed();
    expect(results.map((r) => r.Node?.Address ?? r.Service?.Port ?? r.Check?.Status)).toEqual(['10.9.0.1', 80, 'passing']);
    const health = await getJson<{ Node: { Node: string; Meta: object }; Service: { ID: string }; Checks: { CheckID: string; Status: string }[] }[]>(
      `/v1/health/service/txnweb?filter=${encodeURIComponent(`Node.Node == "${node}"`)}`,
    );
    expect(health.body).toEqual([
      expect.objectContaining({ Node: expect.objectContaining({ Node: node, Meta: { rack: 'r1' } }), Service: expect.objectContaining({ ID: 'web-1' }) }),
    ]);
    expect(health.body[0].Checks.map((c) => [c.CheckID, c.Status])).toEqual([['web-1:alive', 'passing']]);
  });

  it.each([
    ['a node cas over a stale index', (n: string, i: number) => nodeOp('cas', { Node: n, Address: '10.9.0.2', ModifyIndex: i - 1 }), (n: string) => `failed to set node "${n}", index is stale`],
    ['a node cas with index 0 on an existing node', (n: string) => nodeOp('cas', { Node: n, Address: '10.9.0.2', ModifyIndex: 0 }), (n: string) => `failed to set node "${n}", index is stale`],
    ['a node delete-cas over a stale index', (n: string, i: number) => nodeOp('delete-cas', { Node: n, ModifyIndex: i + 1 }), (n: string) => `failed to delete node "${n}", index is stale`],
    ['a service cas over a stale index', (n: string) => serviceOp('cas', n, { ID: 'web-1', Service: 'txnweb', ModifyIndex: 1 }), (n: string) => `failed to set service "web-1" on node "${n}", index is stale`],
    ['a check delete-cas of a missing check', (n: string) => checkOp('delete-cas', { Node: n, CheckID: 'nope', ModifyIndex: 5 }), (n: string) => `failed to delete check "nope" on node "${n}", index is stale`],
    ['a service on a missing node', () => serviceOp('set', 'no-such-node', { ID: 'x', Service: 'x' }), () => 'Missing node registration'],
    ['a check for a missing service', (n: string) => checkOp('set', { Node: n, CheckID: 'c', ServiceID: 'nope' }), () => 'Missing service registration'],
    ['an unknown verb', (n: string) => nodeOp('frob', { Node: n }), () => 'unknown Node verb "frob"'],
  ])('fails %s with Consul\'s error and keeps nothing', async (_case, op, why) => {
    const { node, results } = await seed();
    const key = uniq('txn-catalog-kv');
    const { status, body } = await txn([kv('set', key, { Value: btoa('x') }), op(node, results[0].Node!.ModifyIndex)]);
    expect(status).toBe(409);
    expect((body as TxnBody).Errors).toEqual([{ OpIndex: 1, What: why(node) }]);
    expect((await api(`/v1/kv/${key}`)).status).toBe(404);
    expect((await getJson<{ Node: { Address: string } }>(`/v1/catalog/node/${node}`)).body.Node.Address).toBe('10.9.0.1');
  });

  it('applies cas and delete-cas at the current index, and deletes', async () => {
    const { node, results } = await seed();
    const [n, s] = [results[0].Node!, results[1].Service!];
    const { status, body } = await txn([
      nodeOp('cas', { Node: node, Address: '10.9.0.3', ModifyIndex: n.ModifyIndex }),
      serviceOp('delete-cas', node, { ID: 'web-1', ModifyIndex: s.ModifyIndex }),
    ]);
    expect(status, JSON.stringify(body)).toBe(200);
    const stored = await getJson<{ Node: { Address: string }; Services: object }>(`/v1/catalog/node/${node}`);
    expect([stored.body.Node.Address, stored.body.Services]).toEqual(['10.9.0.3', {}]);
    expect((await getJson(`/v1/health/node/${node}`)).body).toEqual([]);
    expect((await txn([nodeOp('delete', { Node: node })])).status).toBe(200);
    expect(await (await api(`/v1/catalog/node/${node}`)).text()).toBe('null');
  });

  it.each([
    ['a node without a name', nodeOp('set', { Address: '10.0.0.1' }), 'Must provide node'],
    ['a bad node ID', nodeOp('set', { Node: 'n', ID: 'nope' }), 'Bad node ID: invalid UUID "nope"'],
    ['a service with an ID but no name', serviceOp('set', 'n', { ID: 'x' }), 'Must provide service name with ID'],
    ['a check with neither ID nor name', checkOp('set', { Node: 'n' }), 'Missing check ID'],
  ])('refuses %s before running anything (Consul\'s preCheck)', async (_case, op, why) => {
    const key = uniq('txn-precheck');
    const { status, body } = await txn([kv('set', key, { Value: btoa('x') }), op]);
    expect(status).toBe(409);
    expect((body as TxnBody).Errors).toEqual([{ OpIndex: 1, What: why }]);
    expect((await api(`/v1/kv/${key}`)).status).toBe(404);
  });

  it('brings the agent node straight back when a transaction deletes it, as a catalog deregistration does', async () => {
    expect((await txn([nodeOp('delete', { Node: 'beacon' })])).status).toBe(200);
    const agent = await getJson<{ Node: { Node: string; Address: string } }>('/v1/catalog/node/beacon');
    expect(agent.body.Node).toMatchObject({ Node: 'beacon', Address: '127.0.0.1' });
  });
});
