// The DNS gateway: plain DNS on UDP and TCP (default 127.0.0.1:8600) answered from the worker's
// /dns-query, kept fresh by blocking queries. `startGateway` for tests and scripts; run directly, it reads BEACON_DNS_* from the environment.
import { fileURLToPath } from 'node:url';
import { configFromEnv, parseConfig, type GatewayConfig } from './config';
import { createHandler, type Handler } from './handler';
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

export async function startGateway(options: Partial<GatewayConfig> | GatewayConfig = {}, log: (m: string) => void = console.error): Promise<Gateway> {
  const config = parseConfig(options);
  const handle = createHandler(config, log);
  const udp = await listenUdp(config.host, config.port, handle, log);
  // With port 0, TCP takes the port UDP was given.
  const port = udp.address().port;
  const tcp = await listenTcp(config.host, port, { idleMs: config.tcpIdleMs, maxPerClient: config.tcpMaxPerClient, maxConnections: config.tcpMaxConnections }, handle, log).catch((err) => {
    udp.close();
    handle.close();
    throw err;
  });
  const stop = async () => {
    handle.close();
    await Promise.all([new Promise<void>((r) => udp.close(() => r())), tcp.close()]);
  };
  return { host: config.host, port, config, stop, stats: () => handle.stats() };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const gateway = await startGateway(configFromEnv());
  console.log(`Beacon DNS gateway: ${gateway.host}:${gateway.port} (udp+tcp) → ${gateway.config.workerUrl}/dns-query`);
  const shutdown = () => void gateway.stop().then(() => process.exit(0));
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}
