// Debian's Chromium (/usr/bin/chromium, installed by .ci/run) driven by playwright-core: never a
// downloaded browser. Each launch gets a fresh profile; background networking is off so the browser
// sends nothing but the page's own requests, and every request to a host other than Beacon's fails the test.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
const FLAGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync',
];

export interface Session {
  context: BrowserContext;
  /** Requests the pages made to any origin but Beacon's. */
  foreign: string[];
  page(options?: { width?: number; height?: number }): Promise<Page>;
  close(): Promise<void>;
}

export async function launch(beaconUrl: string): Promise<Session> {
  const profile = await mkdtemp(join(tmpdir(), 'beacon-chromium-'));
  // playwright passes the fresh profile as --user-data-dir.
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, args: FLAGS, baseURL: beaconUrl });
  const origin = new URL(beaconUrl).origin;
  const foreign: string[] = [];
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (new URL(url).origin === origin) return route.continue();
    foreign.push(url);
    return route.abort();
  });
  return {
    context,
    foreign,
    async page({ width = 1280, height = 900 } = {}) {
      const page = await context.newPage();
      await page.setViewportSize({ width, height });
      return page;
    },
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

/** axe-core's serious and critical violations on the page as it is now. */
export async function seriousA11yViolations(page: Page): Promise<string[]> {
  const axe = await import('axe-core');
  await page.addScriptTag({ content: axe.default.source });
  const results = await page.evaluate(async () => (globalThis as unknown as { axe: { run: () => Promise<{ violations: { id: string; impact: string; help: string; nodes: unknown[] }[] }> } }).axe.run());
  return results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.help} (${v.nodes.length})`);
}

export const screenshot = (page: Page, name: string) => page.screenshot({ path: join(import.meta.dirname, '..', '..', 'docs', 'ui', `${name}.png`) });
