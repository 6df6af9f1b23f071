// Starts Beacon the way `npm start` starts it (scripts/start-local.ts: plain workerd with its state on
// disk) and kills it the way a crash or an OOM killer would: SIGKILL, no chance to flush. One helper, so
// the fault tests follow the runtime `npm start` uses.
import { setTimeout as sleep } from 'node:timers/promises';
import { startLocal, type LocalServer, type StartOptions } from '../../scripts/start-local';

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

export async function startBeacon(port: number, persistTo: string, options: Pick<StartOptions, 'vars' | 'secrets'> = {}): Promise<Beacon> {
  const server = await startLocal({ port, persistTo, quiet: true, ...options });
  // setpriv execs workerd in place, so the child is the one process to kill.
  const pid = server.process.pid!;
  const gone = () => server.process.exitCode !== null || server.process.signalCode !== null;
  const pids = () => (gone() ? [] : [pid]);
  return {
    url: server.url,
    server,
    pids,
    async kill() {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
      for (let i = 0; i < 100 && !gone(); i++) await sleep(100);
      if (!gone()) throw new Error(`workerd ${pid} survived SIGKILL`);
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
