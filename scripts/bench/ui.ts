// `npm run bench:ui` (and the last part of `npm run bench`): the services page with 1,000 services × 10
// instances under npm start's runtime (plain workerd, startLocal), in Debian's Chromium. Measures (1) time from navigation start until the
// list is drawn and until a search typed right then has filtered it, and the rows in the DOM; (2) the
// page's JS heap (after a forced GC) over BENCH_UI_MINUTES (or `--minutes N`) of live check flips
// (BENCH_UI_RATE writes/s). BENCH_UI_SAMPLES=<file> appends each sample there as a JSON line as it is taken.
import { appendFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from '../../test/e2e/global-setup';
import { launch } from '../../test/ui/browser';
import { startLocal } from '../start-local';
import { benchSelected } from './session';

const SERVICES = Number(process.env.BENCH_UI_SERVICES) || 1000;
const INSTANCES = 10;
const NODES = 200;
const flag = (name: string) => { const at = process.argv.indexOf(`--${name}`); return at > 0 ? process.argv[at + 1] : undefined; };
const MINUTES = Number(flag('minutes') ?? process.env.BENCH_UI_MINUTES) || 10;
const SAMPLES_FILE = process.env.BENCH_UI_SAMPLES;
const RATE = Number(process.env.BENCH_UI_RATE) || 2;
const SAMPLE_S = 30;
const CONCURRENCY = Number(process.env.BENCH_UI_CONCURRENCY) || 32;

type Doc = { document: { querySelector(s: string): { dataset: Record<string, string> } | null; querySelectorAll(s: string): { length: number } }; performance: { now(): number } };

async function main() {
  if (!benchSelected('ui')) return;
  const dir = await mkdtemp(join(tmpdir(), 'beacon-bench-ui-'));
  const server = await startLocal({ port: await freePort(), persistTo: dir, quiet: true });
  // Said at once, so a run cut short by a dead server says how it died.
  server.process.once('exit', (code, signal) => console.error(`bench ui: Beacon (pid ${server.process.pid}) exited: code ${code}, signal ${signal}`));
  const put = async (path: string, body: unknown) => {
    const res = await fetch(server.url + path, { method: 'PUT', body: JSON.stringify(body) });
    if (!res.ok) throw new Error(`bench ui: PUT ${path}: ${res.status} ${await res.text()}`);
    await res.arrayBuffer();
  };
  const instance = (s: number, i: number, status: string) => {
    const node = `node-${(s * INSTANCES + i) % NODES}`;
    const id = `svc-${s}-${i}`;
    return { Node: node, Address: `10.0.${Math.floor(((s * INSTANCES + i) % NODES) / 250)}.${((s * INSTANCES + i) % NODES) % 250}`, Service: { ID: id, Service: `svc-${s}`, Port: 8000 + i, Tags: [`t${s % 7}`, 'v1'] }, Check: { CheckID: `chk-${id}`, Name: 'alive', Status: status, ServiceID: id } };
  };
  const session = await launch(server.url);
  try {
    const started = Date.now();
    const jobs: [number, number][] = [];
    for (let s = 0; s < SERVICES; s++) for (let i = 0; i < INSTANCES; i++) jobs.push([s, i]);
    await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
      for (let job = jobs.pop(); job; job = jobs.pop()) await put('/v1/catalog/register', instance(job[0], job[1], 'passing'));
    }));
    console.log(`bench ui: registered ${SERVICES} services × ${INSTANCES} instances on ${NODES} nodes in ${((Date.now() - started) / 1000).toFixed(1)} s`);

    const page = await session.page();
    const runs: { drawn: number; searched: number; rows: number }[] = [];
    for (let run = 0; run < 3; run++) {
      await page.goto('about:blank');
      await page.goto('/ui/#/dc1/services');
      await page.waitForFunction((n) => (globalThis as unknown as Doc).document.querySelector('ol.rows')?.dataset.count === String(n), SERVICES, { timeout: 60_000, polling: 'raf' });
      const drawn = await page.evaluate(() => (globalThis as unknown as Doc).performance.now());
      const rows = await page.evaluate(() => (globalThis as unknown as Doc).document.querySelectorAll('.row').length);
      await page.getByPlaceholder('Search by name or tag').fill('svc-99');
      await page.waitForFunction(() => (globalThis as unknown as Doc).document.querySelector('ol.rows')?.dataset.count === '11', undefined, { polling: 'raf' });
      runs.push({ drawn, searched: await page.evaluate(() => (globalThis as unknown as Doc).performance.now()), rows });
    }
    runs.sort((a, b) => a.searched - b.searched);
    const median = runs[1];
    console.log(`bench ui: services page, median of 3 loads: list drawn ${median.drawn.toFixed(0)} ms after navigation start, first search answered at ${median.searched.toFixed(0)} ms; ${median.rows} rows in the DOM for ${SERVICES} services`);

    await page.goto('about:blank');
    await page.goto('/ui/#/dc1/services');
    await page.waitForFunction((n) => (globalThis as unknown as Doc).document.querySelector('ol.rows')?.dataset.count === String(n), SERVICES, { timeout: 60_000 });
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Performance.enable');
    const heap = async () => {
      await cdp.send('HeapProfiler.collectGarbage');
      const { metrics } = await cdp.send('Performance.getMetrics');
      const get = (name: string) => metrics.find((m) => m.name === name)?.value ?? 0;
      return { heapMb: get('JSHeapUsedSize') / 2 ** 20, nodes: get('Nodes'), listeners: get('JSEventListeners') };
    };
    const record = async (sample: { t: number; heapMb: number; nodes: number; listeners: number }) => {
      samples.push(sample);
      if (SAMPLES_FILE) await appendFile(SAMPLES_FILE, JSON.stringify({ at: new Date().toISOString(), writes, ...sample }) + '\n');
    };
    const samples: { t: number; heapMb: number; nodes: number; listeners: number }[] = [];
    const end = Date.now() + MINUTES * 60_000;
    let writes = 0;
    await record({ t: 0, ...(await heap()) });
    let nextSample = Date.now() + SAMPLE_S * 1000;
    while (Date.now() < end) {
      const s = Math.floor(Math.random() * SERVICES), i = Math.floor(Math.random() * INSTANCES);
      await put('/v1/catalog/register', instance(s, i, writes % 2 ? 'passing' : 'critical'));
      writes++;
      await sleep(1000 / RATE);
      if (Date.now() >= nextSample) {
        await record({ t: Math.round((Date.now() - (end - MINUTES * 60_000)) / 1000), ...(await heap()) });
        nextSample += SAMPLE_S * 1000;
      }
    }
    await record({ t: MINUTES * 60, ...(await heap()) });
    const first = samples[1] ?? samples[0], last = samples[samples.length - 1];
    const max = Math.max(...samples.map((x) => x.heapMb));
    console.log(`bench ui: ${MINUTES} min of live updates, ${writes} check flips: JS heap after GC ${samples[0].heapMb.toFixed(2)} MB at start, ${first.heapMb.toFixed(2)} MB at ${first.t} s, ${last.heapMb.toFixed(2)} MB at the end (max ${max.toFixed(2)} MB); DOM nodes ${samples[0].nodes} → ${last.nodes}; listeners ${samples[0].listeners} → ${last.listeners}`);
    console.log(JSON.stringify({ runs, samples }));
  } finally {
    await session.close();
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
