// `beacon snapshot save|restore` as a subprocess against the shared local Beacon. The round trip runs in
// dc3, which no other node-project test writes to, so restoring the saved state loses nobody's writes.
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { beacon, unique } from './test-support';

const url = inject('beaconUrl');
const run = (...args: string[]) => beacon(url, args);
const dir = mkdtempSync(join(tmpdir(), 'beacon-snapshot-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('beacon snapshot', () => {
  it('saves, and restores what was saved after a change, with Consul\'s messages', async () => {
    const key = unique('snap');
    const file = join(dir, 'dc3.snap');
    expect(await run('kv', 'put', '-datacenter=dc3', key, 'saved')).toMatchObject({ code: 0 });
    const saved = await run('snapshot', 'save', '-datacenter=dc3', file);
    expect(saved).toMatchObject({ code: 0, stderr: '', stdout: expect.stringMatching(/^Saved and verified snapshot to index [1-9]\d*\n$/) });
    expect(existsSync(`${file}.part`)).toBe(false);
    expect(await run('kv', 'put', '-datacenter=dc3', key, 'changed')).toMatchObject({ code: 0 });
    expect(await run('snapshot', 'restore', '-datacenter=dc3', file)).toMatchObject({ code: 0, stdout: 'Restored snapshot\n', stderr: '' });
    expect(await run('kv', 'get', '-datacenter=dc3', key)).toMatchObject({ code: 0, stdout: 'saved\n' });
  });

  it('refuses a truncated file, a snapshot of another datacenter and a missing file, changing nothing', async () => {
    const key = unique('snap');
    const file = join(dir, 'dc1.snap');
    expect(await run('kv', 'put', key, 'before')).toMatchObject({ code: 0 });
    expect(await run('snapshot', 'save', file)).toMatchObject({ code: 0 });
    const whole = readFileSync(file);
    writeFileSync(join(dir, 'cut.snap'), whole.subarray(0, whole.length - 25));
    const cut = await run('snapshot', 'restore', join(dir, 'cut.snap'));
    expect(cut).toMatchObject({ code: 1, stdout: '' });
    expect(cut.stderr).toMatch(/^Error restoring snapshot: Unexpected response code: 400 \((failed to decompress snapshot|failed checking integrity of snapshot)/);
    const foreign = await run('snapshot', 'restore', '-datacenter=dc3', file);
    expect(foreign).toMatchObject({ code: 1, stderr: 'Error restoring snapshot: Unexpected response code: 400 (snapshot is of datacenter "dc1", not "dc3")\n' });
    expect(await run('snapshot', 'restore', join(dir, 'absent.snap'))).toMatchObject({ code: 1, stderr: expect.stringMatching(/^Error opening snapshot file: ENOENT/) });
    expect(await run('snapshot', 'restore')).toMatchObject({ code: 1, stderr: 'Missing FILE argument\n' });
    expect(await run('kv', 'get', key)).toMatchObject({ code: 0, stdout: 'before\n' });
  });
});
