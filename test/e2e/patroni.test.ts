// Patroni's leader election over Consul (patroni/dcs/consul.py on python-consul), replayed over real HTTP
// with its exact parameters: TTL sessions with behavior=delete and a 1 ms lock delay, member and leader
// keys held by sessions, CAS writes, the leader watch, and a member taking over when the leader's session ends.
import { describe, expect, inject, it } from 'vitest';

const base = inject('beaconUrl');
const scope = `service/pg-${crypto.randomUUID().slice(0, 8)}`;
const headers = { 'X-Consul-Token': 'patroni-token' };
const call = (method: string, path: string, body?: string) => fetch(`${base}/v1/${path}`, { method, headers, body });
const text = async (method: string, path: string, body?: string) => (await call(method, path, body)).text();

type Entry = { Key: string; Value: string | null; ModifyIndex: number; Session?: string };

async function createSession(member: string): Promise<string> {
  const body = { name: `${scope}-${member}`, checks: [], lockdelay: '0.001s', behavior: 'delete', ttl: '15.0s' };
  const res = await call('PUT', 'session/create', JSON.stringify(body));
  expect(res.status).toBe(200);
  return ((await res.json()) as { ID: string }).ID;
}

async function cluster(): Promise<Map<string, Entry>> {
  const res = await call('GET', `kv/${scope}/?recurse=1&consistent=1`);
  return new Map(res.status === 404 ? [] : ((await res.json()) as Entry[]).map((e) => [e.Key.slice(scope.length + 1), e]));
}

describe("Patroni's Consul DCS flow", () => {
  it('initializes once, elects one leader, and fails over when the leader\'s session ends', async () => {
    const tooShort = await call('PUT', 'session/create', JSON.stringify({ name: 'x', ttl: '5.0s' }));
    expect(tooShort.status).toBe(500);
    expect(await tooShort.text()).toMatch(/^Invalid Session TTL/);
    expect(((await (await call('GET', 'agent/self')).json()) as { Config: { SessionTTLMin: number } }).Config.SessionTTLMin).toBe(10_000_000_000);

    const [s1, s2] = [await createSession('pg1'), await createSession('pg2')];
    expect(await text('PUT', `kv/${scope}/initialize?cas=0`, '7321')).toBe('true');
    expect(await text('PUT', `kv/${scope}/initialize?cas=0`, '9999')).toBe('false');
    for (const [member, session] of [['pg1', s1], ['pg2', s2]]) {
      expect(await text('PUT', `kv/${scope}/members/${member}?acquire=${session}`, JSON.stringify({ role: 'replica' }))).toBe('true');
    }
    expect(await text('PUT', `kv/${scope}/leader?acquire=${s1}`, 'pg1')).toBe('true');
    expect(await text('PUT', `kv/${scope}/leader?acquire=${s2}`, 'pg2')).toBe('false');

    const state = await cluster();
    expect([...state.keys()].sort()).toEqual(['initialize', 'leader', 'members/pg1', 'members/pg2']);
    const leader = state.get('leader')!;
    expect([atob(leader.Value!), leader.Session]).toEqual(['pg1', s1]);

    // The replica watches the leader key; the leader's session ends (its TTL would do the same).
    const watch = call('GET', `kv/${scope}/leader?index=${leader.ModifyIndex}&wait=15.5s`);
    expect((await call('PUT', `session/renew/${s1}`)).status).toBe(200);
    expect(await text('PUT', `session/destroy/${s1}`)).toBe('true');
    const woken = await watch;
    expect(woken.status).toBe(404);
    expect(Number(woken.headers.get('X-Consul-Index'))).not.toBe(leader.ModifyIndex);
    expect([...(await cluster()).keys()].sort()).toEqual(['initialize', 'members/pg2']);

    const renewed = await call('PUT', `session/renew/${s1}`);
    expect([renewed.status, await renewed.text()]).toEqual([404, `Session id '${s1}' not found`]);
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(await text('PUT', `kv/${scope}/leader?acquire=${s2}`, 'pg2')).toBe('true');
    const next = (await cluster()).get('leader')!;
    expect(await text('DELETE', `kv/${scope}/leader?cas=${next.ModifyIndex - 1}`)).toBe('false');
    expect(await text('DELETE', `kv/${scope}/leader?cas=${next.ModifyIndex}`)).toBe('true');
    expect(await text('DELETE', `kv/${scope}/?recurse=1`)).toBe('true');
    expect((await cluster()).size).toBe(0);
    expect(await text('PUT', `session/destroy/${s2}`)).toBe('true');
  });
});
