// `beacon watch` and `beacon lock` with real child processes against the shared local Beacon.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, inject, it } from 'vitest';
import { beacon, unique } from './test-support';

const url = inject('beaconUrl');
const BIN = fileURLToPath(new URL('./beacon.js', import.meta.url));
const put = (key: string, value: string) => fetch(`${url}/v1/kv/${key}`, { method: 'PUT', body: value });

async function waitFor(read: () => Promise<string>, done: (s: string) => boolean): Promise<string> {
  for (let i = 0; ; i++) {
    const s = await read().catch(() => '');
    if (done(s) || i > 240) return s;
    await sleep(250);
  }
}

describe('beacon watch', () => {
  it('prints the first result with a 4-space indent and exits 0 without a handler', async () => {
    const key = unique('w');
    await put(key, 'v');
    const res = await beacon(url, ['watch', '-type=key', `-key=${key}`]);
    expect(res.code).toBe(0);
    expect(JSON.parse(res.stdout)).toMatchObject({ Key: key, Value: Buffer.from('v').toString('base64'), Flags: 0 });
    expect(res.stdout).toMatch(/^\{\n {4}"Key"/);
  });

  it('runs the handler with the JSON on stdin and CONSUL_INDEX, again when the key changes, and stops when it fails', async () => {
    const key = unique('wh');
    const dir = await mkdtemp(join(tmpdir(), 'beacon-watch-'));
    const out = join(dir, 'out');
    await put(key, 'one');
    // The handler appends "index value" per run; the third run fails, which ends the watch with exit 1.
    const handler = `n=$(cat | grep -c '"Value"'); echo "$CONSUL_INDEX $n" >> ${out}; [ $(wc -l < ${out}) -lt 3 ]`;
    const child = spawn(process.execPath, [BIN, 'watch', '-type', 'key', '-key', key, handler], { env: { ...process.env, CONSUL_HTTP_ADDR: url }, stdio: 'ignore' });
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(await waitFor(() => readFile(out, 'utf8'), (s) => s.split('\n').length > 1)).toMatch(/^\d+ 1\n$/);
    await put(key, 'two');
    const two = await waitFor(() => readFile(out, 'utf8'), (s) => s.trim().split('\n').length >= 2);
    const [first, second] = two.trim().split('\n').map((l) => Number(l.split(' ')[0]));
    expect(second).toBeGreaterThan(first);
    await put(key, 'three');
    expect(await exited).toBe(1);
  });
});

describe('beacon lock', () => {
  it('runs the child with CONSUL_LOCK_HELD holding <prefix>/.lock with Consul\'s flags, then releases and cleans up', async () => {
    const prefix = unique('lock');
    const res = await beacon(url, ['lock', prefix, `echo held=$CONSUL_LOCK_HELD; curl -s ${url}/v1/kv/${prefix}/.lock`]);
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/^held=true\n/);
    expect(res.stdout).toContain('"Flags":3304740253564472344');
    expect(res.stdout).toMatch(/"Session":"[0-9a-f-]{36}"/);
    expect((await fetch(`${url}/v1/kv/${prefix}/.lock`)).status).toBe(404);
  });

  it('exits 2 with -child-exit-code when the child fails, 0 without it', async () => {
    expect((await beacon(url, ['lock', '-child-exit-code', unique('lc'), 'exit 3'])).code).toBe(2);
    expect((await beacon(url, ['lock', unique('lc'), 'exit 3'])).code).toBe(0);
  });

  it('signals the child when the lock is lost', async () => {
    const prefix = unique('lost');
    const dir = await mkdtemp(join(tmpdir(), 'beacon-lock-'));
    const out = join(dir, 'out');
    const child = spawn(process.execPath, [BIN, 'lock', prefix, `trap 'echo term >> ${out}; exit 0' TERM; echo up >> ${out}; while true; do sleep 0.2; done`], {
      env: { ...process.env, CONSUL_HTTP_ADDR: url }, stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(await waitFor(() => readFile(out, 'utf8'), (s) => s.includes('up'))).toBe('up\n');
    const [pair] = (await (await fetch(`${url}/v1/kv/${prefix}/.lock`)).json()) as { Session: string }[];
    await fetch(`${url}/v1/session/destroy/${pair.Session}`, { method: 'PUT' });
    expect(await exited).toBe(0);
    expect(await readFile(out, 'utf8')).toBe('up\nterm\n');
    expect(stderr).toContain('Lock lost, killing child');
  });

  it('lets -n 2 holders in at once through the semaphore', async () => {
    const prefix = unique('sem');
    const dir = await mkdtemp(join(tmpdir(), 'beacon-sem-'));
    const flag = join(dir, 'count');
    // Each holder records itself and waits until both are in: only possible if two hold at once.
    const script = `echo x >> ${flag}; while [ $(wc -l < ${flag}) -lt 2 ]; do sleep 0.2; done`;
    const [a, b] = await Promise.all([beacon(url, ['lock', '-n=2', prefix, script]), beacon(url, ['lock', '-n', '2', prefix, script])]);
    expect([a.code, b.code, a.stderr, b.stderr]).toEqual([0, 0, '', '']);
    expect(await beacon(url, ['lock', '-n=3', prefix, 'true'])).toMatchObject({ code: 0 });
  });
});
