// The web UI in real Chromium against the started Beacon (three datacenters): lists, live updates,
// KV with CAS conflicts, the datacenter switcher, ACLs off, phone width, axe-core. Writes docs/ui/*.png.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launch, screenshot, seriousA11yViolations, type Session } from './browser';

const beacon = inject('beaconUrl');
const uniq = (prefix: string) => `${prefix}-${crypto.randomUUID().slice(0, 8)}`;

async function call(method: string, path: string, body?: unknown): Promise<string> {
  const res = await fetch(beacon + path, { method, body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body) });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return text;
}

const catalogRegister = (node: string, service: string, opts: { dc?: string; status?: string; tags?: string[]; port?: number } = {}) =>
  call('PUT', `/v1/catalog/register${opts.dc ? `?dc=${opts.dc}` : ''}`, {
    Node: node, Address: '10.1.0.7', NodeMeta: { rack: 'r1' }, TaggedAddresses: { lan: '10.1.0.7' },
    Service: { ID: `${service}-${node}`, Service: service, Port: opts.port ?? 8080, Tags: opts.tags ?? ['v1'], Meta: { version: '1.2.3' } },
    Checks: [{ CheckID: `check-${service}`, Name: `${service} alive`, Status: opts.status ?? 'passing', ServiceID: `${service}-${node}`, Output: 'HTTP 200 OK', Notes: 'GET /health' }],
  });

let session: Session;
let page: Page;

beforeAll(async () => {
  session = await launch(beacon);
  page = await session.page();
});

afterAll(async () => {
  await session?.close();
});

