// go-micro v4 + its consul registry plugin, as a real service process and a real client (go test).
import { fileURLToPath } from 'node:url';
import { expect, inject, it } from 'vitest';
import { runClient } from '../run-client';

it('registers, serves calls through the selector, and leaves it on stop, kill and a failing RegisterCheck', async () => {
  const { host } = new URL(inject('beaconUrl'));
  const run = await runClient('go', ['test', '-v', '-count=1', '.'], {
    cwd: fileURLToPath(new URL('.', import.meta.url)),
    env: { CONSUL_HTTP_ADDR: host },
    timeoutMs: 240_000,
  });
  expect(run.code, run.output).toBe(0);
  expect(run.output).toMatch(/^ok\s/m);
}, 250_000);
