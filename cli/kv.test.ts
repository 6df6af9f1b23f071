// `beacon kv …` as a subprocess against the shared local Beacon, compared with Consul's documented output.
import { inject, describe, expect, it } from 'vitest';
import { beacon, unique } from './test-support';

const url = inject('beaconUrl');
const run = (...args: string[]) => beacon(url, args);

describe('beacon kv', () => {
  it('puts, gets, lists and deletes with Consul\'s messages and exit codes', async () => {
    const p = unique('kv');
    expect(await run('kv', 'put', `${p}/a`, 'one')).toMatchObject({ code: 0, stdout: `Success! Data written to: ${p}/a\n` });
    expect(await run('kv', 'put', '-flags=42', `/${p}/b/c`, 'two')).toMatchObject({ code: 0, stdout: `Success! Data written to: ${p}/b/c\n` });
    expect(await run('kv', 'get', `${p}/a`)).toMatchObject({ code: 0, stdout: 'one\n' });
    expect(await run('kv', 'get', '-base64', `${p}/a`)).toMatchObject({ code: 0, stdout: 'b25l\n' });
    expect(await run('kv', 'get', '-recurse', `${p}/`)).toMatchObject({ code: 0, stdout: `${p}/a:one\n${p}/b/c:two\n` });
    expect(await run('kv', 'get', '-keys', `${p}/`)).toMatchObject({ code: 0, stdout: `${p}/a\n${p}/b/\n` });
    expect(await run('kv', 'get', `${p}/nope`)).toMatchObject({ code: 1, stdout: '', stderr: `Error! No key exists at: ${p}/nope\n` });
    expect(await run('kv', 'delete', `${p}/a`)).toMatchObject({ code: 0, stdout: `Success! Deleted key: ${p}/a\n` });
    expect(await run('kv', 'delete', '-recurse', `${p}/`)).toMatchObject({ code: 0, stdout: `Success! Deleted keys with prefix: ${p}/\n` });
    expect(await run('kv', 'get', '-recurse', `${p}/`)).toMatchObject({ code: 0, stdout: '' });
  });

  it('prints -detailed in tabwriter layout with exact uint64 flags', async () => {
    const key = `${unique('kvd')}/x`;
    await run('kv', 'put', '-flags', '3304740253564472344', key, 'v');
    const { code, stdout } = await run('kv', 'get', '-detailed', key);
    expect(code).toBe(0);
    const lines = stdout.split('\n');
    expect(lines[0]).toMatch(/^CreateIndex {6}\d+$/);
    expect(lines.slice(1)).toEqual(['Flags            3304740253564472344', `Key              ${key}`, 'LockIndex        0',
      expect.stringMatching(/^ModifyIndex {6}\d+$/), 'Session          -', 'Value            v', '']);
  });

  it('checks-and-sets: a stale -modify-index fails with exit 1, the current one writes', async () => {
    const key = unique('cas');
    await run('kv', 'put', key, 'a');
    const index = /ModifyIndex\s+(\d+)/.exec((await run('kv', 'get', '-detailed', key)).stdout)![1];
    expect(await run('kv', 'put', '-cas', '-modify-index=1', key, 'b')).toMatchObject({ code: 1, stderr: `Error! Did not write to ${key}: CAS failed\n` });
    expect(await run('kv', 'put', '-cas', `-modify-index=${index}`, key, 'b')).toMatchObject({ code: 0, stdout: `Success! Data written to: ${key}\n` });
    expect(await run('kv', 'put', '-cas', key, 'c')).toMatchObject({ code: 1, stderr: 'Must specify -modify-index with -cas!\n' });
    expect((await run('kv', 'get', key)).stdout).toBe('b\n');
  });

  it('reads data from stdin and @file, and decodes -base64', async () => {
    const key = unique('data');
    expect((await beacon(url, ['kv', 'put', key, '-'], { input: 'from stdin' })).code).toBe(0);
    expect((await run('kv', 'get', key)).stdout).toBe('from stdin\n');
    await run('kv', 'put', '-base64', key, Buffer.from('decoded').toString('base64'));
    expect((await run('kv', 'get', key)).stdout).toBe('decoded\n');
  });

  it('exports tab-indented JSON and imports it under a new prefix', async () => {
    const p = unique('exp');
    await run('kv', 'put', '-flags=7', `${p}/a`, 'x');
    await run('kv', 'put', `${p}/dir/`);
    const exported = await run('kv', 'export', `${p}/`);
    expect(exported.stdout).toBe(`[\n\t{\n\t\t"key": "${p}/a",\n\t\t"flags": 7,\n\t\t"value": "eA=="\n\t},\n\t{\n\t\t"key": "${p}/dir/",\n\t\t"flags": 0,\n\t\t"value": ""\n\t}\n]\n`);
    const q = unique('imp');
    const imported = await beacon(url, ['kv', 'import', `-prefix=${q}`, '-'], { input: exported.stdout });
    expect(imported).toMatchObject({ code: 0, stdout: `Imported: ${q}/${p}/a\nImported: ${q}/${p}/dir/\n` });
    expect((await run('kv', 'get', '-detailed', `${q}/${p}/a`)).stdout).toContain('Flags            7\n');
    expect((await run('kv', 'export', unique('empty'))).stdout).toBe('[]\n');
  });

  it('acquires and releases with a session', async () => {
    const key = unique('lockkv');
    const res = await fetch(`${url}/v1/session/create`, { method: 'PUT', body: '{}' });
    const { ID } = (await res.json()) as { ID: string };
    expect(await run('kv', 'put', '-acquire', `-session=${ID}`, key, 'held')).toMatchObject({ code: 0, stdout: `Success! Lock acquired on: ${key}\n` });
    expect((await run('kv', 'get', '-detailed', key)).stdout).toContain(`Session          ${ID}\n`);
    expect(await run('kv', 'put', '-release', `-session=${ID}`, key, 'free')).toMatchObject({ code: 0, stdout: `Success! Lock released on: ${key}\n` });
    expect(await run('kv', 'put', '-acquire', key)).toMatchObject({ code: 1 });
  });

  it('answers -h with usage and exit 0, an unknown flag with exit 1', async () => {
    const help = await run('kv', 'get', '-h');
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: beacon kv get');
    expect((await run('kv', 'get', '-bogus', 'x')).code).toBe(1);
    expect(await run('kv', 'get')).toMatchObject({ code: 1, stderr: 'Error! Missing KEY argument\n' });
  });
});