describe('the web UI in Chromium', () => {
  it('lists services registered over the API with instance and check counts, and filters them', async () => {
    const [api, db, node] = [uniq('api'), uniq('db'), uniq('node')];
    await catalogRegister(node, api, { tags: ['http', 'v2'] });
    await catalogRegister(`${node}-b`, api, { status: 'critical' });
    await catalogRegister(node, db, { tags: ['primary'] });
    await page.goto('/ui/');
    const row = page.locator(`[data-service="${api}"]`);
    await row.waitFor();
    expect(await row.innerText()).toMatch(/2 instances/);
    expect(await row.locator('.count.critical').innerText()).toContain('1');
    await page.getByPlaceholder('Search by name or tag').fill('primary');
    await page.locator(`[data-service="${db}"]`).waitFor();
    expect(await page.locator(`[data-service="${api}"]`).count()).toBe(0);
    await page.getByPlaceholder('Search by name or tag').fill('');
    await page.getByRole('combobox', { name: 'Filter by health' }).selectOption('critical');
    await row.waitFor();
    expect(await page.locator(`[data-service="${db}"]`).count()).toBe(0);
    await page.getByRole('combobox', { name: 'Filter by health' }).selectOption('');
    await screenshot(page, 'services');
    expect(await seriousA11yViolations(page)).toEqual([]);
  });

  it('follows a check turning critical on the service page without a reload', async () => {
    const [svc, node] = [uniq('web'), uniq('node')];
    await catalogRegister(node, svc);
    await page.goto(`/ui/#/dc1/services/${svc}`);
    const check = page.locator(`[data-instance="${svc}-${node}"] [data-check="check-${svc}"]`);
    await check.and(page.locator('.passing')).waitFor();
    await page.evaluate(() => ((globalThis as unknown as { marker: number }).marker = 1));
    await catalogRegister(node, svc, { status: 'critical' });
    await check.and(page.locator('.critical')).waitFor();
    expect(await page.evaluate(() => (globalThis as unknown as { marker?: number }).marker)).toBe(1);
    expect(await page.getByText(`${svc}.service.consul`, { exact: true }).count()).toBe(1);
    await screenshot(page, 'service');
    expect(await seriousA11yViolations(page)).toEqual([]);
  });

  it('shows nodes with health and a node page with services, checks, meta and tagged addresses', async () => {
    const [svc, node] = [uniq('cache'), uniq('node')];
    await catalogRegister(node, svc);
    await page.goto('/ui/#/dc1/nodes');
    await page.locator(`[data-node="${node}"]`).waitFor();
    await screenshot(page, 'nodes');
    await page.locator(`[data-node="${node}"] a`).click();
    await page.getByRole('heading', { name: 'Tagged addresses' }).waitFor();
    const text = await page.locator('main').innerText();
    for (const expected of [svc, 'rack', 'r1', 'lan', '10.1.0.7', `${svc} alive`]) expect(text).toContain(expected);
    expect(await seriousA11yViolations(page)).toEqual([]);
  });

  it('round-trips a KV key through create, edit and delete, and shows a concurrent edit as a conflict', async () => {
    const folder = uniq('app');
    await page.goto(`/ui/#/dc1/kv/${folder}/`);
    await page.getByLabel('Key or folder name').fill('config');
    await page.getByLabel('Value').fill('{"a":1}');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Lock holder').waitFor();
    expect(JSON.parse(await call('GET', `/v1/kv/${folder}/config?raw`))).toEqual({ a: 1 });
    await page.getByRole('button', { name: 'Validate and format JSON' }).click();
    await page.getByText('Valid JSON.').waitFor();
    expect(await page.getByLabel('Value').inputValue()).toBe('{\n  "a": 1\n}');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Saved.').waitFor();
    expect(await call('GET', `/v1/kv/${folder}/config?raw`)).toBe('{\n  "a": 1\n}');
    await screenshot(page, 'kv');

    // Someone else saves while this editor is open: the next save must not overwrite them.
    await call('PUT', `/v1/kv/${folder}/config`, 'theirs');
    await page.getByLabel('Value').fill('mine');
    await page.getByRole('button', { name: 'Save' }).click();
    const conflict = page.locator('.conflict');
    await conflict.waitFor();
    expect(await conflict.locator('.newer').innerText()).toBe('theirs');
    expect(await call('GET', `/v1/kv/${folder}/config?raw`)).toBe('theirs');
    await screenshot(page, 'kv-conflict');

    await conflict.getByRole('button', { name: 'Use the newer value' }).click();
    page.once('dialog', (d) => void d.accept());
    await page.getByRole('button', { name: 'Delete', exact: true }).click();
    await page.getByText('No keys here.').waitFor();
    const res = await fetch(`${beacon}/v1/kv/${folder}/config`);
    expect(res.status).toBe(404);
    expect(await seriousA11yViolations(page)).toEqual([]);
  });

  it("switches datacenter and shows that datacenter's services", async () => {
    const svc = uniq('dc2only');
    await catalogRegister(uniq('node'), svc, { dc: 'dc2' });
    await page.goto('/ui/#/dc1/services');
    await page.locator('.row').first().waitFor();
    expect(await page.locator(`[data-service="${svc}"]`).count()).toBe(0);
    await page.getByLabel('Datacenter').selectOption('dc2');
    await page.locator(`[data-service="${svc}"]`).waitFor();
    expect(page.url()).toContain('#/dc2/services');
  });

  it('says so when ACLs are off', async () => {
    await page.goto('/ui/#/dc1/acl/tokens');
    await page.getByText('ACLs are disabled').waitFor();
    await screenshot(page, 'acl-disabled');
    expect(await seriousA11yViolations(page)).toEqual([]);
  });

  it('shows the reconnecting indicator while Beacon cannot be reached, and recovers', async () => {
    const svc = uniq('flaky');
    await page.goto('/ui/#/dc1/services');
    await page.locator('.row').first().waitFor();
    await page.route('**/v1/internal/ui/services*', (route) => route.abort());
    await catalogRegister(uniq('node'), svc);
    await page.locator('[data-connection="lost"]').waitFor();
    await page.unroute('**/v1/internal/ui/services*');
    await page.locator(`[data-service="${svc}"]`).waitFor();
    await page.locator('[data-connection="lost"]').waitFor({ state: 'detached' });
  });

  it('fits a phone-width screen without sideways scrolling', async () => {
    const phone = await session.page({ width: 390, height: 844 });
    await phone.goto('/ui/');
    await phone.locator('.row').first().waitFor();
    expect(await phone.evaluate(() => (globalThis as unknown as { document: { documentElement: { scrollWidth: number } } }).document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await screenshot(phone, 'services-phone');
  });

  it('made no request to any host but Beacon', () => {
    expect(session.foreign).toEqual([]);
  });
});
