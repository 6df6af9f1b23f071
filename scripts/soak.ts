// `npm run soak`: thousands of TTL checks heartbeating on time plus held watchers, for minutes, against a
// Beacon started as `npm start` starts it (scripts/start-local.ts: plain workerd, the path guard, state on
// disk). Reports false critical flaps (a check seen critical although a pass it sent less than one TTL
// earlier had been acknowledged before the read was sent), heartbeats due / sent / acknowledged and their
// lateness, watcher answers (after a change, and any answered later than its wait allows), workerd's RSS
// over time, and a summary table with each goal MET or MISSED. Exits 1 on a flap or a failed request.
// Settings (environment): SOAK_CHECKS (2000), SOAK_WATCHERS (1000), SOAK_MINUTES (5), SOAK_TTL_S (30;
// a pass every TTL/3), SOAK_WAIT_S (watchers' ?wait=, 60), SOAK_CONNECTIONS (heartbeat connections, 32).
// SOAK_HEAP=1: workerd runs with its inspector, V8 heap in use per isolate is sampled with RSS, and heap
// snapshots taken at SOAK_HEAP_SNAPSHOTS minutes (3,10) into SOAK_HEAP_DIR (a temp dir) are diffed by
// constructor at the end (scripts/soak/heap.ts).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { Http1Connection, header } from './bench/http1';
import { rssMb } from './rss';
import { HeapSampler, diff, summarise } from './soak/heap';
import { HeartbeatPool } from './soak/heartbeats';
import { ms, percentiles, slope, table } from './soak/report';
import { freePort, startLocal } from './start-local';

const setting = (name: string, fallback: number) => {
  const value = Number(process.env[name] ?? fallback);
  if (!(value > 0)) throw new Error(`soak: ${name} must be a positive number`);
  return value;
};
const CHECKS = setting('SOAK_CHECKS', 2000);
const WATCHERS = Math.min(setting('SOAK_WATCHERS', 1000), CHECKS);
const MINUTES = setting('SOAK_MINUTES', 5);
const TTL_MS = setting('SOAK_TTL_S', 30) * 1000;
const INTERVAL_MS = TTL_MS / 3;
const WAIT_S = setting('SOAK_WAIT_S', 60);
const CONNECTIONS = setting('SOAK_CONNECTIONS', 32);
const TOUCH_EVERY_MS = 2000;
const RSS_EVERY_MS = 10_000;
/** Beacon adds up to wait/16 of jitter (as Consul); past that, plus this much slack, a watch answered late. */
const WAIT_SLACK_MS = 5000;
const GOAL_SLOPE_MB_PER_MIN = 1;
const GOAL_ON_TIME = 0.99;
const HEAP = process.env.SOAK_HEAP === '1';
const SNAPSHOT_RECOVERY_MS = 3 * 60_000;
const SNAPSHOT_AT_MS = (process.env.SOAK_HEAP_SNAPSHOTS ?? '3,10').split(',').map((m) => Number(m) * 60_000);

const now = () => performance.now();
const id = (i: number) => `soak-${i}`;

