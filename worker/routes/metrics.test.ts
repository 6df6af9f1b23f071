import { env } from 'cloudflare:test';
import { Buffer } from 'node:buffer';
import parsePrometheusTextFormat, { type PromFamily } from 'parse-prometheus-text-format';
import { describe, expect, inject, it, vi } from 'vitest';
import { goTimeString, MetricsSummarySchema, type MetricsSummary } from '../consul/metrics';
import { INTERVAL_MS } from '../../durable-objects/engine/metrics';
import { shardOf } from '../../durable-objects/shards/shard-of';
import { advanceShard, SHARDS, settled, shardAt } from '../../durable-objects/shards/test-support';
import { query } from '../dns/zone-text';
import { api, put, registerService, uniq } from '../test-support';

async function prometheus(): Promise<PromFamily[]> {
  const res = await api('/v1/agent/metrics?format=prometheus');
  expect(res.status).toBe(200);
  expect(res.headers.get('Content-Type')).toBe('text/plain; version=0.0.4; charset=utf-8');
  return parsePrometheusTextFormat(await res.text());
}

/** A counter's value or a summary's count, 0 when the series does not exist yet. */
function seen(families: PromFamily[], name: string, labels: Record<string, string> = {}): number {
  const family = families.find((f) => f.name === name);
  const sample = family?.metrics.find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v));
  return Number(sample?.value ?? sample?.count ?? 0);
}

async function summary(): Promise<MetricsSummary> {
  const res = await api('/v1/agent/metrics');
  expect(res.status).toBe(200);
  return MetricsSummarySchema.parse(await res.json());
}

/** Runs `work` until one run falls inside one 10 s interval, then waits for that interval to be the last finished one (no timing asserted). */
async function summaryOfIntervalWith(work: () => Promise<void>): Promise<MetricsSummary> {
  let interval: number;
  do {
    interval = Math.floor(Date.now() / INTERVAL_MS) * INTERVAL_MS;
    await work();
  } while (Math.floor(Date.now() / INTERVAL_MS) * INTERVAL_MS !== interval);
  const body = await vi.waitFor(async () => {
    const b = await summary();
    expect(b.Timestamp >= goTimeString(interval)).toBe(true);
    return b;
  }, { timeout: 25_000, interval: 500 });
  expect(body.Timestamp).toBe(goTimeString(interval));
  return body;
}

async function writeOnce(): Promise<void> {
  const name = uniq('m');
  expect((await put(`/v1/kv/${name}`, 'v')).status).toBe(200);
  expect((await put('/v1/catalog/register', { Node: name, Address: '127.0.0.2', Service: { Service: name } })).status).toBe(200);
  expect((await put('/v1/txn', [{ KV: { Verb: 'set', Key: `${name}/t`, Value: 'dg==' } }])).status).toBe(200);
  const doh = await api(`/dns-query?dns=${Buffer.from(query(`${name}.service.consul`, 'A')).toString('base64url')}`);
  expect(doh.status).toBe(200);
}

