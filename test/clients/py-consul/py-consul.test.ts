// py-consul (PyPI, the maintained python-consul fork) against Beacon: its own pytest suite — agent,
// health, KV, sessions, txn and blocking reads as its users call them — run in the venv install.sh made.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, inject, it } from 'vitest';
import { runClient } from '../run-client';

const here = fileURLToPath(new URL('.', import.meta.url));
const pytest = `${here}.venv/bin/pytest`;

describe('py-consul', () => {
  it('passes its pytest suite against Beacon', async () => {
    expect(existsSync(pytest), `${pytest} is missing: run test/clients/py-consul/install.sh`).toBe(true);
    const { host } = new URL(inject('beaconUrl'));
    const run = await runClient(pytest, [], { cwd: here, env: { CONSUL_HTTP_ADDR: host }, timeoutMs: 150_000 });
    expect(run.code, run.output).toBe(0);
    expect(run.output).toMatch(/ \d+ passed/);
  }, 180_000);
});
