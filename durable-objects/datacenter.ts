// The Datacenter Durable Object: one per datacenter, owning its catalog, health checks and indexes in
// SQLite. RPC methods are named after Consul's endpoints and stay thin: store/, queries, watches, timers.
import { DurableObject } from 'cloudflare:workers';
import { SERF_HEALTH_CHECK_ID } from '../worker/consul/agent';
import type { BlockingParams, HealthStatus, Indexed } from '../worker/consul/common';
import type { CheckSpec, HealthCheck, ServiceEntry } from '../worker/consul/check';
import type { PreparedQuery, ServiceQuery } from '../worker/consul/prepared-query';
import type { KvOp } from '../worker/consul/kv';
import type { AgentService, NodeService } from '../worker/consul/service';
import type { Session, SessionCreateRequest } from '../worker/consul/session';
import type { TxnOp, TxnOutcome } from '../worker/consul/txn';
import * as agent from './agent';
import { catalogDeregister, catalogRegister, type CatalogDeregisterRequest, type CatalogRegisterRequest } from './catalog';
import { CheckMonitor } from './checks/monitor';
import { truncateOutput } from './checks/output';
import { Clock } from './clock';
import { contentHash } from './content-hash';
import { Indexes, nodeRow, TABLE_CHECKS, TABLE_NODES, type Tx } from './indexes';
import { applyKvOp } from './kv';
import * as kvq from './kv-queries';
import { LockDelays } from './lock-delays';
import { ok, refuse, type Outcome } from './outcome';
import * as q from './queries';
import { queryNodes } from './query-nodes';
import { migrate } from './schema';
import { checkBody, getCheck, setCheckStatus, upsertCheck } from './store/checks';
import { getNode, upsertNode } from './store/nodes';
import { createSession, destroySession, getSession, listSessions, toSession, unhealthySessions } from './store/sessions';
import * as pq from './store/prepared-queries';
import { Timers } from './timers';
import { txnApply } from './txn';
import { block, Watches } from './watches';

const SESSION_TIMER = 'session:';

export interface DatacenterEnv {
  DATACENTER: string;
  AGENT_NODE: string;
  AGENT_ADDRESS: string;
}

class Rollback extends Error {
  constructor(readonly outcome: Outcome<never>) {
    super(outcome.ok ? '' : outcome.reason);
  }
}

export class Datacenter extends DurableObject<DatacenterEnv> {
  readonly clock = new Clock();
  readonly watches = new Watches();
  readonly lockDelays = new LockDelays();
  readonly stats = { writes: 0, alarmsSet: 0 };
  readonly indexes: Indexes;
  readonly timers: Timers;
  readonly monitor: CheckMonitor;
  private readonly sql: SqlStorage;
  private readonly agentNode: string;
  private readonly read: q.ReadContext;
  /** Agent checks as TTL updates need them, so a heartbeat reads no SQL; dropped whenever checks change. */
  private readonly readCache = new Map<string, Indexed<unknown>>();
  private readCacheIndex = 0;
  private readonly checkCache = new Map<string, { checkId: string; status: HealthStatus; output: string; ttl?: number; outputMaxSize?: number }>();

