// A keep-alive connection to `npm start` stays open while idle, as Consul's does. workerd closes one 5 s after
// its last answer (kj's pipelineTimeout); the path guard used to pass that close on, so a client's next
// request on it (a heartbeat every 10 s, a watcher re-arming after a held answer) met a closed or reset
// connection: the soak's failures. The guard now keeps the client and opens a new upstream (guard.ts).
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, inject, it } from 'vitest';
import { Http1Connection, header } from '../../scripts/bench/http1';

const beacon = inject('beaconUrl');
const IDLE_MS = 6_000; // past workerd's 5 s

describe('idle keep-alive connections through the path guard', () => {
  it('answers the next request after an idle spell, on each of several connections', { timeout: 30_000 }, async () => {
    const connections = await Promise.all(Array.from({ length: 6 }, () => Http1Connection.open(beacon)));
    try {
      for (const c of connections) expect((await c.request('GET', '/v1/status/leader')).status).toBe(200);
      await sleep(IDLE_MS);
      const again = await Promise.all(connections.map((c) => c.request('PUT', '/v1/kv/idle-keep-alive/k', 'v').then((r) => r.status, (e: Error) => e.message)));
      expect(again).toEqual(connections.map(() => 200));
    } finally {
      for (const c of connections) c.close();
    }
  });

  it('answers held watches at the end of their wait, then the requests after an idle spell', { timeout: 30_000 }, async () => {
    const service = `idle-watch-${Date.now()}`;
    expect((await fetch(`${beacon}/v1/agent/service/register`, { method: 'PUT', body: JSON.stringify({ Name: service, Port: 1 }) })).status).toBe(200);
    const connections = await Promise.all(Array.from({ length: 6 }, () => Http1Connection.open(beacon)));
    try {
      const path = `/v1/health/service/${service}`;
      const first = await connections[0].request('GET', path);
      const index = Number(header(first.head, 'x-consul-index'));
      const held = await Promise.all(connections.map((c) => c.request('GET', `${path}?index=${index}&wait=1s`)));
      expect(held.map((r) => [r.status, Number(header(r.head, 'x-consul-index'))])).toEqual(connections.map(() => [200, index]));
      await sleep(IDLE_MS);
      const again = await Promise.all(connections.map((c) => c.request('GET', path).then((r) => r.status, (e: Error) => e.message)));
      expect(again).toEqual(connections.map(() => 200));
    } finally {
      for (const c of connections) c.close();
    }
  });
});
