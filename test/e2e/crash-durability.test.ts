// Crash durability: several clients stream writes (KV puts, an overwritten counter key, service
// registrations with a TTL check, session creates, three-key transactions, and ACL policies, roles and
// tokens — the server runs with ACLs on, every request carrying the initial management token) into a local Beacon started
// as `npm start` starts it; at a random moment every process of it is SIGKILLed; it is restarted on
// the same state directory and every write that was acknowledged must be there with its acknowledged
// value, and no transaction half-applied (acknowledged or not). Several rounds, checking all earlier
// rounds' writes each time. BEACON_CRASH_SEED=<n> replays a run; BEACON_CRASH_ROUNDS sets the rounds.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { expect, it } from 'vitest';
import { prng, startBeacon } from './beacon-process';
import { freePort } from './global-setup';

const SEED = Number(process.env.BEACON_CRASH_SEED ?? Math.floor(Math.random() * 2 ** 31));
const ROUNDS = Number(process.env.BEACON_CRASH_ROUNDS ?? 2);
const CLIENTS = 4;
const MANAGEMENT = crypto.randomUUID();
const ACL = { vars: { ACL_ENABLED: 'true', ACL_DEFAULT_POLICY: 'deny' }, secrets: { ACL_INITIAL_MANAGEMENT_TOKEN: MANAGEMENT } };
/** fetch with the management token: ACLs are on, default deny. */
const call = (url: string, init: RequestInit = {}) => fetch(url, { ...init, headers: { 'X-Consul-Token': MANAGEMENT } });

interface AclPolicy { Name: string; Description: string; Rules: string }
interface AclRole { Name: string; Policies: { ID: string }[] }
interface AclToken { SecretID: string; Description: string; Policies: { ID: string }[]; Roles: { ID: string }[] }

interface Ledger {
  kv: Map<string, string>; // acknowledged puts
  counters: Map<string, { acked: number; attempted: number }>; // crash/last/c<i>: acknowledged ≤ stored ≤ attempted
  services: Set<string>;
  sessions: Set<string>;
  txns: { prefix: string; acked: boolean }[];
  policies: Map<string, AclPolicy>;
  roles: Map<string, AclRole>;
  tokens: Map<string, AclToken>; // by AccessorID
  acked: number;
  unknown: number;
}

const b64 = (s: string) => Buffer.from(s).toString('base64');

