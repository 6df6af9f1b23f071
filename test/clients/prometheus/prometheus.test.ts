// Prometheus' own Consul service discovery (github.com/prometheus/prometheus/discovery/consul from
// v3.16.0, the code behind consul_sd_configs) run as a library by go test against Beacon: targets
// appear with __meta_consul_* labels (health included), follow changes and disappear on deregistration.
import { fileURLToPath } from 'node:url';
import { expect, inject, it } from 'vitest';
import { runClient } from '../run-client';

it('discovers, relabels by health and drops targets (go test -v) against Beacon', async () => {
  const { host } = new URL(inject('beaconUrl'));
  const run = await runClient('go', ['test', '-v', '-count=1', '-timeout', '200s', '.'], {
    cwd: fileURLToPath(new URL('.', import.meta.url)),
    env: { CONSUL_HTTP_ADDR: host },
    timeoutMs: 240_000,
  });
  expect(run.code, run.output).toBe(0);
  expect(run.output).toMatch(/^ok\s/m);
}, 250_000);
