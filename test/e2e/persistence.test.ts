// `npm start` keeps state on disk: a second local server stopped and started again on the same state
// directory still has every registration, check status, key, session and index.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { startLocal } from '../../scripts/start-local';
import { freePort } from './global-setup';

it('keeps registrations, check status, KV, sessions and the index across a restart', async () => {
  let session = '';
  const persistTo = await mkdtemp(join(tmpdir(), 'beacon-restart-'));
  const port = await freePort();
  try {
    let server = await startLocal({ port, persistTo, quiet: true });
    try {
      await fetch(`${server.url}/v1/agent/service/register`, { method: 'PUT', body: JSON.stringify({ ID: 'kept', Name: 'kept', Check: { TTL: '10m' } }) });
      await fetch(`${server.url}/v1/agent/check/pass/service:kept?note=before%20restart`, { method: 'PUT' });
      session = ((await (await fetch(`${server.url}/v1/session/create`, { method: 'PUT', body: '{"TTL":"60s"}' })).json()) as { ID: string }).ID;
      const acquired = await fetch(`${server.url}/v1/kv/leader?acquire=${session}`, { method: 'PUT', body: 'me' });
      expect(await acquired.text()).toBe('true');
    } finally {
      await server.stop();
    }
    const before = await fetch(`http://127.0.0.1:${port}/v1/status/leader`).then(() => 'up', () => 'down');
    expect(before).toBe('down');

    server = await startLocal({ port, persistTo, quiet: true });
    try {
      const res = await fetch(`${server.url}/v1/health/service/kept?passing`);
      const entries = (await res.json()) as { Service: { ID: string }; Checks: { Output: string }[] }[];
      expect(entries.map((e) => e.Service.ID)).toEqual(['kept']);
      expect(entries[0].Checks.at(-1)?.Output).toBe('before restart');
      expect(Number(res.headers.get('X-Consul-Index'))).toBeGreaterThanOrEqual(3);
      const [leader] = (await (await fetch(`${server.url}/v1/kv/leader`)).json()) as { Value: string; Session: string }[];
      expect(leader).toMatchObject({ Value: btoa('me'), Session: session });
      expect((await fetch(`${server.url}/v1/session/renew/${session}`, { method: 'PUT' })).status).toBe(200);
    } finally {
      await server.stop();
    }
  } finally {
    await rm(persistTo, { recursive: true, force: true });
  }
});