  constructor(ctx: DurableObjectState, env: DatacenterEnv) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    migrate(this.sql);
    this.indexes = new Indexes(this.sql);
    this.agentNode = env.AGENT_NODE || 'beacon';
    this.read = { sql: this.sql, indexes: this.indexes, datacenter: ctx.id.name ?? env.DATACENTER ?? 'dc1' };
    this.timers = new Timers(ctx.storage, this.clock, this.stats);
    const host = { sql: this.sql, agentNode: this.agentNode, now: () => this.clock.now(), write: <T>(fn: (tx: Tx) => T) => this.write(fn) };
    this.monitor = new CheckMonitor(host, this.timers);
    this.ensureAgentNode(env.AGENT_ADDRESS || '127.0.0.1');
    this.monitor.start();
    // Like a new Consul leader, give every session a full TTL again after a restart.
    for (const row of listSessions(this.sql)) this.scheduleSessionExpiry(row.id, row.ttl_ms);
    void ctx.blockConcurrencyWhile(() => this.timers.restore());
  }

  // ---- agent --------------------------------------------------------------------------------
  agentInfo() {
    return { node: q.catalogNodeServices(this.read, this.agentNode).read().value!.Node, datacenter: this.read.datacenter };
  }

  agentServices(): AgentService[] {
    return this.agentServiceList();
  }

  async agentService(id: string, hash: string, waitMs: number): Promise<{ service: AgentService; hash: string } | null> {
    const current = () => {
      const service = this.agentServiceList().find((s) => s.ID.toLowerCase() === id.toLowerCase());
      return service ? { service, hash: contentHash(service) } : null;
    };
    const deadline = Date.now() + waitMs;
    let result = current();
    while (hash && result?.hash === hash && Date.now() < deadline) {
      await this.watches.wait([nodeRow(this.agentNode)], deadline - Date.now());
      result = current();
    }
    return result;
  }

  agentChecks(): HealthCheck[] {
    return q.healthNodeChecks(this.read, this.agentNode).read().value;
  }

  agentServiceHealth(by: { id?: string; name?: string }): ServiceEntry[] {
    const name = by.name ?? this.agentServiceList().find((s) => s.ID.toLowerCase() === by.id?.toLowerCase())?.Service;
    if (!name) return [];
    const onAgent = q.healthServiceNodes(this.read, name).read().value.filter((e) => e.Node.Node.toLowerCase() === this.agentNode.toLowerCase());
    return by.id ? onAgent.filter((e) => e.Service.ID.toLowerCase() === by.id!.toLowerCase()) : onAgent;
  }

  agentServiceRegister(req: agent.AgentServiceRegisterRequest): Outcome<null> {
    const changes = this.write((tx) => agent.registerService(tx, this.agentNode, req));
    this.applyCheckChanges(changes);
    return ok(null);
  }

  agentServiceDeregister(serviceId: string): Outcome<null> {
    return this.agentWrite((tx) => agent.deregisterService(tx, this.agentNode, serviceId));
  }

  agentCheckRegister(spec: CheckSpec): Outcome<null> {
    return this.agentWrite((tx) => agent.registerCheck(tx, this.agentNode, spec));
  }

  agentCheckDeregister(checkId: string): Outcome<null> {
    return this.agentWrite((tx) => agent.deregisterCheck(tx, this.agentNode, checkId));
  }

  agentServiceMaintenance(serviceId: string, enable: boolean, reason: string): Outcome<null> {
    return this.write((tx) => agent.serviceMaintenance(tx, this.agentNode, serviceId, enable, reason));
  }

  agentNodeMaintenance(enable: boolean, reason: string): Outcome<null> {
    this.write((tx) => agent.nodeMaintenance(tx, this.agentNode, enable, reason));
    return ok(null);
  }

  /** TTL pass/warn/fail/update. A heartbeat that changes nothing restarts the clock in memory only. */
  agentCheckUpdate(checkId: string, status: HealthStatus, output: string): Outcome<null> {
    const check = this.ttlCheckState(checkId);
    if (!check) return refuse(404, `Unknown check ID "${checkId}". Ensure that the check ID is passed, not the check name.`);
    if (!check.ttl) return refuse(500, `CheckID "${checkId}" does not have associated TTL`);
    this.monitor.heartbeat(check.checkId, check.ttl);
    const text = truncateOutput(output, check.outputMaxSize);
    if (check.status === status && check.output === text) return ok(null);
    this.write((tx) => setCheckStatus(tx, this.agentNode, check.checkId, status, text));
    this.monitor.trackCritical(getCheck(this.sql, this.agentNode, check.checkId)!);
    return ok(null);
  }

  // ---- catalog and health -------------------------------------------------------------------
  catalogRegister(req: CatalogRegisterRequest): Outcome<true> {
    return this.write((tx) => catalogRegister(tx, req));
  }

  catalogDeregister(req: CatalogDeregisterRequest): Outcome<true> {
    const outcome = this.write((tx) => catalogDeregister(tx, req));
    // Like a real agent's anti-entropy, the agent node comes straight back if it was removed.
    if (req.Node.toLowerCase() === this.agentNode.toLowerCase()) this.ensureAgentNode(this.env.AGENT_ADDRESS || '127.0.0.1');
    return outcome;
  }

  catalogNodes(p: BlockingParams) {
    return this.blocking(q.catalogNodes(this.read), p);
  }
  catalogAllInstances(p: BlockingParams) {
    return this.blocking(q.catalogAllInstances(this.read), p);
  }
  catalogServiceNodes(name: string, p: BlockingParams) {
    return this.blocking(q.catalogServiceNodes(this.read, name), p);
  }
  catalogNodeServices(node: string, p: BlockingParams) {
    return this.blocking(q.catalogNodeServices(this.read, node), p);
  }
  healthServiceNodes(name: string, p: BlockingParams) {
    return this.blocking(q.healthServiceNodes(this.read, name), p);
  }
  healthNodeChecks(node: string, p: BlockingParams) {
    return this.blocking(q.healthNodeChecks(this.read, node), p);
  }
  healthServiceChecks(name: string, p: BlockingParams) {
    return this.blocking(q.healthServiceChecks(this.read, name), p);
  }
  healthChecksInState(state: string, p: BlockingParams) {
    return this.blocking(q.healthChecksInState(this.read, state), p);
  }

  /** A bare round trip, for benchmarks: touches only memory. */
  ping(): number {
    return this.indexes.current();
  }

  getStats() {
    return { ...this.stats, index: this.indexes.current() };
  }

  override async alarm(): Promise<void> {
    const probes = this.timers.takeDue().map(async (key) => {
      try {
        await (key.startsWith(SESSION_TIMER) ? this.expireSession(key.slice(SESSION_TIMER.length)) : this.monitor.fire(key));
      } catch (err) {
        // One failing deadline must not stop the others or leave the alarm unarmed.
        console.error(`timer ${key} failed:`, err);
      }
    });
    this.timers.rearm();
    await Promise.all(probes);
  }

  // ---- KV, sessions, transactions -----------------------------------------------------------
  kvsGet(key: string, p: BlockingParams) {
    return this.blocking(kvq.kvsGet(this.read, key), p);
  }
  kvsList(prefix: string, p: BlockingParams) {
    return this.blocking(kvq.kvsList(this.read, prefix), p);
  }
  kvsListKeys(prefix: string, separator: string, p: BlockingParams) {
    return this.blocking(kvq.kvsListKeys(this.read, prefix, separator), p);
  }

  /** A PUT or DELETE on /v1/kv: `false` when a cas, acquire or release does not apply. */
  kvsApply(op: KvOp): Outcome<boolean> {
    return this.write((tx) => {
      if (op.Verb === 'lock' && !(op.Session && getSession(tx.sql, op.Session))) return refuse(500, `invalid session "${op.Session ?? ''}"`);
      return ok(applyKvOp(tx, op, this.lockDelays).ok);
    });
  }

  txnApply(ops: TxnOp[]): TxnOutcome {
    return this.write((tx) => txnApply(tx, ops, this.lockDelays, this.read.datacenter));
  }

  sessionCreate(req: SessionCreateRequest): Outcome<string> {
    const id = crypto.randomUUID();
    const outcome = this.write((tx) => createSession(tx, id, { ...req, Node: req.Node || this.agentNode }));
    if (!outcome.ok) return outcome;
    this.scheduleSessionExpiry(id, req.TTLMs);
    return ok(id);
  }

  sessionDestroy(id: string): Outcome<true> {
    this.write((tx) => destroySession(tx, id));
    this.timers.delete(SESSION_TIMER + id.toLowerCase());
    return ok(true);
  }

  /** Restarts the session's TTL; a renewal writes nothing, as in Consul. */
  sessionRenew(id: string): Outcome<Session[]> {
    const row = getSession(this.sql, id);
    if (!row) return refuse(404, `Session id '${id}' not found`);
    this.scheduleSessionExpiry(row.id, row.ttl_ms);
    return ok([toSession(row)]);
  }

  sessionGet(id: string, p: BlockingParams) {
    return this.blocking(kvq.sessionGet(this.read, id), p);
  }
  sessionList(p: BlockingParams) {
    return this.blocking(kvq.sessionList(this.read), p);
  }
  sessionNodeSessions(node: string, p: BlockingParams) {
    return this.blocking(kvq.sessionNodeSessions(this.read, node), p);
  }

  // ---- prepared queries ---------------------------------------------------------------------
  preparedQueryApply(op: pq.PreparedQueryOp, query: PreparedQuery): Outcome<string> {
    return this.write((tx) => pq.preparedQueryApplyTxn(tx, op, query));
  }
  preparedQueryList(p: BlockingParams) {
    return this.blocking(pq.preparedQueryList(this.sql, this.indexes), p);
  }
  preparedQueryGet(id: string, p: BlockingParams) {
    return this.blocking(pq.preparedQueryGet(this.sql, this.indexes, id), p);
  }
  preparedQueryResolve(idOrName: string): PreparedQuery | null {
    return pq.preparedQueryResolve(this.sql, idOrName);
  }
  /** One datacenter's part of an execution; the worker runs failover across datacenters (Consul's ExecuteRemote). */
  preparedQueryExecute(service: ServiceQuery, limit: number): Indexed<{ nodes: ServiceEntry[]; datacenter: string }> {
    const { index, value } = this.sharedRead(q.healthServiceNodes(this.read, service.Service));
    return { index, value: { nodes: queryNodes(value, service, limit), datacenter: this.read.datacenter } };
  }

  // ---- internals ----------------------------------------------------------------------------
  private blocking<T>(query: q.Query<T>, params: BlockingParams): Promise<Indexed<T>> {
    return block(this.watches, params, query.rows, () => this.sharedRead(query));
  }

  /** Reads made at the same raft index are identical: the watchers one write wakes share one run. */
  private sharedRead<T>(query: q.Query<T>): Indexed<T> {
    const index = this.indexes.current();
    if (this.readCacheIndex !== index) {
      this.readCache.clear();
      this.readCacheIndex = index;
    }
    let result = this.readCache.get(query.key) as Indexed<T> | undefined;
    if (!result) this.readCache.set(query.key, (result = query.read()));
    return result;
  }

  /** Runs `fn` in one SQLite transaction; a refusal it returns rolls everything back. */
  private write<T>(fn: (tx: Tx) => T): T {
    const tx = this.indexes.begin(this.clock.now());
    let result: T;
    try {
      result = this.ctx.storage.transactionSync(() => {
        const r = fn(tx);
        if (r && typeof r === 'object' && 'ok' in r && r.ok === false) throw new Rollback(r as unknown as Outcome<never>);
        // A check gone critical or missing, or a node gone, ends the sessions tied to it in the same write.
        if (tx.touched.has(TABLE_CHECKS) || tx.touched.has(TABLE_NODES)) for (const id of unhealthySessions(tx.sql)) destroySession(tx, id);
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

  /** Consul arms a session's timer for twice its TTL, as grace for clients renewing late. */
  private scheduleSessionExpiry(id: string, ttlMs: number): void {
    if (ttlMs > 0) this.timers.set(SESSION_TIMER + id, this.clock.now() + 2 * ttlMs);
  }

  private expireSession(id: string): void {
    this.write((tx) => destroySession(tx, id));
  }

  private agentWrite(fn: (tx: Tx) => Outcome<agent.CheckChanges>): Outcome<null> {
    const outcome = this.write(fn);
    if (!outcome.ok) return outcome;
    this.applyCheckChanges(outcome.value);
    return ok(null);
  }

  private applyCheckChanges(changes: agent.CheckChanges): void {
    for (const id of changes.removed) this.monitor.untrack(id);
    for (const id of changes.tracked) this.monitor.track(id);
  }

  private ttlCheckState(checkId: string) {
    const key = checkId.toLowerCase();
    let state = this.checkCache.get(key);
    if (!state) {
      const row = getCheck(this.sql, this.agentNode, checkId);
      if (!row) return undefined;
      const run = checkBody(row).Run;
      state = { checkId: row.check_id, status: row.status, output: row.output, ttl: run.TTL, outputMaxSize: run.OutputMaxSize };
      this.checkCache.set(key, state);
    }
    return state;
  }

  private agentServiceList(): AgentService[] {
    const services = q.catalogNodeServices(this.read, this.agentNode).read().value?.Services ?? [];
    return services.map(({ CreateIndex, ModifyIndex, ...s }: NodeService) => ({ ...s, Datacenter: this.read.datacenter }));
  }

  private ensureAgentNode(address: string): void {
    const existing = getNode(this.sql, this.agentNode);
    const tagged = { lan: address, lan_ipv4: address, wan: address, wan_ipv4: address };
    this.write((tx) => {
      upsertNode(tx, { Node: this.agentNode, ID: existing?.id ?? crypto.randomUUID(), Address: address, TaggedAddresses: tagged, Meta: { 'consul-network-segment': '' } });
      upsertCheck(tx, this.agentNode, { CheckID: SERF_HEALTH_CHECK_ID, Name: 'Serf Health Status', Notes: '', ServiceID: '', Status: 'passing', Output: 'Agent alive and reachable', Type: '', Run: {} });
      setCheckStatus(tx, this.agentNode, SERF_HEALTH_CHECK_ID, 'passing', 'Agent alive and reachable');
    });
  }
}
