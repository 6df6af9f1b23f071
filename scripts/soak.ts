// `npm run soak`: thousands of TTL checks heartbeating on time plus held watchers, for minutes, against a
// Beacon started as `npm start` starts it (scripts/start-local.ts, plain workerd, state on disk). Reports
// false critical flaps (a check seen critical although a pass it sent less than one TTL earlier had been
// acknowledged before the read was sent), workerd's RSS over time (start, middle, end, slope), heartbeat
// latency (from when a heartbeat was due to its acknowledgement) and how long a watcher took to answer a
// change of what it watches. Exits 1 on a flap or a failed
// request. Settings (environment): SOAK_CHECKS (2000), SOAK_WATCHERS (1000), SOAK_MINUTES (5),
// SOAK_TTL_S (30; heartbeats every TTL/3), SOAK_WAIT_S (watchers' ?wait=, 60).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { Http1Connection, header } from './bench/http1';
import { rssMb } from './rss';
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
const TOUCH_EVERY_MS = 2000;
const RSS_EVERY_MS = 10_000;
const IN_FLIGHT = 32;

const now = () => performance.now();
const id = (i: number) => `soak-${i}`;

interface CheckState {
  /** Send time of the latest pass acknowledged so far (and when its acknowledgement arrived). */
  lastPassSent: number;
  lastPassAcked: number;
}

function percentiles(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : NaN);
  return { count: sorted.length, p50Ms: +at(50).toFixed(1), p99Ms: +at(99).toFixed(1), maxMs: +(sorted.at(-1) ?? NaN).toFixed(1) };
}

/** Least-squares slope of RSS over time, in MB per minute. */
function slope(points: { t: number; mb: number }[]): number {
  const n = points.length;
  if (n < 2) return NaN;
  const mt = points.reduce((s, p) => s + p.t, 0) / n;
  const mm = points.reduce((s, p) => s + p.mb, 0) / n;
  const num = points.reduce((s, p) => s + (p.t - mt) * (p.mb - mm), 0);
  const den = points.reduce((s, p) => s + (p.t - mt) ** 2, 0);
  return (num / den) * 60_000;
}

