// The gateway as several processes on one port (`node dns-gateway/main.ts` with BEACON_DNS_PROCESSES=2),
// started as a user starts it: every process keeps its own answers fresh, and none outlives the primary
// however the primary ends. Which process reads a datagram is the kernel's choice, so a test that needs one
// freezes the other (SIGSTOP) while it asks.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { freePort } from '../test/e2e/global-setup';
import { tcpExchange, framed, encodeQuery, decodeReply, udpAsk } from './test-client';

const MAIN = fileURLToPath(new URL('./main.ts', import.meta.url));
const started: ChildProcess[] = [];

const alive = (pid: number) => {
  try {
    // A zombie has exited: only its parent's wait is missing.
    return !/^\S+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
};
const childrenOf = (pid: number) => readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);

async function until(what: string, check: () => boolean | Promise<boolean>, limitMs = 15_000): Promise<void> {
  for (const deadline = Date.now() + limitMs; Date.now() < deadline; await sleep(50)) if (await check()) return;
  throw new Error(`gave up waiting until ${what}`);
}

/** Starts the gateway in two processes; resolves once it prints its address, with the workers' PIDs. */
async function startTwo(): Promise<{ primary: ChildProcess; port: number; workers: number[] }> {
  const port = await freePort();
  const primary = spawn(process.execPath, ['--import', 'tsx', MAIN], {
    env: { ...process.env, BEACON_DNS_PORT: String(port), BEACON_DNS_WORKER_URL: inject('beaconUrl'), BEACON_DNS_PROCESSES: '2' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  started.push(primary);
  await new Promise<void>((resolve, reject) => {
    primary.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('Beacon DNS gateway') && resolve());
    primary.once('exit', (code) => reject(new Error(`the gateway exited (${code})`)));
  });
  const workers = childrenOf(primary.pid!);
  expect(workers).toHaveLength(2);
  return { primary, port, workers };
}

/** Runs `ask` while only `pid` can read the socket (the other workers frozen). */
async function onlyIn<T>(pid: number, workers: number[], ask: () => Promise<T>): Promise<T> {
  const others = workers.filter((w) => w !== pid);
  others.forEach((w) => process.kill(w, 'SIGSTOP'));
  try {
    return await ask();
  } finally {
    others.forEach((w) => process.kill(w, 'SIGCONT'));
  }
}

const register = (body: unknown) => fetch(`${inject('beaconUrl')}/v1/catalog/register`, { method: 'PUT', body: JSON.stringify(body) });
const deregister = (body: unknown) => fetch(`${inject('beaconUrl')}/v1/catalog/deregister`, { method: 'PUT', body: JSON.stringify(body) });

afterEach(async () => {
  for (const child of started.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

describe('dns-gateway in several processes', () => {
  it('answers over UDP in every process and over TCP', async () => {
    const { port, workers } = await startTwo();
    for (const pid of workers) expect((await onlyIn(pid, workers, () => udpAsk(port, 'beacon.node.consul', 'A'))).rcode).toBe('NOERROR');
    expect(decodeReply((await tcpExchange(port, framed(encodeQuery('beacon.node.consul', 'A'))))!).rcode).toBe('NOERROR');
  });

  it('takes a deregistered instance out of every process’s answers', async () => {
    const { port, workers } = await startTwo();
    const service = `fresh-${crypto.randomUUID().slice(0, 8)}`;
    const name = `${service}.service.consul`;
    expect((await register({ Node: `${service}-node`, Address: '10.0.7.7', Service: { ID: service, Service: service } })).ok).toBe(true);
    // Both processes hold (and watch) the answer before the change.
    for (const pid of workers) await onlyIn(pid, workers, () => until(`${pid} answers ${name}`, async () => (await udpAsk(port, name, 'A')).rcode === 'NOERROR'));
    expect((await deregister({ Node: `${service}-node`, ServiceID: service })).ok).toBe(true);
    for (const pid of workers) await onlyIn(pid, workers, () => until(`${pid} answers NXDOMAIN`, async () => (await udpAsk(port, name, 'A')).rcode === 'NXDOMAIN'));
  });

  it.each([['SIGKILL', null], ['SIGTERM', 0]] as const)('leaves no process behind when the primary gets %s', async (signal, code) => {
    const { primary, workers } = await startTwo();
    const exited = new Promise<number | null>((resolve) => primary.once('exit', (c) => resolve(c)));
    primary.kill(signal);
    expect(await exited).toBe(code);
    await until('every worker has exited', () => workers.every((pid) => !alive(pid)));
  });

  it('stops, with an error, when one of its processes dies', async () => {
    const { primary, workers } = await startTwo();
    const exited = new Promise<number | null>((resolve) => primary.once('exit', (c) => resolve(c)));
    process.kill(workers[1], 'SIGKILL');
    expect(await exited).toBe(1);
    await until('the other worker has exited', () => !alive(workers[0]));
  });
});