async function client(url: string, id: number, round: number, random: () => number, ledger: Ledger, stopped: () => boolean) {
  const counterKey = `crash/last/c${id}`;
  for (let n = 0; !stopped(); n++) {
    const tag = `r${round}c${id}n${n}`;
    const kind = Math.floor(random() * 6);
    try {
      if (kind === 0) {
        const res = await call(`${url}/v1/kv/crash/kv/${tag}`, { method: 'PUT', body: `value-${tag}` });
        if ((await res.text()) !== 'true') throw new Error(`put ${tag}: ${res.status}`);
        ledger.kv.set(`crash/kv/${tag}`, `value-${tag}`);
      } else if (kind === 1) {
        const c = ledger.counters.get(counterKey) ?? { acked: -1, attempted: -1 };
        const value = round * 1_000_000 + n;
        c.attempted = value;
        ledger.counters.set(counterKey, c);
        const res = await call(`${url}/v1/kv/${counterKey}`, { method: 'PUT', body: String(value) });
        if ((await res.text()) !== 'true') throw new Error(`counter ${tag}: ${res.status}`);
        c.acked = value;
      } else if (kind === 2) {
        const res = await call(`${url}/v1/agent/service/register`, { method: 'PUT', body: JSON.stringify({ ID: `crash-${tag}`, Name: 'crash', Port: n, Check: { TTL: '30m' } }) });
        if (res.status !== 200) throw new Error(`register ${tag}: ${res.status} ${await res.text()}`);
        await res.arrayBuffer();
        ledger.services.add(`crash-${tag}`);
      } else if (kind === 3) {
        const res = await call(`${url}/v1/session/create`, { method: 'PUT', body: JSON.stringify({ Name: `crash-${tag}`, Checks: [] }) });
        if (res.status !== 200) throw new Error(`session ${tag}: ${res.status} ${await res.text()}`);
        ledger.sessions.add(((await res.json()) as { ID: string }).ID);
      } else if (kind === 5) {
        // A policy, a role holding it, a token holding both: each acknowledged on its own.
        const policy = { Name: `crash-${tag}`, Description: `policy ${tag}`, Rules: `key_prefix "crash/acl/${tag}/" { policy = "read" }` };
        const created = await acked<{ ID: string }>(url, '/v1/acl/policy', policy, tag);
        ledger.policies.set(created.ID, policy);
        ledger.acked++;
        const role = { Name: `crash-${tag}`, Policies: [{ ID: created.ID }] };
        const roleId = (await acked<{ ID: string }>(url, '/v1/acl/role', role, tag)).ID;
        ledger.roles.set(roleId, role);
        ledger.acked++;
        const token = { Description: `token ${tag}`, Policies: [{ ID: created.ID }], Roles: [{ ID: roleId }] };
        const { AccessorID, SecretID } = await acked<{ AccessorID: string; SecretID: string }>(url, '/v1/acl/token', token, tag);
        ledger.tokens.set(AccessorID, { ...token, SecretID });
      } else {
        const prefix = `crash/txn/${tag}`;
        const entry = { prefix, acked: false };
        ledger.txns.push(entry);
        const ops = ['a', 'b', 'c'].map((k) => ({ KV: { Verb: 'set', Key: `${prefix}/${k}`, Value: b64(`${tag}-${k}`) } }));
        const res = await call(`${url}/v1/txn`, { method: 'PUT', body: JSON.stringify(ops) });
        if (res.status !== 200) throw new Error(`txn ${tag}: ${res.status} ${await res.text()}`);
        await res.arrayBuffer();
        entry.acked = true;
      }
      ledger.acked++;
    } catch (err) {
      if (!stopped()) throw err; // a failure before the kill is a bug, not a crash
      ledger.unknown++;
      return;
    }
  }
}

