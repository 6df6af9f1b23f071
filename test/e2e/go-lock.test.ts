// The HTTP calls of the Go client's `api.Lock` (what `consul lock` and many Go services elect leaders
// with), replayed over real HTTP with its exact parameters: its flag value only works if Beacon keeps a
// uint64 Flags exact, and a second contender must wait for the holder's release.
import { describe, expect, inject, it } from 'vitest';

const base = inject('beaconUrl');
/** api.LockFlagValue, 0x2ddccbc058a50c18: beyond a JavaScript number's precision. */
const LOCK_FLAG = '3304740253564472344';
const key = `service/${crypto.randomUUID().slice(0, 8)}/leader`;

const call = (method: string, path: string, body?: string) => fetch(`${base}${path}`, { method, body });
/** What Go's json decoder sees: the Flags number as written, compared as text (no float rounding). */
async function pair(path: string): Promise<{ status: number; index: number; flags?: string; session?: string }> {
  const res = await call('GET', path);
  const text = await res.text();
  return {
    status: res.status,
    index: Number(res.headers.get('X-Consul-Index')),
    flags: /"Flags":(\d+)/.exec(text)?.[1],
    session: /"Session":"([^"]+)"/.exec(text)?.[1],
  };
}
const createSession = async () => ((await (await call('PUT', '/v1/session/create', '{"Name":"Consul API Lock","TTL":"15s"}')).json()) as { ID: string }).ID;
const acquire = async (session: string) => (await call('PUT', `/v1/kv/${key}?acquire=${session}&flags=${LOCK_FLAG}`, 'payload')).text();

describe("Go api.Lock's flow", () => {
  it('acquires, is seen as held with its own flag, makes a contender wait, releases and is destroyed with CAS', async () => {
    const first = await createSession();
    const free = await pair(`/v1/kv/${key}?wait=15000ms`);
    expect(free.status).toBe(404);
    expect(await acquire(first)).toBe('true');
    // monitorLock: a consistent read must show our session and Go's exact flag value, else ErrLockConflict.
    const held = await pair(`/v1/kv/${key}?consistent=`);
    expect(held).toMatchObject({ status: 200, flags: LOCK_FLAG, session: first });

    const second = await createSession();
    expect(await acquire(second)).toBe('false');
    const waiting = pair(`/v1/kv/${key}?index=${held.index}&wait=15000ms`);
    // Unlock: release with the flag, then the contender's blocking read wakes and it acquires.
    expect(await (await call('PUT', `/v1/kv/${key}?flags=${LOCK_FLAG}&release=${first}`, '')).text()).toBe('true');
    const woken = await waiting;
    expect(woken.index).toBeGreaterThan(held.index);
    expect(woken.session).toBeUndefined();
    expect(await acquire(second)).toBe('true');
    expect(await (await call('PUT', `/v1/kv/${key}?flags=${LOCK_FLAG}&release=${second}`, '')).text()).toBe('true');

    // Destroy: only a free key with the lock flag is deleted, with CAS on what was read.
    const last = await pair(`/v1/kv/${key}`);
    expect(last).toMatchObject({ flags: LOCK_FLAG, session: undefined });
    const entry = ((await (await call('GET', `/v1/kv/${key}`)).json()) as { ModifyIndex: number }[])[0];
    expect(await (await call('DELETE', `/v1/kv/${key}?cas=${entry.ModifyIndex}`)).text()).toBe('true');
    for (const s of [first, second]) expect((await call('PUT', `/v1/session/destroy/${s}`)).status).toBe(200);
    expect((await pair(`/v1/kv/${key}`)).status).toBe(404);
  });
});
