import { describe, expect, it } from 'vitest';
import { api, put, uniq } from '../test-support';

const save = async (dc = 'dc1') => {
  const res = await api(`/v1/snapshot?dc=${dc}`);
  expect(res.status).toBe(200);
  return { res, file: new Uint8Array(await res.arrayBuffer()) };
};
const restore = (file: Uint8Array | string, dc = 'dc1') => api(`/v1/snapshot?dc=${dc}`, { method: 'PUT', body: file });
const gunzip = (file: Uint8Array) => new Response(new Blob([file]).stream().pipeThrough(new DecompressionStream('gzip'))).text();
const kv = async (key: string, dc = 'dc1') => (await api(`/v1/kv/${key}?raw&dc=${dc}`)).text();

describe('GET /v1/snapshot', () => {
  it('answers a gzip file whose first line is a Beacon header naming the datacenter and index', async () => {
    const { res, file } = await save();
    expect(res.headers.get('Content-Type')).toBe('application/x-gzip');
    const index = Number(res.headers.get('X-Consul-Index'));
    expect(index).toBeGreaterThanOrEqual(1);
    const header = JSON.parse((await gunzip(file)).split('\n')[0]!);
    expect(header).toMatchObject({ format: 'beacon-snapshot', version: 1, datacenter: 'dc1', index, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
  });

  it('answers other methods 405 with Allow', async () => {
    const res = await api('/v1/snapshot', { method: 'POST' });
    expect(res.status).toBe(405);
    expect(res.headers.get('Allow')).toBe('OPTIONS,GET,PUT');
  });
});

describe('PUT /v1/snapshot', () => {
  const refusals: { name: string; file: (good: Uint8Array) => Uint8Array | string; text: RegExp }[] = [
    { name: 'a truncated file', file: (good) => good.slice(0, good.length - 30), text: /^(failed to decompress snapshot|failed checking integrity of snapshot)/ },
    { name: 'plain text', file: () => 'not a snapshot', text: /^failed to decompress snapshot: / },
    { name: 'an empty body', file: () => '', text: /^(failed to decompress snapshot|not a Beacon snapshot)/ },
  ];

  it.each(refusals)('refuses $name with a plain-text 400 and changes nothing', async ({ file, text }) => {
    const key = uniq('snap');
    await put(`/v1/kv/${key}`, 'before');
    const { file: good } = await save();
    const res = await restore(file(good));
    expect(res.status).toBe(400);
    expect(res.headers.get('Content-Type')).toMatch(/^text\/plain/);
    expect(await res.text()).toMatch(text);
    expect(await kv(key)).toBe('before');
  });

  // In dc3: a restore answers every parked query and rolls back writes made since the save, and the
  // other test files of this worker block and write in dc1 (dc3 sees only a few plain reads).
  it('restores what was saved: a key changed after the save comes back, and the index moves forward', async () => {
    const key = uniq('snap');
    await put(`/v1/kv/${key}?dc=dc3`, 'saved');
    const { res: saved, file } = await save('dc3');
    await put(`/v1/kv/${key}?dc=dc3`, 'changed');
    const res = await restore(file, 'dc3');
    expect(res.status, await res.clone().text()).toBe(200);
    expect(await res.text()).toBe('');
    expect(Number(res.headers.get('X-Consul-Index'))).toBeGreaterThan(Number(saved.headers.get('X-Consul-Index')));
    expect(await kv(key, 'dc3')).toBe('saved');
  });
});
