// What the benchmark drives: the seeded catalog, and each load scenario as a request generator.
// Every service is registered through the agent API with a TTL check, as a client library would.
import type { Call } from './load';
import { Http1Connection } from './http1';

export const TTL = '10m';
/** Instances of the service read by GET /v1/health/service (scenario 3) and watched in 4b. */
export const WEB_INSTANCES = 100;
const HEARTBEAT_CHECKS = 100;
const IDENTICAL_IDS = 100;
const CHANGED_IDS = 1000;
const KV_KEYS = 1000;

export interface Scenario {
  key: string;
  title: string;
  next: (i: number) => Call;
  /** Concurrent connections, when not the run's default (the ceilings before it use the same). */
  connections?: number;
}

const register = (id: string, name: string, meta: Record<string, string> = {}): Call => ({
  method: 'PUT',
  path: '/v1/agent/service/register',
  body: JSON.stringify({ ID: id, Name: name, Port: 8080, Tags: ['bench'], Meta: meta, Check: { TTL, Status: 'passing' } }),
});

const heartbeat = (i: number): Call => ({ method: 'PUT', path: `/v1/agent/check/pass/service:hb-${i % HEARTBEAT_CHECKS}` });

/** Bodies fixed once, so identical re-registrations send byte-identical requests. */
const identical = Array.from({ length: IDENTICAL_IDS }, (_, i) => register(`same-${i}`, 'same'));

export const SCENARIOS: Scenario[] = [
  {
    key: 'register-changed',
    title: `1a. agent service register, changed (${CHANGED_IDS} IDs, Meta.seq differs each time)`,
    next: (i) => register(`reg-${i % CHANGED_IDS}`, 'reg', { seq: String(i) }),
  },
  {
    key: 'register-identical',
    title: `1b. agent service register, identical body (${IDENTICAL_IDS} IDs, already registered)`,
    next: (i) => identical[i % IDENTICAL_IDS],
  },
  {
    key: 'ttl-pass',
    title: `2. TTL pass heartbeat, status unchanged (${HEARTBEAT_CHECKS} checks)`,
    next: heartbeat,
  },
  {
    key: 'ttl-pass-16',
    title: `2b. the same heartbeats over 16 connections`,
    next: heartbeat,
    connections: 16,
  },
  {
    key: 'status-leader',
    title: '2c. GET /v1/status/leader (Beacon\'s router and middleware, no DO call)',
    next: () => ({ method: 'GET', path: '/v1/status/leader' }),
  },
  {
    key: 'kv-put',
    title: `5a. PUT /v1/kv/<key>, a new 64-byte value each time (${KV_KEYS} keys)`,
    next: (i) => ({ method: 'PUT', path: `/v1/kv/bench/${i % KV_KEYS}`, body: `${String(i).padStart(8, '0')}${'v'.repeat(56)}` }),
  },
  {
    key: 'kv-get',
    title: `5b. GET /v1/kv/<key> (${KV_KEYS} keys)`,
    next: (i) => ({ method: 'GET', path: `/v1/kv/bench/${i % KV_KEYS}` }),
  },
  {
    key: 'health-service',
    title: `3. GET /v1/health/service/web (${WEB_INSTANCES} instances)`,
    next: () => ({ method: 'GET', path: '/v1/health/service/web' }),
  },
];

/** Registers the services the scenarios use, then passes every heartbeat check once so its status and output are settled. */
export async function seed(beacon: string): Promise<void> {
  const conn = await Http1Connection.open(beacon);
  const calls: Call[] = [
    ...Array.from({ length: WEB_INSTANCES }, (_, i) => register(`web-${i}`, 'web')),
    ...Array.from({ length: HEARTBEAT_CHECKS }, (_, i) => register(`hb-${i}`, 'hb')),
    ...Array.from({ length: HEARTBEAT_CHECKS }, (_, i) => heartbeat(i)),
    ...identical,
    register('watched-0', 'watched'),
    ...Array.from({ length: KV_KEYS }, (_, i): Call => ({ method: 'PUT', path: `/v1/kv/bench/${i}`, body: 'seed' })),
  ];
  try {
    for (const call of calls) {
      const reply = await conn.request(call.method, call.path, call.body);
      if (reply.status !== 200) throw new Error(`bench: seeding ${call.method} ${call.path} answered ${reply.status}: ${reply.body}`);
    }
  } finally {
    conn.close();
  }
}
