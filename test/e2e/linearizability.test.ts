// Linearizability of the KV store as clients see it over HTTP: concurrent clients run get, put,
// check-and-set and delete on a few keys, and acquire/release on a lock, recording when each call was
// invoked and when it returned; test/lib/linearizability checks every history against the sequential
// model. The second test SIGKILLs the server mid-run and restarts it on the same state: calls cut off
// by the kill have an unknown outcome (they may or may not have taken effect), everything else must
// still fit one order. BEACON_LIN_SEED=<n> replays a run.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { expect, inject, it } from 'vitest';
import { checkHistory, type Operation } from '../lib/linearizability/checker';
import { lockModel, registerModel, type LockInput, type LockOutput, type RegisterInput, type RegisterOutput } from '../lib/linearizability/models';
import { prng, startBeacon } from './beacon-process';
import { freePort } from './global-setup';

const SEED = Number(process.env.BEACON_LIN_SEED ?? Math.floor(Math.random() * 2 ** 31));

interface Histories {
  register: Operation<RegisterInput, RegisterOutput>[];
  lock: Operation<LockInput, LockOutput>[];
}

/** Runs `call`, recording it; a thrown error (connection refused or reset) is an unknown outcome. */
async function record<I, O>(into: Operation<I, O>[], partition: string, input: I, call: () => Promise<O>): Promise<O | undefined> {
  const op: Operation<I, O> = { partition, input, output: undefined, invokedAt: performance.now(), returnedAt: Infinity };
  into.push(op);
  try {
    const output = await call();
    op.returnedAt = performance.now();
    op.output = output;
    return output;
  } catch {
    return undefined;
  }
}

async function expectText(res: Response, ...accepted: string[]): Promise<string> {
  const text = await res.text();
  if (res.status !== 200 || !accepted.includes(text)) throw new Error(`unexpected ${res.status} ${text}`);
  return text;
}

async function runClient(base: () => string, prefix: string, id: number, ops: number, random: () => number, h: Histories) {
  const keys = ['a', 'b', 'c'];
  const session = await (async () => {
    for (;;) {
      try {
        const res = await fetch(`${base()}/v1/session/create`, { method: 'PUT', body: JSON.stringify({ Name: `lin-${id}`, Checks: [] }) });
        if (res.ok) return ((await res.json()) as { ID: string }).ID;
      } catch {
        /* restarting */
      }
      await sleep(200);
    }
  })();
  const lockUrl = () => `${base()}/v1/kv/${prefix}/lock`;
  for (let n = 0; n < ops; n++) {
    const key = keys[Math.floor(random() * keys.length)];
    const url = () => `${base()}/v1/kv/${prefix}/${key}`;
    const value = `c${id}n${n}`;
    const pick = random();
    let outcome: unknown;
    if (pick < 0.3) {
      outcome = await record(h.register, key, { op: 'get' }, async () => readValue(await fetch(url())));
    } else if (pick < 0.5) {
      outcome = await record(h.register, key, { op: 'put', value }, async () => (await expectText(await fetch(url(), { method: 'PUT', body: value }), 'true')) === 'true');
    } else if (pick < 0.7) {
      // Read, then CAS against the ModifyIndex read (each value written once, so index ↔ value).
      let seen: { value: string | null; index: number } | undefined;
      outcome = await record(h.register, key, { op: 'get' }, async () => {
        const res = await fetch(url());
        const index = res.status === 200 ? ((await res.clone().json()) as { ModifyIndex: number }[])[0].ModifyIndex : 0;
        const v = await readValue(res);
        seen = { value: v, index };
        return v;
      });
      if (seen) {
        const s = seen;
        outcome = await record(h.register, key, { op: 'cas', expect: s.value, value }, async () => (await expectText(await fetch(`${url()}?cas=${s.index}`, { method: 'PUT', body: value }), 'true', 'false')) === 'true');
      }
    } else if (pick < 0.8) {
      outcome = await record(h.register, key, { op: 'delete' }, async () => (await expectText(await fetch(url(), { method: 'DELETE' }), 'true')) === 'true');
    } else if (pick < 0.9) {
      const verb = random() < 0.5 ? 'acquire' : 'release';
      outcome = await record(h.lock, 'lock', { op: verb, session }, async () => (await expectText(await fetch(`${lockUrl()}?${verb}=${session}`, { method: 'PUT', body: 'held' }), 'true', 'false')) === 'true');
    } else {
      outcome = await record(h.lock, 'lock', { op: 'holder' }, async () => {
        const res = await fetch(lockUrl());
        if (res.status === 404) return null;
        if (res.status !== 200) throw new Error(`holder: ${res.status}`);
        return ((await res.json()) as { Session?: string }[])[0].Session ?? null;
      });
    }
    if (outcome === undefined) await waitUntilUp(base); // cut off by the kill: wait for the restart
  }
}