describe('GET /v1/agent/metrics', () => {
  it("answers Consul's JSON summary: interval start, sorted lists, state gauges", async () => {
    const body = await summary();
    const start = Date.parse(body.Timestamp.replace(' +0000 UTC', 'Z').replace(' ', 'T'));
    expect(start % INTERVAL_MS).toBe(0);
    expect(body.Points).toEqual([]);
    const names = body.Gauges.map((g) => g.Name);
    expect(names).toEqual([...names].sort());
    expect(names).toEqual(expect.arrayContaining(['consul.state.nodes', 'consul.state.services', 'consul.state.service_instances', 'consul.state.kv_entries', 'beacon.blocking_queries.held']));
    expect(body.Gauges.find((g) => g.Name === 'consul.state.nodes')!.Value).toBeGreaterThanOrEqual(1);
  });

  it('moves the Prometheus counters and timers after writes, parsed by a Prometheus text parser', async () => {
    const before = await prometheus();
    await writeOnce();
    const after = await prometheus();
    for (const name of ['consul_kvs_apply', 'consul_catalog_register', 'consul_txn_apply', 'consul_dns_domain_query']) {
      expect(after.find((f) => f.name === name)?.type, name).toBe('SUMMARY');
      expect(seen(after, name) - seen(before, name), name).toBe(1);
    }
    expect(seen(after, 'consul_api_http', { method: 'PUT', path: 'v1_kv_' }) - seen(before, 'consul_api_http', { method: 'PUT', path: 'v1_kv_' })).toBe(1);
    expect(seen(after, 'beacon_datacenter_requests', { kind: 'write' }) - seen(before, 'beacon_datacenter_requests', { kind: 'write' })).toBe(3);
    expect(after.find((f) => f.name === 'consul_state_kv_entries')?.type).toBe('GAUGE');
    expect(seen(after, 'consul_state_kv_entries') - seen(before, 'consul_state_kv_entries')).toBe(2);
  });

  it('counts blocking queries (consul.rpc.query) and holds them in a gauge while parked', async () => {
    const key = uniq('block');
    const index = Number((await api(`/v1/kv/${key}?index=0`)).headers.get('X-Consul-Index'));
    const before = await prometheus();
    const parked = api(`/v1/kv/${key}?index=${index}&wait=30s`);
    await vi.waitFor(async () => expect(seen(await prometheus(), 'beacon_blocking_queries_held')).toBeGreaterThanOrEqual(1), { timeout: 20_000, interval: 50 });
    await put(`/v1/kv/${key}`, 'v');
    expect((await parked).status).toBe(200);
    const after = await prometheus();
    expect(seen(after, 'consul_rpc_query') - seen(before, 'consul_rpc_query')).toBe(1);
    expect(seen(after, 'beacon_blocking_queries_held')).toBe(0);
  });

  it('shows writes in the JSON once their 10 s interval has finished', async () => {
    // The writes, all inside one interval (again if they straddled a boundary).
    const body = await summaryOfIntervalWith(writeOnce);
    const counter = (name: string) => body.Samples.find((s) => s.Name === name);
    expect(counter('consul.kvs.apply')?.Count).toBeGreaterThanOrEqual(1);
    expect(counter('consul.txn.apply')?.Count).toBeGreaterThanOrEqual(1);
    const http = body.Samples.find((s) => s.Name === 'consul.api.http' && s.Labels.method === 'PUT' && s.Labels.path === 'v1_kv_');
    expect(http).toMatchObject({ Labels: { method: 'PUT', path: 'v1_kv_' } });
    expect(http!.Rate).toBeCloseTo(http!.Sum / 10);
    const keys = body.Samples.map((s) => `${s.Name}\u0000${JSON.stringify(Object.entries(s.Labels).sort())}`);
    expect(keys).toEqual([...keys].sort((a, b) => a.localeCompare(b)));
  });

  it.each(['PUT', 'POST', 'DELETE'])('refuses %s with 405 and Allow', async (method) => {
    const res = await api('/v1/agent/metrics', { method });
    expect(res.status).toBe(405);
    expect(res.headers.get('Allow')).toBe('OPTIONS,GET');
  });

  it.each(['application/openmetrics-text', 'text/plain; version=0.4.0'])('serves Prometheus text for Accept: %s', async (accept) => {
    const res = await api('/v1/agent/metrics', { headers: { Accept: accept } });
    expect(res.headers.get('Content-Type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(parsePrometheusTextFormat(await res.text()).some((f) => f.name === 'consul_state_nodes')).toBe(true);
  });
});

describe('GET /v1/agent/metrics and the fast paths', () => {
  it('counts a KV read and a heartbeat answered before the router under their Consul routes', async () => {
    const key = uniq('fast');
    await put(`/v1/kv/${key}`, 'v');
    expect((await put('/v1/agent/service/register', { Name: key, ID: key, Check: { TTL: '30s' } })).status).toBe(200);
    const before = await prometheus();
    expect((await api(`/v1/kv/${key}`)).status).toBe(200);
    expect((await api(`/v1/agent/check/pass/service:${key}`, { method: 'PUT' })).status).toBe(200);
    const after = await prometheus();
    const delta = (labels: Record<string, string>) => seen(after, 'consul_api_http', labels) - seen(before, 'consul_api_http', labels);
    expect(delta({ method: 'GET', path: 'v1_kv_' })).toBe(1);
    expect(delta({ method: 'PUT', path: 'v1_agent_check_pass_' })).toBe(1);
    expect(seen(after, 'beacon_agent_shard_heartbeats') - seen(before, 'beacon_agent_shard_heartbeats')).toBe(1);
  });
});

// A real HTTP server the shard probes (test/lib/check-target/global-setup.ts); dc1 is the requests' datacenter.
const TARGET = inject('checkTarget');
const DC = 'dc1';

/** A TTL check and an HTTP check (60 s Interval) on the agent; each owning shard's alarm expires the one and runs the other. */
async function fireShardTimers(): Promise<void> {
  const ttl = uniq('ttl');
  const http = uniq('http');
  await registerService({ Name: ttl, ID: ttl, Check: { TTL: '10s' } });
  await registerService({ Name: http, ID: http, Check: { HTTP: `http://${TARGET}/status/200`, Interval: '60s' } });
  await settled(env.DATACENTER_OBJECT.getByName(DC));
  const owners = new Set([`service:${ttl}`, `service:${http}`].map((id) => shardOf(id, SHARDS)));
  for (const index of owners) expect(await advanceShard(shardAt(DC, index), 60_001)).toBe(true);
}

describe('GET /v1/agent/metrics and the agent shards', () => {
  it("sums the shards' check runs, timers and alarm lag into Prometheus", async () => {
    const before = await prometheus();
    await fireShardTimers();
    const after = await prometheus();
    const delta = (name: string, labels: Record<string, string> = {}) => seen(after, name, labels) - seen(before, name, labels);
    expect(delta('beacon_check_runs')).toBeGreaterThanOrEqual(1);
    expect(delta('beacon_timers_fired', { kind: 'ttl' })).toBeGreaterThanOrEqual(1);
    expect(delta('beacon_timers_fired', { kind: 'run' })).toBeGreaterThanOrEqual(1);
    expect(delta('beacon_alarm_lag')).toBeGreaterThanOrEqual(1);
  });

  it("shows the shards' check runs and timers in the JSON once their interval has finished", async () => {
    const body = await summaryOfIntervalWith(fireShardTimers);
    const counter = (name: string, labels: Record<string, string> = {}) =>
      body.Counters.find((s) => s.Name === name && Object.entries(labels).every(([k, v]) => s.Labels[k] === v))?.Count ?? 0;
    expect(counter('beacon.check.runs')).toBeGreaterThanOrEqual(1);
    expect(counter('beacon.timers.fired', { kind: 'ttl' })).toBeGreaterThanOrEqual(1);
    expect(counter('beacon.timers.fired', { kind: 'run' })).toBeGreaterThanOrEqual(1);
  }, 40_000);
});
