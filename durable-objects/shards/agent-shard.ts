// The AgentShard Durable Object: one per (datacenter, shard), the agent side of Consul's agent/server
// split for TTL checks. It owns the TTL deadlines and heartbeats of the checks that hash to it, and tells
// the Datacenter (the one writer of the catalog) only about changes: a status change at once, an
// output-only change after check_update_interval. A heartbeat that changes nothing touches only memory here.
// The catalog stays the source of truth: the Datacenter registers and drops checks (sync) and can rebuild
// a shard from it; a report about a check the Datacenter says is not this shard's drops it here.
import { DurableObject } from 'cloudflare:workers';
import { CHECK_OWNER_CHANGED } from '../../worker/consul/acl';
import type { HealthStatus } from '../../worker/consul/common';
import { TTL_EXPIRED } from '../agent/checks/monitor';
import { truncateOutput } from '../agent/checks/output';
import { Clock } from '../engine/clock';
import { ok, refuse, type Outcome } from '../engine/outcome';
import { Timers } from '../engine/timers';
import { checkUpdateInterval, parseShardName, type ShardCheck, type ShardReportTarget, type ShardSettings, type ShardSync, type ShardUpdate } from './shard-of';
import { checkKey, deleteEntry, loadEntries, migrateShard, saveEntry, type ShardEntry } from './shard-store';

export interface AgentShardEnv extends ShardSettings {
  /** The Datacenter namespace, typed by what a shard calls on it (no import of the class: no cycle). */
  DATACENTER_OBJECT: DurableObjectNamespace<ShardReportTarget>;
}

const RETRY_TIMER = 'retry:';
const ENTRY_FIELDS = ['checkId', 'owner', 'ttl', 'outputMaxSize', 'status', 'output', 'syncedStatus', 'syncedOutput'] as const;
const sameEntry = (a: ShardEntry, b: ShardEntry) => ENTRY_FIELDS.every((f) => a[f] === b[f]);
const RETRY_MS = 1000;
const ttlTimer = (key: string) => `ttl:${key}`;
const syncTimer = (key: string) => `sync:${key}`;

export class AgentShard extends DurableObject<AgentShardEnv> {
  readonly clock = new Clock();
  readonly stats = { requests: 0, heartbeats: 0, reports: 0, alarmsSet: 0 };
  readonly timers: Timers;
  private readonly sql: SqlStorage;
  private readonly entries: Map<string, ShardEntry>;
  private readonly datacenter: string;
  private readonly index: number;
  private readonly interval: number;

