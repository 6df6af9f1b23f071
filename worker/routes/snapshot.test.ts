import { describe, expect, it } from 'vitest';
import { api, put, uniq } from '../test-support';

const save = async () => {
  const res = await api('/v1/snapshot');
  expect(res.status).toBe(200);
  return { res, file: new Uint8Array(await res.arrayBuffer()) };
};
const restore = (file: Uint8Array | string) => api('/v1/snapshot', { method: 'PUT', body: file });
const gunzip = (file: Uint8Array) => new Response(new Blob([file]).stream().pipeThrough(new DecompressionStream('gzip'))).text();
const kv = async (key: string) => (await api(`/v1/kv/${key}?raw`)).text();

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

  it('restores what was saved: a key changed after the save comes back, and the index moves forward', async () => {
    const key = uniq('snap');
    await put(`/v1/kv/${key}`, 'saved');
    const { res: saved, file } = await save();
    await put(`/v1/kv/${key}`, 'changed');
    const res = await restore(file);
    expect(res.status, await res.clone().text()).toBe(200);
    expect(await res.text()).toBe('');
    expect(Number(res.headers.get('X-Consul-Index'))).toBeGreaterThan(Number(saved.headers.get('X-Consul-Index')));
    expect(await kv(key)).toBe('saved');
  });
});