async function waitUntilUp(base: () => string) {
  for (;;) {
    try {
      if ((await fetch(`${base()}/v1/status/leader`)).ok) return;
    } catch {
      /* still down */
    }
    await sleep(200);
  }
}

async function readValue(res: Response): Promise<string | null> {
  if (res.status === 404) return (await res.arrayBuffer(), null);
  if (res.status !== 200) throw new Error(`get: ${res.status} ${await res.text()}`);
  const [entry] = (await res.json()) as { Value: string | null }[];
  return entry.Value === null ? '' : Buffer.from(entry.Value, 'base64').toString();
}

function check(h: Histories) {
  const register = checkHistory(registerModel, h.register);
  const lock = checkHistory(lockModel, h.lock);
  const unknown = [...h.register, ...h.lock].filter((o) => o.returnedAt === Infinity).length;
  console.log(`linearizability: ${h.register.length} register + ${h.lock.length} lock operations checked, ${unknown} with unknown outcome: ${register.ok && lock.ok ? 'linearizable' : 'NOT linearizable'}`);
  expect(register, 'register history').toMatchObject({ ok: true });
  expect(lock, 'lock history').toMatchObject({ ok: true });
}

it(`keeps get/put/CAS/delete and acquire/release linearizable under 8 concurrent clients (seed ${SEED})`, async () => {
  const url = inject('beaconUrl');
  const prefix = `lin/${SEED}/steady`;
  const h: Histories = { register: [], lock: [] };
  await Promise.all(Array.from({ length: 8 }, (_, id) => runClient(() => url, prefix, id, 60, prng(SEED + id), h)));
  expect(h.register.every((o) => o.returnedAt !== Infinity)).toBe(true);
  check(h);
});

it(`stays linearizable when the server is SIGKILLed and restarted mid-run (seed ${SEED})`, { timeout: 300_000 }, async () => {
  const persistTo = await mkdtemp(join(tmpdir(), 'beacon-lin-'));
  const port = await freePort();
  let beacon = await startBeacon(port, persistTo);
  try {
    const h: Histories = { register: [], lock: [] };
    const random = prng(SEED);
    let done = false;
    const clients = Promise.all(Array.from({ length: 6 }, (_, id) => runClient(() => beacon.url, `lin/restart`, id, 80, prng(SEED + 50 + id), h))).finally(() => (done = true));
    // Killed after a seeded share of the calls has returned, not after a time, so a faster runtime
    // cannot finish every call before the kill.
    const killAfter = 60 + Math.floor(random() * 180);
    const returned = () => [...h.register, ...h.lock].filter((o) => o.returnedAt !== Infinity).length;
    while (!done && returned() < killAfter) await sleep(5);
    expect(done, 'the clients finished before the kill: nothing was tested').toBe(false);
    await beacon.kill();
    beacon = await startBeacon(port, persistTo);
    await clients;
    const unknown = [...h.register, ...h.lock].filter((o) => o.returnedAt === Infinity).length;
    expect(unknown, 'calls cut off by the kill').toBeGreaterThan(0);
    expect(unknown, 'at most one call per client is cut off').toBeLessThanOrEqual(6 * 2);
    check(h);
  } finally {
    await beacon.stop();
    await rm(persistTo, { recursive: true, force: true });
  }
});
