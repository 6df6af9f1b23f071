// go-kit's sd/consul Registrar, Instancer, Endpointer and lb.Retry against Beacon (go test).
import { fileURLToPath } from 'node:url';
import { expect, inject, it } from 'vitest';
import { runClient } from '../run-client';

it('follows register, deregister and HTTP/TCP check state through the Instancer and calls through lb.Retry', async () => {
  const { host } = new URL(inject('beaconUrl'));
  const run = await runClient('go', ['test', '-v', '-count=1', '.'], {
    cwd: fileURLToPath(new URL('.', import.meta.url)),
    env: { CONSUL_HTTP_ADDR: host },
    timeoutMs: 240_000,
  });
  expect(run.code, run.output).toBe(0);
  expect(run.output).toMatch(/^ok\s/m);
}, 250_000);