async function main() {
  const dir = await mkdtemp(join(tmpdir(), 'beacon-soak-'));
  const inspectorPort = HEAP ? Number(process.env.SOAK_INSPECTOR_PORT ?? 0) || (await freePort()) : undefined;
  const server = await startLocal({ port: await freePort(), persistTo: dir, quiet: !process.env.SOAK_LOGS, inspectorPort });
  const heap = inspectorPort ? new HeapSampler(inspectorPort) : undefined;
  const snapshotDir = HEAP ? process.env.SOAK_HEAP_DIR ?? (await mkdtemp(join(tmpdir(), 'beacon-soak-heap-'))) : '';
  const snapshots: string[][] = [];
  const pid = server.process.pid!;
  const url = server.url;
  const flaps: string[] = [];
  const failures: string[] = [];
  const fail = (message: string) => failures.push(message);
  const pool = new HeartbeatPool(url, (i, verb) => `/v1/agent/check/${verb}/service:${id(i)}`, CHECKS, INTERVAL_MS, fail);
  const watcherAnswerMs: number[] = [];
  const heldMs: number[] = [];
  let watcherAnswers = 0;
  let lateWatches = 0;
  let stopping = false;

  /** Was a check that a read sent at `readSent` and received at `received` showed critical falsely so? */
  const judge = (i: number, readSent: number, received: number, where: string) => {
    const s = pool.states[i];
    if (s.lastPassAcked <= readSent && received < s.lastPassSent + TTL_MS) {
      flaps.push(`${id(i)} critical in ${where} ${((received - s.lastPassSent) / 1000).toFixed(1)} s after a pass acknowledged before the read`);
    }
  };

  try {
    console.log(`soak: ${CHECKS} TTL checks (TTL ${TTL_MS / 1000} s, a pass every ${INTERVAL_MS / 1000} s over ${CONNECTIONS} connections), ${WATCHERS} watchers (wait ${WAIT_S} s), ${MINUTES} min, workerd pid ${pid}`);
    const setup = await Promise.all(Array.from({ length: CONNECTIONS }, () => Http1Connection.open(url)));
    for (let i = 0; i < CHECKS; i += CONNECTIONS) {
      await Promise.all(setup.slice(0, Math.min(CONNECTIONS, CHECKS - i)).map(async (conn, k) => {
        const body = JSON.stringify({ ID: id(i + k), Name: id(i + k), Port: 1, Check: { TTL: `${TTL_MS / 1000}s`, Status: 'passing' } });
        const reply = await conn.request('PUT', '/v1/agent/service/register', body);
        if (reply.status !== 200) throw new Error(`register ${id(i + k)}: ${reply.status} ${reply.body.toString()}`);
      }));
    }
    for (const conn of setup) conn.close();
    await pool.start(CONNECTIONS);
    // Registering took a while: a first pass of every check (TTL expiries before it are not flaps), then the clock starts.
    for (let i = 0; i < CHECKS; i++) pool.enqueue(i, now());
    await pool.drain();
    Object.assign(pool.counts, { due: 0, coalesced: 0, sent: 0, acknowledged: 0, failed: 0, lateness: [], dueToAck: [], onTime: 0 });
    const started = now();
    const endAt = started + MINUTES * 60_000;

    // Heartbeats: check i is due at started + phase_i + k·interval, phases spread evenly over one interval.
    const heartbeatLoop = (async () => {
      const next = Array.from({ length: CHECKS }, (_, i) => started + (i / CHECKS) * INTERVAL_MS);
      let cursor = 0;
      while (now() < endAt) {
        const t = now();
        for (let n = 0; n < CHECKS && next[cursor] <= t && next[cursor] < endAt; n++) {
          pool.enqueue(cursor, next[cursor]);
          next[cursor] += INTERVAL_MS;
          cursor = (cursor + 1) % CHECKS;
        }
        await sleep(20);
      }
    })();

    // Watchers: watcher w holds a blocking query on service w on a connection of its own; a touch of a watched
    // service at time T must wake its watcher: answer time − T is the watcher latency. A touch is a warn (the
    // check's next pass makes it passing again): a change of output alone reaches the catalog only after
    // check_update_interval (Consul's, 5 min), so it would not wake anyone sooner.
    const touchedAt = new Map<number, number>();
    const watcher = async (w: number) => {
      const path = `/v1/health/service/${id(w)}`;
      let index = 0;
      while (!stopping) {
        let conn: Http1Connection | undefined;
        let sent = now();
        try {
          conn = await Http1Connection.open(url);
          while (!stopping) {
            sent = now();
            const reply = await conn.request('GET', index ? `${path}?index=${index}&wait=${WAIT_S}s` : path);
            const received = now();
            if (reply.status !== 200) throw new Error(`${reply.status} ${reply.body.toString()}`);
            const next = Number(header(reply.head, 'x-consul-index'));
            const entries = JSON.parse(reply.body.toString()) as { Checks: { Status: string; ServiceID: string }[] }[];
            if (entries.some((e) => e.Checks.some((c) => c.ServiceID === id(w) && c.Status === 'critical'))) judge(w, sent, received, 'a watcher answer');
            if (index) {
              watcherAnswers++;
              heldMs.push(received - sent);
              if (received - sent > (WAIT_S * 1000 * 17) / 16 + WAIT_SLACK_MS) lateWatches++;
            }
            const touch = touchedAt.get(w);
            if (index && next !== index && touch !== undefined && touch > sent - 1) {
              watcherAnswerMs.push(received - touch);
              touchedAt.delete(w);
            }
            index = next;
          }
        } catch (err) {
          if (!stopping) fail(`watch ${id(w)} after ${((now() - sent) / 1000).toFixed(1)} s held: ${(err as Error).message}`);
        } finally {
          conn?.close();
        }
      }
    };
    const watchers: Promise<void>[] = [];
    for (let w = 0; w < WATCHERS; w += 100) {
      watchers.push(...Array.from({ length: Math.min(100, WATCHERS - w) }, (_, k) => watcher(w + k)));
      await sleep(50);
    }

    const touchLoop = (async () => {
      await sleep(5000); // the watchers park first
      while (now() < endAt - TOUCH_EVERY_MS) {
        const w = Math.floor(Math.random() * WATCHERS);
        touchedAt.set(w, now());
        pool.enqueue(w, now(), 'warn');
        await sleep(TOUCH_EVERY_MS);
      }
    })();

    // The critical list, polled: every soak check in it is judged.
    const pollLoop = (async () => {
      let conn = await Http1Connection.open(url);
      while (now() < endAt) {
        const sent = now();
        try {
          // A closed connection fails its poll (counted) and is opened anew, as a client's pool would.
          if (conn.closed) conn = await Http1Connection.open(url);
          const reply = await conn.request('GET', '/v1/health/state/critical');
          const received = now();
          for (const c of JSON.parse(reply.body.toString()) as { ServiceID: string }[]) {
            const m = /^soak-(\d+)$/.exec(c.ServiceID);
            if (m) judge(Number(m[1]), sent, received, '/v1/health/state/critical');
          }
        } catch (err) {
          fail(`poll of the critical list: ${(err as Error).message}`);
        }
        await sleep(2000);
      }
      conn.close();
    })();

    const rss: { t: number; mb: number }[] = [];
    /** When each heap snapshot was taken: its full GC drops RSS for a few minutes, which no slope may read as a trend. */
    const snapshotAt: number[] = [];
    const c = pool.counts;
    while (now() < endAt) {
      rss.push({ t: now() - started, mb: rssMb(pid) });
      const heapNow = heap && (await heap.sample(now() - started));
      const heapText = heapNow ? `, V8 heap ${Object.values(heapNow.usedMb).map((mb) => mb.toFixed(1)).join(' + ')} MB` : '';
      if (rss.length % 3 === 1) console.log(`soak: ${Math.round((now() - started) / 1000)} s, heartbeats ${c.due} due, ${c.sent} sent, ${c.acknowledged} acknowledged (backlog ${pool.backlog}), ${flaps.length} flaps, ${failures.length} failures, workerd RSS ${rss.at(-1)!.mb.toFixed(0)} MB${heapText}${failures.length ? `; first failure: ${failures[0]}` : ''}${flaps.length ? `; first flap: ${flaps[0]}` : ''}`);
      if (heap && snapshots.length < SNAPSHOT_AT_MS.length && now() - started >= SNAPSHOT_AT_MS[snapshots.length]) {
        const at = Math.round((now() - started) / 1000);
        snapshotAt.push(now() - started);
        snapshots.push(await heap.snapshot(join(snapshotDir, `at-${at}s`)));
        console.log(`soak: heap snapshots at ${at} s: ${snapshots.at(-1)!.join(', ')}`);
      }
      await sleep(Math.min(RSS_EVERY_MS, Math.max(0, endAt - now())));
    }
    rss.push({ t: now() - started, mb: rssMb(pid) });
    await Promise.all([heartbeatLoop, touchLoop, pollLoop]);
    await pool.drain();
    const unanswered = pool.backlog + c.sent - c.acknowledged - c.failed;
    stopping = true;
    await pool.stop();
    // Watchers end with their current wait (at most WAIT_S plus jitter): don't hold the report for it.
    void Promise.all(watchers);

    const warm = rss.filter((p) => p.t >= 60_000);
    const rssSlope = slope(warm.length >= 2 ? warm : rss);
    // Judged on the second half: workerd's allocator grows to its working set over the first minutes
    // (docs/faults.md "Where the growth is"); flat means no trend once there. Samples in the minutes after
    // a heap snapshot are left out of it.
    const afterSnapshot = (t: number) => snapshotAt.some((at) => t >= at && t < at + SNAPSHOT_RECOVERY_MS);
    const secondHalf = rss.filter((p) => p.t >= rss.at(-1)!.t / 2 && !afterSnapshot(p.t));
    const steadySlope = slope(secondHalf);
    const onTime = c.acknowledged ? c.onTime / c.due : 0;
    console.log(`\nsoak: ${CHECKS} checks × a pass every ${INTERVAL_MS / 1000} s (TTL ${TTL_MS / 1000} s), ${WATCHERS} watchers (wait ${WAIT_S} s), ${MINUTES} min, ${CONNECTIONS} heartbeat connections\n`);
    console.log(table([
      { what: 'False critical flaps', value: String(flaps.length), goal: '0', met: flaps.length === 0 },
      { what: 'Failed requests (heartbeats, watches, polls)', value: String(failures.length), goal: '0', met: failures.length === 0 },
      { what: 'Heartbeats due / sent / acknowledged', value: `${c.due} / ${c.sent} / ${c.acknowledged} (${c.coalesced} coalesced while one was queued, ${c.failed} failed, ${unanswered} unanswered at the end)` },
      { what: 'Heartbeats acknowledged within one interval of due', value: `${(onTime * 100).toFixed(2)} %`, goal: `≥ ${GOAL_ON_TIME * 100} % of due`, met: onTime >= GOAL_ON_TIME },
      { what: 'Heartbeat lateness (due → sent)', value: ms(percentiles(c.lateness)) },
      { what: 'Heartbeat due → acknowledged', value: ms(percentiles(c.dueToAck)) },
      { what: 'Watcher answers (held time)', value: `${watcherAnswers}: ${ms(percentiles(heldMs))}` },
      { what: 'Watches answered past wait + jitter + 5 s', value: String(lateWatches), goal: '0', met: lateWatches === 0 },
      { what: 'Watcher answer after a change', value: ms(percentiles(watcherAnswerMs)) },
      { what: 'workerd RSS start / mid / end', value: `${rss[0].mb.toFixed(0)} / ${rss[Math.floor(rss.length / 2)].mb.toFixed(0)} / ${rss.at(-1)!.mb.toFixed(0)} MB` },
      { what: 'workerd RSS slope after the first minute', value: `${rssSlope.toFixed(2)} MB/min` },
      { what: `workerd RSS slope over the second half${snapshotAt.length ? ' (3 min after each heap snapshot left out)' : ''}`, value: `${steadySlope.toFixed(2)} MB/min`, goal: `≤ ${GOAL_SLOPE_MB_PER_MIN} MB/min`, met: steadySlope <= GOAL_SLOPE_MB_PER_MIN },
    ]));
    console.log(`\nRSS series: ${rss.map((p) => `${Math.round(p.t / 1000)}s ${p.mb.toFixed(0)}`).join(', ')}`);
    if (heap) await reportHeap(heap, snapshots);
    for (const f of flaps.slice(0, 20)) console.error(`FLAP: ${f}`);
    for (const f of failures.slice(0, 20)) console.error(`FAILED: ${f}`);
    process.exitCode = flaps.length || failures.length ? 1 : 0;
  } finally {
    stopping = true;
    heap?.close();
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

/** V8 heap in use per isolate over the run, and what grew between the first and the last snapshot. */
async function reportHeap(heap: HeapSampler, snapshots: string[][]) {
  const titles = [...new Set(heap.samples.flatMap((s) => Object.keys(s.usedMb)))];
  for (const title of titles) {
    const series = heap.samples.filter((s) => title in s.usedMb);
    console.log(`\nV8 heap in use, ${title}: ${series.map((s) => `${Math.round(s.t / 1000)}s ${s.usedMb[title].toFixed(1)}`).join(', ')} MB`);
  }
  if (snapshots.length < 2) return;
  for (let i = 0; i < snapshots[0].length && i < snapshots.at(-1)!.length; i++) {
    console.log(`\nGrew between ${snapshots[0][i]} and ${snapshots.at(-1)![i]} (self size, by constructor):`);
    console.log(diff(await summarise(snapshots[0][i]), await summarise(snapshots.at(-1)![i])).join('\n'));
  }
}

await main();
process.exit();
