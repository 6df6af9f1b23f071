// py-consul with tokens against a Beacon of its own with ACLs on and default deny: the pytest files in
// acl/ (which the default run, py-consul.test.ts, leaves out), run in the venv install.sh made.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAclBeacon, type AclBeacon } from '../acl-beacon';
import { runClient } from '../run-client';

const here = fileURLToPath(new URL('.', import.meta.url));
const pytest = `${here}.venv/bin/pytest`;

describe('py-consul with ACLs', () => {
  let beacon: AclBeacon | undefined;
  beforeAll(async () => {
    beacon = await startAclBeacon();
  });
  afterAll(() => beacon?.stop());

  it('bootstraps, creates policies and tokens, is denied outside them, and passes tokens in the query string', async () => {
    expect(existsSync(pytest), `${pytest} is missing: run test/clients/py-consul/install.sh`).toBe(true);
    const { host } = new URL(beacon!.url);
    const run = await runClient(pytest, ['acl/'], { cwd: here, env: { CONSUL_HTTP_ADDR: host }, timeoutMs: 120_000 });
    expect(run.code, run.output).toBe(0);
    // Every ACL case ran and passed; none was skipped.
    expect(run.output, run.output).toMatch(/ 6 passed in /);
    expect(run.output).not.toMatch(/skipped/);
  }, 150_000);
});
