// The gateway's settings, parsed once with zod from the environment (BEACON_DNS_*) or an object, then
// passed down as a plain object.
import { z } from 'zod';

const hostPort = z.string().regex(/^[^:]+:\d+$|^\[[0-9a-fA-F:]+\]:\d+$/, 'expected host:port');

export const GatewayConfigSchema = z.object({
  host: z.string().default('127.0.0.1'),
  /** UDP and TCP listen on the same port; 0 picks a free one. */
  port: z.coerce.number().int().min(0).max(65535).default(8600),
  /** Base URL of the worker; queries go to `<workerUrl>/dns-query`. */
  workerUrl: z.url().default('http://127.0.0.1:8500'),
  /** How long the worker may take before the client gets SERVFAIL. */
  workerTimeoutMs: z.coerce.number().int().positive().default(2000),
  /** Upstreams (`host:port`) for names outside `consul.`; none means REFUSED. */
  recursors: z.array(hostPort).default([]),
  /** Consul's recursor_timeout default. */
  recursorTimeoutMs: z.coerce.number().int().positive().default(2000),
  /** How long an answer the worker cannot keep fresh (no X-Consul-Index: a prepared query) is reused, whatever its DNS TTL. */
  cacheMs: z.coerce.number().int().min(0).max(1000).default(500),
  /** Whole replies held (one per distinct query bytes and transport); past it they are all dropped and rebuilt. */
  cacheEntries: z.coerce.number().int().positive().default(10_000),
  /** Answers kept fresh by a blocking query at once (each holds one request to the worker); the least recently asked go first. */
  watchMax: z.coerce.number().int().positive().default(1000),
  /** A watched answer not asked between two sweeps this far apart stops being watched. */
  watchIdleMs: z.coerce.number().int().positive().default(60_000),
  /** The `wait` of each blocking query: how often an unchanged answer is asked again anyway. */
  watchWaitMs: z.coerce.number().int().positive().default(30_000),
  /** A TCP connection that completes no query for this long is closed (RFC 7766 §6.2.3: seconds, not minutes). */
  tcpIdleMs: z.coerce.number().int().positive().default(10_000),
  /** Open TCP connections one client address may hold; more are closed at once. */
  tcpMaxPerClient: z.coerce.number().int().positive().default(16),
  /** Open TCP connections in all (BIND's tcp-clients is 150); more are refused by the listener. */
  tcpMaxConnections: z.coerce.number().int().positive().default(512),
  /** Gateway processes sharing the port (dns-gateway/processes.ts): more than one uses more than one core. */
  processes: z.coerce.number().int().min(1).max(16).default(1),
  /** The DNS token sent with every relayed query (Consul's `dns` agent token): answers hold only what it may read. */
  token: z.string().default(''),
});

export type GatewayConfig = z.infer<typeof GatewayConfigSchema>;

export const parseConfig = (input: Partial<Record<keyof GatewayConfig, unknown>> = {}): GatewayConfig => GatewayConfigSchema.parse(input);

/** BEACON_DNS_HOST, _PORT, _WORKER_URL, _WORKER_TIMEOUT_MS, _RECURSORS (comma-separated), _RECURSOR_TIMEOUT_MS, _CACHE_MS,
 * _WATCH_MAX, _WATCH_IDLE_MS, _TCP_IDLE_MS, _TCP_MAX_PER_CLIENT, _TCP_MAX_CONNECTIONS, _PROCESSES; BEACON_ACL_TOKEN_DNS (or CONSUL_HTTP_TOKEN). */
export function configFromEnv(env: NodeJS.ProcessEnv = process.env): GatewayConfig {
  const pick = (name: string) => (env[`BEACON_DNS_${name}`]?.trim() ? env[`BEACON_DNS_${name}`]!.trim() : undefined);
  return parseConfig({
    host: pick('HOST'),
    port: pick('PORT'),
    workerUrl: pick('WORKER_URL'),
    workerTimeoutMs: pick('WORKER_TIMEOUT_MS'),
    recursors: pick('RECURSORS')?.split(',').map((s) => s.trim()).filter(Boolean),
    recursorTimeoutMs: pick('RECURSOR_TIMEOUT_MS'),
    cacheMs: pick('CACHE_MS'),
    watchMax: pick('WATCH_MAX'),
    watchIdleMs: pick('WATCH_IDLE_MS'),
    tcpIdleMs: pick('TCP_IDLE_MS'),
    tcpMaxPerClient: pick('TCP_MAX_PER_CLIENT'),
    tcpMaxConnections: pick('TCP_MAX_CONNECTIONS'),
    processes: pick('PROCESSES'),
    token: env.BEACON_ACL_TOKEN_DNS || env.CONSUL_HTTP_TOKEN || undefined,
  });
}
