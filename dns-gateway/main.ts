// The DNS gateway: plain DNS on UDP and TCP (default 127.0.0.1:8600) answered from the worker's
// /dns-query, kept fresh by blocking queries. `startGateway` for tests and scripts (one process); run directly,
// it reads BEACON_DNS_* from the environment and starts BEACON_DNS_PROCESSES of them (processes.ts).
import cluster from 'node:cluster';
import { fileURLToPath } from 'node:url';
import { configFromEnv, parseConfig, type GatewayConfig } from './config';
import { createHandler, type Handler } from './handler';
import { CONFIG_ENV, onStopRequest, startGatewayProcesses, type Listening, type WorkerSettings } from './processes';
import { listenTcp } from './tcp';
import { listenUdp } from './udp';

export interface Gateway {
  host: string;
  port: number;
  config: GatewayConfig;
  /** Cache hits, worker requests for misses, changes brought in by watches, answers watched now. */
  stats(): ReturnType<Handler['stats']>;
  stop(): Promise<void>;
}

/** One gateway in this process; `tcp: false` (a second process of several) listens on UDP only. */
export async function startGateway(options: Partial<GatewayConfig> | GatewayConfig = {}, log: (m: string) => void = console.error, { tcp: withTcp = true } = {}): Promise<Gateway> {
  const config = parseConfig(options);
  const handle = createHandler(config, log);
  const udp = await listenUdp(config.host, config.port, handle, log);
  // With port 0, TCP takes the port UDP was given.
  const port = udp.address().port;
  const tcp = !withTcp ? undefined : await listenTcp(config.host, port, { idleMs: config.tcpIdleMs, maxPerClient: config.tcpMaxPerClient, maxConnections: config.tcpMaxConnections }, handle, log).catch((err) => {
    udp.close();
    handle.close();
    throw err;
  });
  const stop = async () => {
    handle.close();
    await Promise.all([new Promise<void>((r) => udp.close(() => r())), tcp?.close()]);
  };
  return { host: config.host, port, config, stop, stats: () => handle.stats() };
}

/**
 * `config.processes` gateways on one port: in this process when it is one, else as cluster workers
 * (processes.ts), where `onFailure` hears of one that dies (the others are still running).
 */
export async function startGateways(config: GatewayConfig, onFailure: (why: string) => void): Promise<Pick<Gateway, 'host' | 'port' | 'stop'>> {
  return config.processes > 1 ? startGatewayProcesses(config, onFailure) : startGateway(config);
}

/** `node dns-gateway/main.ts`: the configured number of processes, stopped together by SIGINT/SIGTERM. */
async function runFromEnv(): Promise<void> {
  const config = configFromEnv();
  const group = await startGateways(config, (why) => {
    console.error(`${why}; stopping the gateway`);
    void group.stop().then(() => process.exit(1));
  });
  const shutdown = () => void group.stop().then(() => process.exit(0));
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
  // Printed once a signal stops it cleanly (whoever waits for this line may signal at once).
  const processes = config.processes > 1 ? ` in ${config.processes} processes` : '';
  console.log(`Beacon DNS gateway: ${group.host}:${group.port} (udp+tcp${processes}) → ${config.workerUrl}/dns-query`);
}

/** A cluster worker: one gateway, stopped when the primary asks (a Ctrl-C reaches the primary too, which asks). */
async function runAsWorker(): Promise<void> {
  const { config, tcp } = JSON.parse(process.env[CONFIG_ENV]!) as WorkerSettings;
  const gateway = await startGateway(config, console.error, { tcp });
  process.on('SIGINT', () => {});
  onStopRequest(() => gateway.stop());
  process.send!({ listening: gateway.port } satisfies Listening);
}

if (cluster.isWorker && process.env[CONFIG_ENV]) await runAsWorker();
else if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await runFromEnv();