  constructor(ctx: DurableObjectState, env: AgentShardEnv) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    migrateShard(this.sql);
    ({ datacenter: this.datacenter, index: this.index } = parseShardName(ctx.id.name ?? ''));
    this.interval = checkUpdateInterval(env);
    this.timers = new Timers(ctx.storage, this.clock, this.stats);
    this.entries = loadEntries(this.sql);
    // Like a restarted Consul agent: every TTL gets a full TTL from now; whatever the catalog has not yet
    // heard is sent again.
    const now = this.clock.now();
    for (const [key, entry] of this.entries) {
      this.timers.set(ttlTimer(key), now + entry.ttl);
      if (entry.status !== entry.syncedStatus) this.timers.set(RETRY_TIMER, now);
      else if (entry.output !== entry.syncedOutput) this.timers.set(syncTimer(key), now + this.stagger());
    }
    void ctx.blockConcurrencyWhile(() => this.timers.restore());
  }

  /**
   * A TTL pass/warn/fail/update. null: this shard does not own the check (the worker then asks the
   * Datacenter, which knows the owner and forwards with `adopt`). `owner` as in Datacenter.agentCheckUpdate.
   */
  async checkUpdate(checkId: string, status: HealthStatus, output: string, owner?: string, adopt?: ShardCheck): Promise<Outcome<null> | null> {
    this.stats.requests++;
    this.stats.heartbeats++;
    const key = checkKey(checkId);
    if (adopt) this.own(adopt, true);
    const entry = this.entries.get(key);
    if (!entry) return null;
    if (owner !== undefined && owner.toLowerCase() !== entry.owner.toLowerCase()) return refuse(403, CHECK_OWNER_CHANGED);
    this.timers.set(ttlTimer(key), this.clock.now() + entry.ttl);
    const text = truncateOutput(output, entry.outputMaxSize);
    if (entry.status === status && entry.output === text) return ok(null);
    entry.status = status;
    entry.output = text;
    saveEntry(this.sql, entry);
    if (entry.status !== entry.syncedStatus || this.interval === 0) await this.report([key]);
    else if (this.timers.get(syncTimer(key)) === undefined) this.timers.set(syncTimer(key), this.clock.now() + this.stagger());
    return ok(null);
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
    return [...this.entries.values()]
      .filter((e) => e.status !== e.syncedStatus || e.output !== e.syncedOutput)
      .map(({ checkId, status, output }) => ({ checkId, status, output }));
  }

  /** What this shard holds: its check IDs and counters (tests and the scale bench). */
  getStats() {
    return { ...this.stats, checks: [...this.entries.values()].map((e) => e.checkId) };
  }

  override async alarm(): Promise<void> {
    const due = this.timers.takeDue();
    this.timers.rearm();
    const send = new Set<string>();
    for (const timer of due) {
      const at = timer.indexOf(':');
      const kind = timer.slice(0, at);
      const key = timer.slice(at + 1);
      if (kind === 'retry') for (const [k, e] of this.entries) if (e.status !== e.syncedStatus || e.output !== e.syncedOutput) send.add(k);
      if (kind === 'sync' && this.entries.has(key)) send.add(key);
      if (kind === 'ttl' && this.expire(key)) send.add(key);
    }
    if (send.size) await this.report([...send]);
  }

  private expire(key: string): boolean {
    const entry = this.entries.get(key);
    if (!entry || (entry.status === 'critical' && entry.output.startsWith(TTL_EXPIRED))) return false;
    entry.output = entry.output ? `${TTL_EXPIRED} (last output before timeout follows): ${entry.output}` : TTL_EXPIRED;
    entry.status = 'critical';
    saveEntry(this.sql, entry);
    return true;
  }

  /** Sends the current state of `keys` to the Datacenter; on failure, tries again shortly. */
  private async report(keys: string[]): Promise<void> {
    const sent = keys.flatMap((key) => {
      const e = this.entries.get(key);
      return e ? [{ key, update: { checkId: e.checkId, status: e.status, output: e.output } }] : [];
    });
    if (!sent.length) return;
    this.stats.reports++;
    let dropped: string[];
    try {
      ({ dropped } = await this.env.DATACENTER_OBJECT.getByName(this.datacenter).agentShardReport(this.index, sent.map((s) => s.update)));
    } catch (err) {
      console.error(`agent shard ${this.datacenter}/${this.index}: report failed, retrying:`, err);
      this.timers.set(RETRY_TIMER, this.clock.now() + RETRY_MS);
      return;
    }
    for (const { key, update } of sent) {
      this.timers.delete(syncTimer(key));
      const entry = this.entries.get(key);
      if (!entry) continue;
      entry.syncedStatus = update.status;
      entry.syncedOutput = update.output;
      saveEntry(this.sql, entry);
    }
    for (const id of dropped) this.drop(checkKey(id));
  }

  private own(check: ShardCheck, restartTtl: boolean): void {
    const key = checkKey(check.checkId);
    const existing = this.entries.get(key);
    // The catalog's status wins unless this shard holds news the catalog has not heard yet.
    const unsynced = existing && (existing.status !== existing.syncedStatus || existing.output !== existing.syncedOutput);
    const state = unsynced ? { status: existing.status, output: existing.output, syncedStatus: existing.syncedStatus, syncedOutput: existing.syncedOutput }
      : { status: check.status, output: check.output, syncedStatus: check.status, syncedOutput: check.output };
    const entry: ShardEntry = { ...check, ...state };
    if (restartTtl || !existing) this.timers.set(ttlTimer(key), this.clock.now() + check.ttl);
    // A registration sent again unchanged (the common case) writes nothing, so the answer waits for no commit.
    if (existing && sameEntry(existing, entry)) return;
    this.entries.set(key, entry);
    saveEntry(this.sql, entry);
  }

  private drop(key: string): void {
    if (!this.entries.delete(key)) return;
    deleteEntry(this.sql, key);
    this.timers.delete(ttlTimer(key));
    this.timers.delete(syncTimer(key));
  }

  /** Consul defers an output-only sync by half the interval plus a random stagger; here within [interval/2, interval]. */
  private stagger(): number {
    return this.interval / 2 + Math.random() * (this.interval / 2);
  }
}