async function acked<T>(url: string, path: string, body: unknown, tag: string): Promise<T> {
  const res = await call(`${url}${path}`, { method: 'PUT', body: JSON.stringify(body) });
  if (res.status !== 200) throw new Error(`${path} ${tag}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

async function verify(url: string, ledger: Ledger) {
  const kvRes = await call(`${url}/v1/kv/crash/?recurse`);
  const stored = new Map<string, string>(
    kvRes.status === 404 ? [] : ((await kvRes.json()) as { Key: string; Value: string | null }[]).map((e) => [e.Key, Buffer.from(e.Value ?? '', 'base64').toString()]),
  );
  const missingKv = [...ledger.kv].filter(([k, v]) => stored.get(k) !== v).map(([k]) => k);
  expect(missingKv, 'acknowledged KV puts lost or changed').toEqual([]);
  for (const [key, c] of ledger.counters) {
    if (c.acked < 0) continue;
    const value = Number(stored.get(key));
    expect(value, `${key}: acknowledged ${c.acked}, attempted up to ${c.attempted}`).toBeGreaterThanOrEqual(c.acked);
    expect(value).toBeLessThanOrEqual(c.attempted);
  }
  for (const { prefix, acked } of ledger.txns) {
    const present = ['a', 'b', 'c'].filter((k) => stored.has(`${prefix}/${k}`)).length;
    if (acked) expect(present, `acknowledged txn ${prefix}`).toBe(3);
    else expect([0, 3], `unacknowledged txn ${prefix} half-applied`).toContain(present);
  }
  const services = (await (await call(`${url}/v1/agent/services`)).json()) as Record<string, unknown>;
  expect([...ledger.services].filter((s) => !(s in services)), 'acknowledged registrations lost').toEqual([]);
  const checks = (await (await call(`${url}/v1/agent/checks`)).json()) as Record<string, { ServiceID: string }>;
  expect([...ledger.services].filter((s) => !(`service:${s}` in checks)), 'checks of acknowledged registrations lost').toEqual([]);
  const sessions = new Set(((await (await call(`${url}/v1/session/list`)).json()) as { ID: string }[]).map((s) => s.ID));
  expect([...ledger.sessions].filter((s) => !sessions.has(s)), 'acknowledged sessions lost').toEqual([]);

  const read = async <T>(path: string) => {
    const res = await call(`${url}${path}`);
    return res.status === 200 ? ((await res.json()) as T) : `${res.status} ${await res.text()}`;
  };
  const ids = (links: { ID: string }[] | undefined) => (links ?? []).map((l) => l.ID);
  for (const [id, p] of ledger.policies) {
    const got = await read<AclPolicy>(`/v1/acl/policy/${id}`);
    expect(typeof got === 'string' ? got : { Name: got.Name, Description: got.Description, Rules: got.Rules }, `acknowledged policy ${id}`).toEqual(p);
  }
  for (const [id, r] of ledger.roles) {
    const got = await read<AclRole>(`/v1/acl/role/${id}`);
    expect(typeof got === 'string' ? got : { Name: got.Name, Policies: ids(got.Policies) }, `acknowledged role ${id}`).toEqual({ Name: r.Name, Policies: ids(r.Policies) });
  }
  for (const [accessor, t] of ledger.tokens) {
    const got = await read<AclToken>(`/v1/acl/token/${accessor}`);
    const fields = (x: AclToken) => ({ SecretID: x.SecretID, Description: x.Description, Policies: ids(x.Policies), Roles: ids(x.Roles) });
    expect(typeof got === 'string' ? got : fields(got), `acknowledged token ${accessor}`).toEqual(fields(t));
    // And it still resolves: its secret identifies it.
    const self = await fetch(`${url}/v1/acl/token/self`, { headers: { 'X-Consul-Token': t.SecretID } });
    expect([self.status, ((await self.json()) as { AccessorID: string }).AccessorID], `token ${accessor} resolves by its secret`).toEqual([200, accessor]);
  }
}

it(`keeps every acknowledged write across ${ROUNDS} SIGKILLs (seed ${SEED})`, { timeout: 600_000 }, async () => {
  console.log(`crash-durability: seed ${SEED} (replay with BEACON_CRASH_SEED=${SEED})`);
  const random = prng(SEED);
  const ledger: Ledger = { kv: new Map(), counters: new Map(), services: new Set(), sessions: new Set(), txns: [], policies: new Map(), roles: new Map(), tokens: new Map(), acked: 0, unknown: 0 };
  const persistTo = await mkdtemp(join(tmpdir(), 'beacon-crash-'));
  const port = await freePort();
  try {
    for (let round = 0; round <= ROUNDS; round++) {
      const beacon = await startBeacon(port, persistTo, ACL);
      try {
        await verify(beacon.url, ledger);
        if (round === ROUNDS) break;
        let killed = false;
        const clients = Array.from({ length: CLIENTS }, (_, id) => client(beacon.url, id, round, prng(SEED + round * 100 + id), ledger, () => killed));
        // Let writes flow for 1.5–4.5 s, then kill it mid-stream.
        const before = ledger.acked;
        await Promise.race([sleep(1500 + random() * 3000), Promise.all(clients)]);
        killed = true;
        await beacon.kill();
        await Promise.all(clients);
        expect(ledger.acked - before, 'writes acknowledged this round').toBeGreaterThan(0);
      } finally {
        await beacon.stop();
      }
    }
    console.log(`crash-durability: ${ledger.acked} writes acknowledged, 0 lost, ${ledger.unknown} in flight at the kills (${ledger.txns.length} txns checked for half-application; ${ledger.policies.size} policies, ${ledger.roles.size} roles, ${ledger.tokens.size} tokens)`);
  } finally {
    await rm(persistTo, { recursive: true, force: true });
  }
});
