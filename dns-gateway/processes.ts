// Several gateway processes on one port (`processes`): Node's cluster hands every worker the same UDP socket,
// so the kernel gives each datagram to whichever is waiting (dnsmasq is one thread; this is how the gateway
// uses a second core). TCP is listened on by the first worker only, so its connection limits stay exact.
// Each worker keeps its own answers fresh by its own blocking queries. A worker dies with the primary
// (cluster ends a worker whose IPC channel closes, even after a SIGKILL of the primary).
import cluster, { type Worker } from 'node:cluster';
import { fileURLToPath } from 'node:url';
import type { GatewayConfig } from './config';

/** What a worker is started with (in CONFIG_ENV, as JSON). */
export interface WorkerSettings {
  config: GatewayConfig;
  tcp: boolean;
}

/** What the primary is told by a worker once it listens. */
export interface Listening {
  listening: number;
}

export interface GatewayProcesses {
  host: string;
  port: number;
  config: GatewayConfig;
  pids: number[];
  stop(): Promise<void>;
}

const STOP = 'stop';
const STOP_GRACE_MS = 2000;
/** The workers run main.ts, which starts one gateway when it finds itself a cluster worker. */
const WORKER_ENTRY = fileURLToPath(new URL('./main.ts', import.meta.url));
export const CONFIG_ENV = 'BEACON_DNS_PROCESS_CONFIG';

/**
 * Starts `config.processes` workers sharing `config.port` (0: a free one) and
 * resolves once all listen. `onFailure` is called if a worker exits later, unless it is being stopped.
 */
export async function startGatewayProcesses(config: GatewayConfig, onFailure: (why: string) => void): Promise<GatewayProcesses> {
  // Inherit the loader (tsx) this process runs with; main.ts is TypeScript.
  cluster.setupPrimary({ exec: WORKER_ENTRY, execArgv: process.execArgv });
  const workers: Worker[] = [];
  // A worker that dies while starting fails the start instead.
  let [running, stopping] = [false, false];
  const stop = async () => {
    stopping = true;
    await Promise.all(workers.map(stopWorker));
  };
  const fork = (tcp: boolean) => {
    const worker = cluster.fork({ [CONFIG_ENV]: JSON.stringify({ config: { ...config, processes: 1 }, tcp } satisfies WorkerSettings) });
    workers.push(worker);
    worker.once('exit', (code, signal) => {
      if (running && !stopping) onFailure(`dns-gateway: process ${worker.process.pid} exited (${signal ?? code})`);
    });
    return new Promise<number>((resolve, reject) => {
      worker.once('exit', () => reject(new Error('dns-gateway: a gateway process exited while starting')));
      worker.on('message', (m: Listening) => typeof m?.listening === 'number' && resolve(m.listening));
    });
  };
  try {
    // With port 0 every worker is given the same port (cluster shares one socket per address and port).
    const [port] = await Promise.all(Array.from({ length: config.processes }, (_, i) => fork(i === 0)));
    running = true;
    return { host: config.host, port, config, pids: workers.map((w) => w.process.pid!), stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** In a worker: stop the gateway when the primary says so. */
export function onStopRequest(stop: () => Promise<void>): void {
  process.on('message', (m) => m === STOP && void stop().then(() => process.exit(0)));
}

function stopWorker(worker: Worker): Promise<void> {
  if (worker.isDead()) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => worker.process.kill('SIGKILL'), STOP_GRACE_MS);
    worker.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    if (worker.isConnected()) worker.send(STOP);
    else worker.process.kill('SIGKILL');
  });
}
