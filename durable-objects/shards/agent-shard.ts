// The AgentShard Durable Object: one per (datacenter, shard), the agent side of Consul's agent/server
// split. It owns the checks that hash to it: TTL deadlines and heartbeats, and HTTP/TCP probes on their
// Interval with their success/failure counters, all on its own alarm. It tells the Datacenter (the one
// writer of the catalog) only about changes: a status change at once, an output-only change after
// check_update_interval. A heartbeat or a probe result that changes nothing touches only memory here.
// The catalog stays the source of truth: the Datacenter registers and drops checks (sync) and can rebuild
// a shard from it; a report about a check the Datacenter says is not this shard's drops it here.
import { DurableObject } from 'cloudflare:workers';
import { CHECK_OWNER_CHANGED } from '../../worker/consul/acl';
import type { HealthStatus } from '../../worker/consul/common';
import { TTL_EXPIRED } from '../agent/checks/monitor';
import { truncateOutput } from '../agent/checks/output';
import { Clock } from '../engine/clock';
import { Metrics, type MetricsDump } from '../engine/metrics';
import { DONE, refuse, type Done } from '../engine/outcome';
import { Timers } from '../engine/timers';
import { Probes } from './probes';
import { checkUpdateInterval, parseShardName, shardCount, shardOf, type ShardCheck, type ShardReportTarget, type ShardSettings, type ShardSync, type ShardUpdate } from './shard-of';
import { RETRY_TIMER, ShardReporter, syncTimer } from './shard-reporter';
import { checkKey, deleteEntry, entryKind, loadEntries, migrateShard, runKey, sameEntry, saveEntry, unsynced, type ShardEntry } from './shard-store';

export interface AgentShardEnv extends ShardSettings {
  /** The Datacenter namespace, typed by what a shard calls on it (no import of the class: no cycle). */
  DATACENTER_OBJECT: DurableObjectNamespace<ShardReportTarget>;
}

const ttlTimer = (key: string) => `ttl:${key}`;
/** `beacon.timers.fired`'s kind per timer prefix: the reporter's two named for the report they send. */
const FIRED_KIND: Record<string, string> = { ttl: 'ttl', run: 'run', retry: 'report-retry', sync: 'report-sync' };

export class AgentShard extends DurableObject<AgentShardEnv> {
  readonly clock = new Clock();
  readonly stats = { requests: 0, heartbeats: 0, reports: 0, alarmsSet: 0, probes: 0 };
  /** This shard's counters and samples, merged with its Datacenter's by GET /v1/agent/metrics. */
  readonly metrics = new Metrics();
  readonly timers: Timers;
  private readonly sql: SqlStorage;
  private readonly entries: Map<string, ShardEntry>;
  /** HTTP and TCP runs and their counters (probes.ts). */
  private readonly probes: Probes;
  /** What goes to the Datacenter, and when (shard-reporter.ts). */
  private readonly reporter: ShardReporter;
  /** Bumped whenever the Datacenter (re)sends a check, so an answer to an older report cannot drop it. */
  private readonly versions = new Map<string, number>();
  private version = 0;
  private readonly datacenter: string;
  private readonly index: number;

