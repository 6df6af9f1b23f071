// The Datacenter object's machinery, beneath its RPC methods: state and start-up, the one write path
// (SQLite transaction, rollback on refusal, session sweep, index publish, wake-ups), shared blocking
// reads, and the alarm that serves every deadline.
import { DurableObject } from 'cloudflare:workers';
import { SERF_HEALTH_CHECK_ID } from '../worker/consul/agent';
import type { BlockingParams, HealthStatus, Indexed } from '../worker/consul/common';
import type { AgentService, NodeService } from '../worker/consul/service';
import type * as agent from './agent';
import { CheckMonitor } from './checks/monitor';
import { Clock } from './clock';
import { datacenterName } from './datacenter-name';
import { Indexes, TABLE_CHECKS, TABLE_NODES, TABLE_SESSIONS, type Tx } from './indexes';
import { LockDelays } from './lock-delays';
import { Metrics } from './metrics';
import { ok, type Outcome } from './outcome';
import * as q from './queries';
import { migrate } from './schema';
import { checkBody, getCheck, setCheckStatus, upsertCheck } from './store/checks';
import { getNode, upsertNode } from './store/nodes';
import { reapTombstones, TOMBSTONE_TTL_MS } from './store/kv';
import { destroySession, listSessions, unhealthySessions } from './store/sessions';
import { Replica, REPLICATION_TIMER, replicationPlan } from './replication';
import { Timers } from './timers';
import type { Datacenter } from './datacenter';
import { block, Watches } from './watches';

export const SESSION_TIMER = 'session:';
const TOMBSTONE_TIMER = 'reap-tombstones:';

export interface DatacenterEnv {
  DATACENTER: string;
  AGENT_NODE: string;
  AGENT_ADDRESS: string;
  DATACENTER_OBJECT: DurableObjectNamespace<Datacenter>;
  /** The datacenters (JSON, see worker/federation/config.ts); absent means one, named DATACENTER. */
  FEDERATION?: unknown;
}

class Rollback extends Error {
  constructor(readonly outcome: Outcome<never>) {
    super(outcome.ok ? '' : outcome.reason);
  }
}

export abstract class DatacenterCore extends DurableObject<DatacenterEnv> {
  readonly clock = new Clock();
  readonly watches = new Watches();
  readonly lockDelays = new LockDelays();
  readonly stats = { writes: 0, alarmsSet: 0, writeBatches: 0 };
  /** This object's counters and samples (durable-objects/metrics.ts), read by GET /v1/agent/metrics. */
  readonly metrics = new Metrics();
  readonly indexes: Indexes;
  readonly timers: Timers;
  readonly monitor: CheckMonitor;
  protected readonly sql: SqlStorage;
  protected readonly agentNode: string;
  protected readonly read: q.ReadContext;
  /** Agent checks as TTL updates need them, so a heartbeat reads no SQL; dropped whenever checks change. */
  protected readonly readCache = new Map<string, Indexed<unknown>>();
  protected readCacheIndex = 0;
  readonly replica: Replica;
  private pendingWrites: (() => void)[] | null = null;
  protected readonly checkCache = new Map<string, { checkId: string; status: HealthStatus; output: string; ttl?: number; outputMaxSize?: number; owner: string }>();

