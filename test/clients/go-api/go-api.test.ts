// The official Go client, github.com/hashicorp/consul/api v1.34.5 with its api/watch plans, against
// Beacon: its go test suite (Agent, Catalog, Health, KV, Lock, Semaphore, Session, Txn, Event,
// PreparedQuery, watches), each case asserting what the client decoded.
import { fileURLToPath } from 'node:url';
import { expect, inject, it } from 'vitest';
import { runClient } from '../run-client';

it('passes the go-api suite (go test -v) against Beacon', async () => {
  const { host } = new URL(inject('beaconUrl'));
  const run = await runClient('go', ['test', '-v', '-count=1', '-timeout', '200s', '.'], {
    cwd: fileURLToPath(new URL('.', import.meta.url)),
    env: { CONSUL_HTTP_ADDR: host },
    timeoutMs: 240_000,
  });
  expect(run.code, run.output).toBe(0);
  expect(run.output).toMatch(/^ok\s/m);
}, 250_000);