async function main() {
  const dir = await mkdtemp(join(tmpdir(), 'beacon-soak-'));
  const server = await startLocal({ port: await freePort(), persistTo: dir, quiet: !process.env.SOAK_LOGS });
  const pid = server.process.pid!;
  const url = server.url;
  const states: CheckState[] = Array.from({ length: CHECKS }, () => ({ lastPassSent: -Infinity, lastPassAcked: -Infinity }));
  const flaps: string[] = [];
  const failures: string[] = [];
  const heartbeatMs: number[] = [];
  const scheduleLagMs: number[] = [];
  const watcherAnswerMs: number[] = [];
  let heartbeats = 0;
  let watcherAnswers = 0;
  let stopping = false;

  // A connection reset before any answer (the socket closed under the client; node's fetch does not retry a
  // PUT) is retried once, as an agent's client would: counted in `resets`, a failure only when the retry fails.
  let resets = 0;
  // At most IN_FLIGHT writes at once (node's fetch opens a socket per concurrent request): more wait their turn,
  // and the wait shows in the heartbeat latency, measured from when the heartbeat was due.
  let inFlight = 0;
  const turns: (() => void)[] = [];
  const put = async (path: string, body: unknown): Promise<void> => {
    if (inFlight >= IN_FLIGHT) await new Promise<void>((resolve) => turns.push(resolve));
    inFlight++;
    try {
      await putOnce(path, body);
    } finally {
      inFlight--;
      turns.shift()?.();
    }
  };
  const putOnce = async (path: string, body: unknown, retry = true): Promise<void> => {
    let res: Response;
    try {
      res = await fetch(url + path, { method: 'PUT', body: typeof body === 'string' ? body : JSON.stringify(body) });
    } catch (err) {
      if (!retry) throw new Error(`${(err as Error).message} (${((err as Error).cause as Error | undefined)?.message})`);
      resets++;
      return putOnce(path, body, false);
    }
    const text = await res.text();
    if (res.status !== 200) throw new Error(`${path}: ${res.status} ${text}`);
  };
  /** Is a check that a read sent at `readSent` and received at `received` showed critical falsely so? */
  const judge = (i: number, readSent: number, received: number, where: string) => {
    const s = states[i];
    if (s.lastPassAcked <= readSent && received < s.lastPassSent + TTL_MS) {
      flaps.push(`${id(i)} critical in ${where} ${((received - s.lastPassSent) / 1000).toFixed(1)} s after a pass acknowledged before the read`);
    }
  };

  try {
    console.log(`soak: ${CHECKS} TTL checks (TTL ${TTL_MS / 1000} s, a pass every ${INTERVAL_MS / 1000} s), ${WATCHERS} watchers (wait ${WAIT_S} s), ${MINUTES} min, workerd pid ${pid}`);
    for (let i = 0; i < CHECKS; i += 50) {
      await Promise.all(Array.from({ length: Math.min(50, CHECKS - i) }, (_, k) =>
        put('/v1/agent/service/register', { ID: id(i + k), Name: id(i + k), Port: 1, Check: { TTL: `${TTL_MS / 1000}s`, Status: 'passing' } })));
    }
    const pass = async (i: number, scheduled: number, output: string) => {
      const sent = now();
      scheduleLagMs.push(sent - scheduled);
      try {
        await put(`/v1/agent/check/pass/service:${id(i)}?note=${encodeURIComponent(output)}`, '');
        const acked = now();
        heartbeats++;
        heartbeatMs.push(acked - scheduled);
        if (sent > states[i].lastPassSent) Object.assign(states[i], { lastPassSent: sent, lastPassAcked: acked });
      } catch (err) {
        failures.push(`heartbeat ${id(i)}: ${(err as Error).message}`);
      }
    };

    // Registering took a while: a first pass of every check (TTL expiries before it are not flaps), then the clock starts.
    await Promise.all(states.map((_, i) => pass(i, now(), 'ok')));
    heartbeats = 0;
    heartbeatMs.length = scheduleLagMs.length = 0;
    const started = now();
    const endAt = started + MINUTES * 60_000;

    // Heartbeats: check i passes at started + phase_i + k·interval, phases spread evenly over one interval.
    const heartbeatLoop = (async () => {
      const next = Array.from({ length: CHECKS }, (_, i) => started + (i / CHECKS) * INTERVAL_MS);
      let cursor = 0;
      const inflight = new Set<Promise<void>>();
      while (now() < endAt) {
        const t = now();
        for (let n = 0; n < CHECKS && next[cursor] <= t; n++) {
          const i = cursor;
          const p = pass(i, next[i], 'ok').finally(() => inflight.delete(p));
          inflight.add(p);
          next[i] += INTERVAL_MS;
          cursor = (cursor + 1) % CHECKS;
        }
        await sleep(20);
      }
      await Promise.all(inflight);
    })();

    // Watchers: watcher w holds a blocking query on service w; a touch (a pass with new output) of a watched
    // service at time T must wake its watcher: answer time − T is the watcher latency.
    const touchedAt = new Map<number, number>();
    const watcher = async (w: number) => {
      const conn = await Http1Connection.open(url);
      const path = `/v1/health/service/${id(w)}`;
      let index = 0;
      try {
        while (!stopping) {
          const sent = now();
          const reply = await conn.request('GET', index ? `${path}?index=${index}&wait=${WAIT_S}s` : path);
          const received = now();
          if (reply.status !== 200) throw new Error(`watch ${id(w)}: ${reply.status} ${reply.body.toString()}`);
          const next = Number(header(reply.head, 'x-consul-index'));
          const entries = JSON.parse(reply.body.toString()) as { Checks: { Status: string; ServiceID: string }[] }[];
          if (entries.some((e) => e.Checks.some((c) => c.ServiceID === id(w) && c.Status === 'critical'))) judge(w, sent, received, 'a watcher answer');
          if (index) watcherAnswers++;
          const touch = touchedAt.get(w);
          if (index && next !== index && touch !== undefined && touch > sent - 1) {
            watcherAnswerMs.push(received - touch);
            touchedAt.delete(w);
          }
          index = next;
        }
      } catch (err) {
        if (!stopping) failures.push((err as Error).message);
      } finally {
        conn.close();
      }
    };
    const watchers: Promise<void>[] = [];
    for (let w = 0; w < WATCHERS; w += 100) {
      watchers.push(...Array.from({ length: Math.min(100, WATCHERS - w) }, (_, k) => watcher(w + k)));
      await sleep(50);
    }

    const touchLoop = (async () => {
      let gen = 0;
      await sleep(5000); // the watchers park first
      while (now() < endAt - TOUCH_EVERY_MS) {
        const w = Math.floor(Math.random() * WATCHERS);
        touchedAt.set(w, now());
        await pass(w, now(), `touch ${++gen}`);
        await sleep(TOUCH_EVERY_MS);
      }
    })();

    // The critical list, polled: every soak check in it is judged.
    const pollLoop = (async () => {
      while (now() < endAt) {
        const sent = now();
        try {
          const res = await fetch(`${url}/v1/health/state/critical`);
          const received = now();
          for (const c of (await res.json()) as { ServiceID: string }[]) {
            const m = /^soak-(\d+)$/.exec(c.ServiceID);
            if (m) judge(Number(m[1]), sent, received, '/v1/health/state/critical');
          }
        } catch (err) {
          failures.push(`poll of the critical list: ${(err as Error).message}`);
        }
        await sleep(2000);
      }
    })();

    const rss: { t: number; mb: number }[] = [];
    while (now() < endAt) {
      rss.push({ t: now() - started, mb: rssMb(pid) });
      if (rss.length % 3 === 1) console.log(`soak: ${Math.round((now() - started) / 1000)} s, ${heartbeats} heartbeats, ${flaps.length} flaps, ${failures.length} failures, workerd RSS ${rss.at(-1)!.mb.toFixed(0)} MB${failures.length ? `; first failure: ${failures[0]}` : ''}${flaps.length ? `; first flap: ${flaps[0]}` : ''}`);
      await sleep(Math.min(RSS_EVERY_MS, Math.max(0, endAt - now())));
    }
    rss.push({ t: now() - started, mb: rssMb(pid) });
    await Promise.all([heartbeatLoop, touchLoop, pollLoop]);
    stopping = true;
    // Watchers end with their current wait (at most WAIT_S plus jitter): don't hold the report for it.
    void Promise.all(watchers);

    const warm = rss.filter((p) => p.t >= 60_000);
    const report = {
      checks: CHECKS,
      watchers: WATCHERS,
      minutes: MINUTES,
      ttlS: TTL_MS / 1000,
      heartbeats,
      flaps: flaps.length,
      failures: failures.length,
      connectionResetsRetried: resets,
      rssMb: { start: +rss[0].mb.toFixed(1), mid: +rss[Math.floor(rss.length / 2)].mb.toFixed(1), end: +rss.at(-1)!.mb.toFixed(1), slopeMbPerMinAfterFirstMinute: +slope(warm.length >= 2 ? warm : rss).toFixed(2) },
      heartbeatLatency: percentiles(heartbeatMs),
      heartbeatScheduleLag: percentiles(scheduleLagMs),
      watcherAnswers,
      watcherChangeLatency: percentiles(watcherAnswerMs),
      rssSeries: rss.map((p) => `${Math.round(p.t / 1000)}s ${p.mb.toFixed(0)}`).join(', '),
    };
    console.log(JSON.stringify(report, null, 2));
    for (const f of flaps.slice(0, 20)) console.error(`FLAP: ${f}`);
    for (const f of failures.slice(0, 20)) console.error(`FAILED: ${f}`);
    process.exitCode = flaps.length || failures.length ? 1 : 0;
  } finally {
    stopping = true;
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
process.exit();