  constructor(ctx: DurableObjectState, env: DatacenterEnv) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    migrate(this.sql);
    this.indexes = new Indexes(this.sql);
    this.agentNode = env.AGENT_NODE || 'beacon';
    this.read = { sql: this.sql, indexes: this.indexes, datacenter: datacenterName(ctx, env.DATACENTER ?? 'dc1') };
    this.timers = new Timers(ctx.storage, this.clock, this.stats);
    const host = { sql: this.sql, agentNode: this.agentNode, now: () => this.clock.now(), write: <T>(fn: (tx: Tx) => T) => this.write(fn) };
    this.monitor = new CheckMonitor(host, this.timers);
    this.ensureAgentNode(env.AGENT_ADDRESS || '127.0.0.1');
    this.monitor.start();
    // Like a new Consul leader, give every session a full TTL again after a restart.
    for (const row of listSessions(this.sql)) this.scheduleSessionExpiry(row.id, row.ttl_ms);
    this.timers.set(TOMBSTONE_TIMER, this.clock.now() + TOMBSTONE_TTL_MS);
    this.replica = new Replica(replicationPlan(env.FEDERATION, this.read.datacenter), this.timers, this.clock, env.DATACENTER_OBJECT, (fn) => this.write(fn));
    void ctx.blockConcurrencyWhile(() => this.timers.restore());
  }

  override async alarm(): Promise<void> {
    const earliest = this.timers.earliest();
    if (earliest !== undefined) this.metrics.sample('beacon.alarm.lag', Math.max(0, this.clock.now() - earliest));
    const probes = this.timers.takeDue().map(async (key) => {
      try {
        await this.fire(key);
      } catch (err) {
        // One failing deadline must not stop the others or leave the alarm unarmed.
        console.error(`timer ${key} failed:`, err);
      }
    });
    this.timers.rearm();
    await Promise.all(probes);
  }

  private fire(key: string): Promise<void> | void {
    const kind = key.slice(0, key.indexOf(':') + 1 || key.length);
    this.metrics.incr('beacon.timers.fired', 1, { kind: kind.replace(/:$/, '') });
    if (kind === 'run:') this.metrics.incr('beacon.check.runs');
    if (key.startsWith(SESSION_TIMER)) return this.expireSession(key.slice(SESSION_TIMER.length));
    if (key === REPLICATION_TIMER) return this.replica.pull();
    if (key === TOMBSTONE_TIMER) return this.reapTombstones();
    return this.monitor.fire(key);
  }

  protected blocking<T>(query: q.Query<T>, params: BlockingParams): Promise<Indexed<T>> {
    this.metrics.incr('beacon.datacenter.requests', 1, { kind: 'read' });
    if (params.minIndex > 0) this.metrics.incr('consul.rpc.query');
    return block(this.watches, params, query.rows, () => this.sharedRead(query));
  }

  private reapTombstones(): void {
    const now = this.clock.now();
    this.timers.set(TOMBSTONE_TIMER, now + TOMBSTONE_TTL_MS);
    reapTombstones(this.sql, now - TOMBSTONE_TTL_MS);
  }

  /** A read as the JSON text the worker would send: every reader at one index shares one serialisation. */
  protected sharedJson<T>(query: q.Query<T>): Indexed<string> {
    return this.sharedRead<string>({
      key: `json:${query.key}`,
      rows: query.rows,
      read: () => {
        const { index, value } = this.sharedRead(query);
        return { index, value: JSON.stringify(value) };
      },
    });
  }

  /** Blocks like `blocking` but answers only the index: the worker fetches the answer once per index. */
  protected async blockingIndex<T>(query: q.Query<T>, params: BlockingParams): Promise<number> {
    return (await block(this.watches, params, query.rows, () => ({ index: this.sharedRead(query).index, value: null }))).index;
  }

  /** Reads made at the same raft index are identical: the watchers one write wakes share one run. */
  protected sharedRead<T>(query: q.Query<T>): Indexed<T> {
    const index = this.indexes.current();
    if (this.readCacheIndex !== index) {
      this.readCache.clear();
      this.readCacheIndex = index;
    }
    let result = this.readCache.get(query.key) as Indexed<T> | undefined;
    if (!result) this.readCache.set(query.key, (result = query.read()));
    return result;
  }

  /**
   * `write`, but applied together with the other writes that arrive before the next macrotask: the object
   * commits to disk once per event, so a batch costs one commit instead of one each (group commit). Every
   * write still takes its own index, and its answer still leaves only once the batch is durable. Used by the
   * writes clients send (registrations, KV, transactions, sessions); timers and heartbeats write at once.
   */
  protected writeBatched<T>(fn: (tx: Tx) => T): Promise<T> {
    this.metrics.incr('beacon.datacenter.requests', 1, { kind: 'write' });
    return new Promise<T>((resolve, reject) => {
      if (!this.pendingWrites) {
        this.pendingWrites = [];
        setTimeout(() => this.flushWrites(), 0);
      }
      this.pendingWrites.push(() => {
        try {
          resolve(this.write(fn));
        } catch (err) {
          reject(err);
        }
      });
    });
  }

  private flushWrites(): void {
    const writes = this.pendingWrites ?? [];
    this.pendingWrites = null;
    this.stats.writeBatches++;
    for (const apply of writes) apply();
  }

  /** Runs `fn` in one SQLite transaction; a refusal it returns rolls everything back. */
  protected write<T>(fn: (tx: Tx) => T): T {
    const tx = this.indexes.begin(this.clock.now());
    let result: T;
    try {
      result = this.ctx.storage.transactionSync(() => {
        const r = fn(tx);
        if (r && typeof r === 'object' && 'ok' in r && r.ok === false) throw new Rollback(r as unknown as Outcome<never>);
        // A check gone critical or missing, or a node gone, ends the sessions tied to it in the same write
        // (no query at all while no session was ever created).
        if (this.indexes.get(TABLE_SESSIONS) && (tx.touched.has(TABLE_CHECKS) || tx.touched.has(TABLE_NODES))) {
          for (const id of unhealthySessions(tx.sql)) destroySession(tx, id);
        }
        this.indexes.commit(tx);
        return r;
      });
    } catch (err) {
      if (err instanceof Rollback) return err.outcome as T;
      throw err;
    }
    if (tx.touched.size) {
      if (tx.touched.has(TABLE_CHECKS)) this.checkCache.clear();
      this.stats.writes++;
      this.indexes.publish(tx);
      this.lockDelays.apply(tx.lockDelays);
      this.watches.notify(tx.touched, tx.changedKeys);
    }
    return result;
  }

  /** Measures `run` in ms under `name` (Consul's MeasureSince around an endpoint). */
  protected async timed<T>(name: string, run: Promise<T>): Promise<T> {
    const started = Date.now();
    try {
      return await run;
    } finally {
      this.metrics.sample(name, Date.now() - started);
    }
  }

  /** Consul arms a session's timer for twice its TTL, as grace for clients renewing late. */
  protected scheduleSessionExpiry(id: string, ttlMs: number): void {
    if (ttlMs > 0) this.timers.set(SESSION_TIMER + id, this.clock.now() + 2 * ttlMs);
  }

  protected expireSession(id: string): void {
    const started = Date.now();
    this.write((tx) => destroySession(tx, id));
    this.metrics.sample('consul.session_ttl.invalidate', Date.now() - started);
  }

  protected async agentWrite(fn: (tx: Tx) => Outcome<agent.CheckChanges>): Promise<Outcome<null>> {
    const outcome = await this.writeBatched(fn);
    if (!outcome.ok) return outcome;
    this.applyCheckChanges(outcome.value);
    return ok(null);
  }

  protected applyCheckChanges(changes: agent.CheckChanges): void {
    for (const id of changes.removed) this.monitor.untrack(id);
    for (const id of changes.tracked) this.monitor.track(id);
  }

  protected ttlCheckState(checkId: string) {
    const key = checkId.toLowerCase();
    let state = this.checkCache.get(key);
    if (!state) {
      const row = getCheck(this.sql, this.agentNode, checkId);
      if (!row) return undefined;
      const run = checkBody(row).Run;
      // The ACL owner: the check's service name, or '' for a node check (node:write on the agent node).
      const service = row.service_id
        ? this.sql.exec<{ service_name: string }>('SELECT service_name FROM services WHERE node = ? AND service_id = ?', this.agentNode, row.service_id).toArray()[0]
        : undefined;
      state = { checkId: row.check_id, status: row.status, output: row.output, ttl: run.TTL, outputMaxSize: run.OutputMaxSize, owner: service?.service_name ?? '' };
      this.checkCache.set(key, state);
    }
    return state;
  }

  protected agentServiceList(): AgentService[] {
    const services = q.catalogNodeServices(this.read, this.agentNode).read().value?.Services ?? [];
    return services.map(({ CreateIndex, ModifyIndex, ...s }: NodeService) => ({ ...s, Datacenter: this.read.datacenter }));
  }

  protected ensureAgentNode(address: string): void {
    const existing = getNode(this.sql, this.agentNode);
    const tagged = { lan: address, lan_ipv4: address, wan: address, wan_ipv4: address };
    this.write((tx) => {
      upsertNode(tx, { Node: this.agentNode, ID: existing?.id ?? crypto.randomUUID(), Address: address, TaggedAddresses: tagged, Meta: { 'consul-network-segment': '' } });
      upsertCheck(tx, this.agentNode, { CheckID: SERF_HEALTH_CHECK_ID, Name: 'Serf Health Status', Notes: '', ServiceID: '', Status: 'passing', Output: 'Agent alive and reachable', Type: '', Run: {} });
      setCheckStatus(tx, this.agentNode, SERF_HEALTH_CHECK_ID, 'passing', 'Agent alive and reachable');
    });
  }
}
