// The UI with ACLs on, against a second Beacon started with ACL_ENABLED (default deny, HTTP bootstrap
// open): log in with a token, see who you are, and a write the token may not make shows Consul's
// "Permission denied" text. Needs the ACL implementation (/v1/acl/*); on a tree without it this test
// fails with a message that says so — it never skips.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocal, type LocalServer } from '../../scripts/start-local';
import { freePort } from '../e2e/global-setup';
import { launch, screenshot, seriousA11yViolations, type Session } from './browser';

let server: LocalServer;
let dir: string;
let session: Session;

async function call(method: string, path: string, token: string, body?: unknown) {
  const res = await fetch(server.url + path, { method, headers: { 'X-Consul-Token': token }, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, text: await res.text() };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'beacon-ui-acl-'));
  server = await startLocal({
    port: await freePort(), persistTo: dir, quiet: !process.env.BEACON_E2E_LOGS,
    vars: { ACL_ENABLED: 'true', ACL_DEFAULT_POLICY: 'deny', ACL_HTTP_BOOTSTRAP: 'true' },
  });
  session = await launch(server.url);
});

afterAll(async () => {
  await session?.close();
  await server?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('the web UI with ACLs on', () => {
  it('logs in with a token, shows who it is, and shows a denied write as Permission denied', async () => {
    const boot = await call('PUT', '/v1/acl/bootstrap', '');
    if (boot.status === 401 && boot.text.includes('ACL support disabled')) {
      throw new Error('This tree has no ACLs yet: PUT /v1/acl/bootstrap answered 401 "ACL support disabled" with ACL_ENABLED=true. The ACL branch must land for this test to run.');
    }
    expect(boot.status).toBe(200);
    const management = JSON.parse(boot.text).SecretID as string;
    const policy = await call('PUT', '/v1/acl/policy', management, {
      Name: 'ui-read-only', Rules: 'key_prefix "" { policy = "read" }\nservice_prefix "" { policy = "read" }\nnode_prefix "" { policy = "read" }',
    });
    expect(policy.status).toBe(200);
    const reader = await call('PUT', '/v1/acl/token', management, { Description: 'UI reader', Policies: [{ Name: 'ui-read-only' }] });
    expect(reader.status).toBe(200);
    const readerSecret = JSON.parse(reader.text).SecretID as string;

    const page = await session.page();
    await page.goto('/ui/#/dc1/login');
    await page.getByLabel('Token (SecretID)').fill(readerSecret);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.locator('[data-whoami]').getByText('UI reader').waitFor();
    expect(await page.evaluate(() => (globalThis as unknown as { sessionStorage: { getItem(k: string): string | null } }).sessionStorage.getItem('beacon:token'))).toBe(readerSecret);
    expect(await page.evaluate(() => (globalThis as unknown as { localStorage: { length: number } }).localStorage.length)).toBe(0);

    await page.goto('/ui/#/dc1/kv/');
    await page.locator('[data-readonly]').waitFor();
    await page.getByLabel('Key or folder name').fill('denied');
    await page.getByLabel('Value').fill('x');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('alert').getByText('Permission denied').waitFor();
    expect((await call('GET', '/v1/kv/denied', management)).status).toBe(404);

    await page.goto('/ui/#/dc1/acl/tokens');
    await page.getByRole('alert').getByText('Permission denied').waitFor();

    await page.goto('/ui/#/dc1/login');
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByLabel('Token (SecretID)').fill(management);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.locator('[data-whoami]').waitFor();
    await page.goto('/ui/#/dc1/acl/policies');
    await page.getByRole('cell', { name: 'ui-read-only' }).waitFor();
    await screenshot(page, 'acl-policies');
    expect(await seriousA11yViolations(page)).toEqual([]);
  });
});
