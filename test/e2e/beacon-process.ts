// Starts Beacon the way `npm start` starts it (scripts/start-local.ts: wrangler dev with its state on
// disk) and kills it the way a crash or an OOM killer would: SIGKILL to every process of its process
// group (npx, wrangler's node, workerd), no chance to flush. One helper, so the fault tests follow if
// `npm start` moves onto another runtime.
import { execFileSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { startLocal, type LocalServer } from '../../scripts/start-local';

export interface Beacon {
  url: string;
  server: LocalServer;
  /** Every PID of the process group (for the report and to prove they are gone). */
  pids(): number[];
  /** SIGKILL the whole group and wait until none of its processes is left. */
  kill(): Promise<void>;
  /** A clean stop (SIGTERM, then SIGKILL). */
  stop(): Promise<void>;
}

export async function startBeacon(port: number, persistTo: string): Promise<Beacon> {
  const server = await startLocal({ port, persistTo, quiet: true });
  const group = server.process.pid!;
  const pids = () => {
    try {
      return execFileSync('ps', ['-o', 'pid=', '-g', String(group)], { encoding: 'utf8' })
        .split('\n').map((l) => Number(l.trim())).filter((n) => n > 0);
    } catch {
      return []; // ps exits 1 when the group is empty
    }
  };
  return {
    url: server.url,
    server,
    pids,
    async kill() {
      try {
        process.kill(-group, 'SIGKILL');
      } catch {
        /* already gone */
      }
      for (let i = 0; i < 100 && pids().length > 0; i++) await sleep(100);
      if (pids().length > 0) throw new Error(`processes of group ${group} survived SIGKILL: ${pids().join(' ')}`);
    },
    stop: () => server.stop(),
  };
}

/** A small seeded PRNG (mulberry32), so a failing run can be replayed with its printed seed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