  constructor(ctx: DurableObjectState, env: AgentShardEnv) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    migrateShard(this.sql);
    ({ datacenter: this.datacenter, index: this.index } = parseShardName(ctx.id.name ?? ''));
    const { clock, stats, sql, metrics } = this;
    const timers = (this.timers = new Timers(ctx.storage, clock, stats));
    const entries = (this.entries = loadEntries(sql));
    // Ownership is checked once, here: a changed AGENT_SHARDS comes with a new deployment, which starts
    // every object afresh. A check that hashes elsewhere now is dropped; the Datacenter gives it to its
    // new owner at its own start. (Synchronous, so no event reaches the object before it is done.)
    const count = shardCount(env);
    for (const key of [...entries.keys()]) if (shardOf(key, count) !== this.index) (entries.delete(key), deleteEntry(sql, key));
    this.probes = new Probes({
      timers, clock, stats, metrics, current: (key) => entries.get(key),
      record: (key, status, output) => this.reporter.record(key, entries.get(key)!, status, output),
    });
    const datacenter = () => env.DATACENTER_OBJECT.getByName(this.datacenter);
    this.reporter = new ShardReporter({
      sql, timers, clock, stats, entries, interval: checkUpdateInterval(env), version: (key) => this.versions.get(key),
      send: (updates) => datacenter().agentShardReport(this.index, updates), label: `${this.datacenter}/${this.index}`, drop: (key) => this.drop(key),
    });
    // Like a restarted Consul agent: every TTL gets a full TTL from now, every probe starts within its
    // Interval with fresh counters; whatever the catalog has not yet heard is sent again.
    for (const [key, entry] of entries) this.schedule(key, entry, true);
    this.reporter.resume();
    void ctx.blockConcurrencyWhile(() => timers.restore());
  }

  /**
   * A TTL pass/warn/fail/update. null: this shard does not own the check (the worker then asks the
   * Datacenter, which knows the owner and forwards with `adopt`). `owner` as in Datacenter.agentCheckUpdate.
   */
  checkUpdate(checkId: string, status: HealthStatus, output: string, owner?: string, adopt?: ShardCheck): Done | null | Promise<Done> {
    this.stats.requests++;
    this.stats.heartbeats++;
    const key = checkKey(checkId);
    if (adopt) this.own(adopt, true);
    const entry = this.entries.get(key);
    if (!entry) return null;
    if (owner !== undefined && owner.toLowerCase() !== entry.owner.toLowerCase()) return refuse(403, CHECK_OWNER_CHANGED);
    if (!entry.ttl) return refuse(500, `CheckID "${entry.checkId}" does not have associated TTL`);
    this.metrics.incr('beacon.agent_shard.heartbeats');
    this.timers.set(ttlTimer(key), this.clock.now() + entry.ttl);
    const reporting = this.reporter.record(key, entry, status, truncateOutput(output, entry.outputMaxSize));
    return reporting ? reporting.then(() => DONE) : DONE;
  }

  /** The ACL owner of a check this shard holds ('' for a node check); undefined: not this shard's. */
  checkOwner(checkId: string): string | undefined {
    this.stats.requests++;
    return this.entries.get(checkKey(checkId))?.owner;
  }

  /** Registrations and removals from the Datacenter (see ShardLink). */
  sync(msg: ShardSync): void {
    this.stats.requests++;
    if (msg.replace) {
      const kept = new Set(msg.own.map((c) => checkKey(c.checkId)));
      for (const key of [...this.entries.keys()]) if (!kept.has(key)) this.drop(key);
    }
    for (const id of msg.drop) this.drop(checkKey(id));
    // A full re-sync keeps running TTLs; a registration restarts its TTL, as registering again does in Consul.
    for (const check of msg.own) this.own(check, !msg.replace || !!msg.restartTtl);
  }

  /** Status and output the catalog has not heard yet (GET /v1/agent/checks shows the agent's own state). */
  pending(): ShardUpdate[] {
    this.stats.requests++;
    return [...this.entries.values()].filter(unsynced).map((e) => ({ checkId: e.checkId, status: e.status, output: e.output, kind: entryKind(e) }));
  }

  /** This shard's metrics for the interval starting at `start` (worker/metrics/gather.ts merges them). */
  metricsDump(start: number): MetricsDump {
    return this.metrics.dump(start);
  }

  /** What this shard holds: its check IDs and counters (tests and the scale bench). */
  getStats() {
    return { ...this.stats, checks: [...this.entries.values()].map((e) => e.checkId) };
  }

  override async alarm(): Promise<void> {
    const earliest = this.timers.earliest();
    if (earliest !== undefined) this.metrics.sample('beacon.alarm.lag', Math.max(0, this.clock.now() - earliest));
    const due = this.timers.takeDue();
    this.timers.rearm();
    const send = new Set<string>();
    const probes: Promise<void>[] = [];
    for (const timer of due) {
      const at = timer.indexOf(':');
      const kind = timer.slice(0, at);
      const key = timer.slice(at + 1);
      this.metrics.incr('beacon.timers.fired', 1, { kind: FIRED_KIND[kind] ?? kind });
      if (kind === 'retry') for (const [k, e] of this.entries) if (unsynced(e)) send.add(k);
      if (kind === 'sync' && this.entries.has(key)) send.add(key);
      if (kind === 'ttl' && this.expire(key)) send.add(key);
      if (kind === 'run' && this.entries.has(key)) probes.push(this.probes.run(key));
    }
    // A slow probe (its Timeout) holds up no TTL expiry: each probe reports its own change.
    await Promise.all([send.size ? this.reporter.report([...send]) : undefined, ...probes]);
  }

  private expire(key: string): boolean {
    const entry = this.entries.get(key);
    if (!entry?.ttl || (entry.status === 'critical' && entry.output.startsWith(TTL_EXPIRED))) return false;
    entry.output = entry.output ? `${TTL_EXPIRED} (last output before timeout follows): ${entry.output}` : TTL_EXPIRED;
    entry.status = 'critical';
    saveEntry(this.sql, entry);
    return true;
  }

  private own(check: ShardCheck, restartTtl: boolean): void {
    const key = checkKey(check.checkId);
    this.versions.set(key, ++this.version);
    const existing = this.entries.get(key);
    // The catalog's status wins unless this shard holds news the catalog has not heard yet.
    const state = existing && unsynced(existing)
      ? { status: existing.status, output: existing.output, syncedStatus: existing.syncedStatus, syncedOutput: existing.syncedOutput }
      : { status: check.status, output: check.output, syncedStatus: check.status, syncedOutput: check.output };
    const entry: ShardEntry = { ...check, ...state };
    const redefined = !existing || runKey(existing) !== runKey(entry) || !existing.ttl !== !entry.ttl;
    if (restartTtl || redefined) this.schedule(key, entry, redefined);
    // A registration sent again unchanged (the common case) writes nothing, so the answer waits for no commit.
    if (existing && sameEntry(existing, entry)) return;
    this.entries.set(key, entry);
    saveEntry(this.sql, entry);
  }

  /** Arms a check's TTL from now, or (`fresh`: new, redefined, restarted) its probe within one Interval. */
  private schedule(key: string, entry: ShardCheck, fresh: boolean): void {
    const now = this.clock.now();
    if (entry.ttl) this.timers.set(ttlTimer(key), now + entry.ttl);
    else this.timers.delete(ttlTimer(key));
    this.probes.start(key, entry.run, fresh);
  }

  private drop(key: string): void {
    this.versions.delete(key);
    this.probes.forget(key);
    if (!this.entries.delete(key)) return;
    deleteEntry(this.sql, key);
    for (const timer of [ttlTimer(key), syncTimer(key)]) this.timers.delete(timer);
  }
}
