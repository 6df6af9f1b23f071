// The Datacenter Durable Object: one per datacenter, owning its catalog, health checks, KV, sessions,
// prepared queries and ACLs in SQLite. It builds the parts (engine/ and one folder per noun), hands
// each a narrow host (what it really uses: sql, the writer, clock, timers, watches), and answers RPC
// in one line per Consul endpoint. The alarm serves every part's deadlines. See README.md.
import { DurableObject } from 'cloudflare:workers';
import type { ResolvedToken } from '../worker/consul/acl';
import type { CheckSpec, HealthCheck, ServiceEntry } from '../worker/consul/check';
import type { BlockingParams, HealthStatus, Indexed } from '../worker/consul/common';
import type { UserEvent, UserEventFire } from '../worker/consul/event';
import type { KvOp } from '../worker/consul/kv';
import type { PreparedQuery, ServiceQuery } from '../worker/consul/prepared-query';
import type { AgentService } from '../worker/consul/service';
import type { Session, SessionCreateRequest } from '../worker/consul/session';
import type { TxnOp, TxnOutcome } from '../worker/consul/txn';
import type { HealthSelection } from '../worker/http/health-selection';
import { aclQuery, aclWriteTxn, expandToken, tokenOfSecret, type AclRead, type AclWrite } from './acl/acl';
import { bootstrapIndex } from './acl/tokens';
import { Agent } from './agent/agent';
import type { AgentServiceRegisterRequest } from './agent/writes';
import * as json from './catalog/json-answers';
import * as q from './catalog/reads';
import * as uiq from './catalog/ui-reads';
import { ServiceTags } from './catalog/service-tags';
import { catalogDeregister, catalogRegister, type CatalogDeregisterRequest, type CatalogRegisterRequest } from './catalog/writes';
import { AnswerTexts } from './engine/answer-texts';
import { Clock } from './engine/clock';
import { datacenterName } from './engine/datacenter-name';
import { Indexes } from './engine/indexes';
import { Metrics, type MetricsDump } from './engine/metrics';
import type { Outcome } from './engine/outcome';
import { Reads, type ReadContext } from './engine/reads';
import { migrate } from './engine/schema';
import { stateGauges } from './engine/state-gauges';
import { Timers } from './engine/timers';
import { Watches } from './engine/watches';
import { WritePath } from './engine/write-path';
import type { DatacenterEnv } from './env';
import type { AgentShard } from './shards/agent-shard';
import { ShardLink } from './shards/link';
import { applyShardReport } from './shards/report';
import { shardCount, shardLocationHint, type ShardUpdate } from './shards/shard-of';
import { LockDelays } from './kv/lock-delays';
import * as kvq from './kv/reads';
import { Replica, REPLICATION_TIMER, replicationPlan } from './kv/replication';
import { TOMBSTONE_TIMER, TombstoneReaper } from './kv/tombstones';
import { kvsApply } from './kv/writes';
import { preparedQueryExecute } from './prepared-queries/nodes';
import * as pq from './prepared-queries/table';
import * as sq from './sessions/reads';
import { SESSION_TIMER, Sessions } from './sessions/sessions';
import { Snapshots } from './snapshot/snapshots';
import { txnApply, txnRemovesNode } from './txn';
import { fireUserEvent, listUserEvents } from './user-events';

export class Datacenter extends DurableObject<DatacenterEnv<Datacenter, AgentShard>> {
  readonly clock = new Clock();
  readonly watches = new Watches();
  readonly lockDelays = new LockDelays();
  readonly stats = { writes: 0, alarmsSet: 0, writeBatches: 0 };
  /** This object's counters and samples (engine/metrics.ts), read by GET /v1/agent/metrics. */
  readonly metrics = new Metrics();
  readonly indexes: Indexes;
  readonly timers: Timers;
  readonly writer: WritePath;
  readonly reads: Reads;
  /** Answer texts shared by readers and watchers, per variant and index (engine/answer-texts.ts). */
  readonly answers: AnswerTexts;
  readonly agent: Agent;
  /** `/v1/catalog/services`' name → tags, refreshed per service written (catalog/service-tags.ts). */
  readonly serviceTags: ServiceTags;
  /** The agent shards' link, when the AGENT_SHARD binding exists (durable-objects/shards/). */
  readonly shards?: ShardLink;
  readonly sessions: Sessions;
  readonly replica: Replica;
  private readonly sql: SqlStorage;
  private readonly read: ReadContext;
  private readonly tombstones: TombstoneReaper;
  private readonly snapshots: Snapshots;
  /** What the catalog's shared-text reads use (catalog/json-answers.ts). */
  private readonly json: json.JsonAnswersContext;

  constructor(ctx: DurableObjectState, env: DatacenterEnv<Datacenter, AgentShard>) {
    super(ctx, env);
    const sql = (this.sql = ctx.storage.sql);
    migrate(sql);
    const { clock, watches, metrics, stats } = this;
    const indexes = (this.indexes = new Indexes(sql));
    const datacenter = datacenterName(ctx, env.DATACENTER ?? 'dc1');
    const node = env.AGENT_NODE || 'beacon';
    this.read = { sql, indexes, datacenter };
    const timers = (this.timers = new Timers(ctx.storage, clock, stats));
    const writer = (this.writer = new WritePath({ transactionSync: (fn) => ctx.storage.transactionSync(fn), indexes, clock, watches, metrics, stats }));
    this.reads = new Reads({ indexes, watches, metrics });
    const shards = (this.shards = env.AGENT_SHARD
      ? new ShardLink({ sql, storage: ctx.storage, agentNode: node, datacenter, namespace: env.AGENT_SHARD, count: shardCount(env), locationHint: shardLocationHint(env.FEDERATION, datacenter) })
      : undefined);
    this.answers = new AnswerTexts({ indexes, generation: () => watches.abandoned });
    this.agent = new Agent({ sql, read: this.read, writer, watches, metrics, timers, clock, node, address: env.AGENT_ADDRESS || '127.0.0.1', shards });
    this.sessions = new Sessions({ sql, indexes, writer, timers, clock, metrics, node });
    writer.hook(this.agent);
    writer.hook((this.serviceTags = new ServiceTags({ sql, generation: () => watches.abandoned })));
    writer.hook(this.sessions);
    writer.hook({ committed: (tx) => this.lockDelays.apply(tx.lockDelays) });
    this.tombstones = new TombstoneReaper({ sql, timers, clock });
    this.snapshots = new Snapshots({ sql, indexes, writer, watches, clock, datacenter, node, agent: this.agent, sessions: this.sessions, shards });
    this.json = { read: this.read, reads: this.reads, answers: this.answers, serviceTags: this.serviceTags };
    this.agent.start();
    this.sessions.start();
    this.tombstones.start();
    const primaryList = async (primary: string, prefix: string) => (await env.DATACENTER_OBJECT.getByName(primary).kvsList(prefix, { minIndex: 0, waitMs: 0 })).value;
    this.replica = new Replica(replicationPlan(env.FEDERATION, datacenter), { timers, clock, write: (fn) => writer.write(fn), primaryList });
    void ctx.blockConcurrencyWhile(() => timers.restore());
  }

  override async alarm(): Promise<void> {
    const earliest = this.timers.earliest();
    if (earliest !== undefined) this.metrics.sample('beacon.alarm.lag', Math.max(0, this.clock.now() - earliest));
    await this.timers.fireDue((key) => this.fire(key));
  }

  /** Each timer key names its part by prefix; the rest are the agent's checks (`reap:`; `ttl:`, `run:` without shards). */
  private fire(key: string): Promise<void> | void {
    const kind = key.slice(0, key.indexOf(':') + 1 || key.length);
    this.metrics.incr('beacon.timers.fired', 1, { kind: kind.replace(/:$/, '') });
    if (kind === 'run:') this.metrics.incr('beacon.check.runs');
    if (key.startsWith(SESSION_TIMER)) return this.sessions.expire(key.slice(SESSION_TIMER.length));
    if (key === REPLICATION_TIMER) return this.replica.pull();
    if (key === TOMBSTONE_TIMER) return this.tombstones.reap();
    return this.agent.monitor.fire(key);
  }

  // ---- agent (agent/) -------------------------------------------------------------------------
  agentInfo() { return this.agent.info(); }
  agentServices(): AgentService[] { return this.agent.services(); }
  agentService(id: string, hash: string, waitMs: number) { return this.agent.service(id, hash, waitMs); }
  /** The name of one agent service, or null: what ACL checks of agent writes need (worker/acl/permissions.ts). */
  agentServiceName(id: string): string | null { return this.agent.serviceName(id); }
  /** The ACL owner of an agent check (see agentCheckUpdate), or null for an unknown check. */
  agentCheckOwner(checkId: string): string | null { return this.agent.checkOwner(checkId); }
  agentChecks(): HealthCheck[] { return this.agent.checks(); }
  agentServiceHealth(by: { id?: string; name?: string }): ServiceEntry[] { return this.agent.serviceHealth(by); }
  agentServiceRegister(req: AgentServiceRegisterRequest): Promise<Outcome<null>> { return this.agent.registerService(req); }
  agentServiceDeregister(serviceId: string): Promise<Outcome<null>> { return this.agent.deregisterService(serviceId); }
  agentCheckRegister(spec: CheckSpec): Promise<Outcome<null>> { return this.agent.registerCheck(spec); }
  agentCheckDeregister(checkId: string): Promise<Outcome<null>> { return this.agent.deregisterCheck(checkId); }
  agentServiceMaintenance(serviceId: string, enable: boolean, reason: string): Outcome<null> { return this.agent.serviceMaintenance(serviceId, enable, reason); }
  agentNodeMaintenance(enable: boolean, reason: string): Outcome<null> { return this.agent.nodeMaintenance(enable, reason); }
  /** TTL pass/warn/fail/update; `owner` is what the ACL fast path authorized (agent/agent.ts checkUpdate). */
  agentCheckUpdate(checkId: string, status: HealthStatus, output: string, owner?: string): Promise<Outcome<null>> { return this.agent.checkUpdate(checkId, status, output, owner); }
  /** Status (and synced output) changes of TTL, HTTP and TCP checks from an agent shard, through the one write path (shards/report.ts). */
  agentShardReport(shard: number, updates: ShardUpdate[]): { dropped: string[] } {
    this.metrics.incr('beacon.datacenter.requests', 1, { kind: 'shard-report' });
    return applyShardReport(this.shards, this.agent.monitor, this.sql, this.env.AGENT_NODE || 'beacon', shard, updates, (fn) => this.writer.write(fn));
  }

  // ---- catalog and health (catalog/) ----------------------------------------------------------
  catalogRegister(req: CatalogRegisterRequest): Promise<Outcome<true>> {
    return this.metrics.timed('consul.catalog.register', this.writer.writeBatched((tx) => catalogRegister(tx, req)));
  }
  catalogDeregister(req: CatalogDeregisterRequest): Promise<Outcome<true>> {
    const written = this.metrics.timed('consul.catalog.deregister', this.writer.writeBatched((tx) => catalogDeregister(tx, req)));
    return written.then((outcome) => (this.agent.keepNode([req.Node]), outcome));
  }
  catalogNodes(p: BlockingParams) { return this.reads.blocking(q.catalogNodes(this.read), p); }
  catalogAllInstances(p: BlockingParams) { return this.reads.blocking(q.catalogAllInstances(this.read), p); }
  /** `/v1/catalog/services` without `?filter`/`?node-meta`: name → tags from the per-service aggregate. */
  catalogServicesIndex(p: BlockingParams) { return this.reads.blockingIndex(q.catalogServices(this.read, this.serviceTags), p); }
  /** Its text, built once per index of the services table: a read is then a copy. */
  catalogServicesJson(pretty: boolean) { return json.catalogServicesJson(this.json, pretty); }
  catalogServiceNodes(name: string, p: BlockingParams) { return this.reads.blocking(q.catalogServiceNodes(this.read, name), p); }
  catalogNodeServices(node: string, p: BlockingParams) { return this.reads.blocking(q.catalogNodeServices(this.read, node), p); }
  healthServiceNodes(name: string, p: BlockingParams) { return this.reads.blocking(q.healthServiceNodes(this.read, name), p); }
  /** For watches (worker/http/shared-answers.ts): wait for a change, then fetch the text once per index. */
  healthServiceNodesIndex(name: string, p: BlockingParams) { return this.reads.blockingIndex(q.healthServiceNodes(this.read, name), p); }
  /** The text of one selection (none: the whole list), built once per index of the service's rows. */
  healthServiceNodesJson(name: string, selection?: HealthSelection) { return json.healthServiceNodesJson(this.json, name, selection); }
  healthNodeChecks(node: string, p: BlockingParams) { return this.reads.blocking(q.healthNodeChecks(this.read, node), p); }
  healthServiceChecks(name: string, p: BlockingParams) { return this.reads.blocking(q.healthServiceChecks(this.read, name), p); }
  healthChecksInState(state: string, p: BlockingParams) { return this.reads.blocking(q.healthChecksInState(this.read, state), p); }
  /** `/v1/internal/ui/*`: every node with its services and checks, or one node. */
  uiNodes(p: BlockingParams) { return this.reads.blocking(uiq.uiNodes(this.read), p); }
  uiNode(node: string, p: BlockingParams) { return this.reads.blocking(uiq.uiNode(this.read, node), p); }
  /** The UI summaries as text, once per (catalog index, filter); the worker validated the filter. */
  uiNodesIndex(p: BlockingParams) { return this.reads.blockingIndex(uiq.uiNodes(this.read), p); }
  uiServicesJson(filter: string, pretty: boolean) { return json.uiServicesJson(this.json, filter, pretty); }
  uiNodesJson(filter: string, pretty: boolean) { return json.uiNodesJson(this.json, filter, pretty); }

  // ---- the object itself -----------------------------------------------------------------------
  /** A bare round trip, for benchmarks: touches only memory. */
  ping(): number { return this.indexes.current(); }
  /** This object's metrics for the interval starting at `start` (worker/routes/metrics.ts merges them). */
  metricsDump(start: number): MetricsDump { return this.metrics.dump(start, stateGauges(this.sql, { 'beacon.blocking_queries.held': this.watches.held })); }
  /** `requests`: RPCs that read, write or heartbeat (what the agent shards are meant to spare this object). */
  getStats() { return { ...this.stats, requests: this.metrics.counterTotal('beacon.datacenter.requests'), index: this.indexes.current() }; }

  // ---- KV and transactions (kv/, txn.ts); KV reads in a fresh secondary wait for its first pull ----
  async kvsGet(key: string, p: BlockingParams) { await this.replica.caughtUp(); return this.reads.blocking(kvq.kvsGet(this.read, key), p); }
  async kvsList(prefix: string, p: BlockingParams) { await this.replica.caughtUp(); return this.reads.blocking(kvq.kvsList(this.read, prefix), p); }
  /** For watches (worker/cache/kv-watch-fast-path.ts): a key's (or with `recurse` a prefix's) index once it passes `p.minIndex`. */
  async kvsIndex(key: string, recurse: boolean, p: BlockingParams) { await this.replica.caughtUp(); return this.reads.blockingIndex<unknown>(recurse ? kvq.kvsList(this.read, key) : kvq.kvsGet(this.read, key), p); }
  async kvsListKeys(prefix: string, separator: string, p: BlockingParams) { await this.replica.caughtUp(); return this.reads.blocking(kvq.kvsListKeys(this.read, prefix, separator), p); }
  /** A PUT or DELETE on /v1/kv: `false` when a cas, acquire or release does not apply. */
  kvsApply(op: KvOp): Promise<Outcome<boolean>> { return this.metrics.timed('consul.kvs.apply', this.writer.writeBatched((tx) => kvsApply(tx, op, this.lockDelays))); }
  /** As after a catalog deregistration, the agent node comes straight back if the transaction removed it. */
  txnApply(ops: TxnOp[]): Promise<TxnOutcome> {
    const written = this.metrics.timed('consul.txn.apply', this.writer.writeBatched((tx) => txnApply(tx, ops, this.lockDelays, this.read.datacenter)));
    return written.then((outcome) => (outcome.ok && this.agent.keepNode(txnRemovesNode(ops)), outcome));
  }

  // ---- sessions (sessions/) ----------------------------------------------------------------------
  sessionCreate(req: SessionCreateRequest): Promise<Outcome<string>> { return this.sessions.create(req); }
  sessionDestroy(id: string): Promise<Outcome<true>> { return this.sessions.destroy(id); }
  sessionRenew(id: string): Outcome<Session[]> { return this.sessions.renew(id); }
  sessionGet(id: string, p: BlockingParams) { return this.reads.blocking(sq.sessionGet(this.read, id), p); }
  sessionList(p: BlockingParams) { return this.reads.blocking(sq.sessionList(this.read), p); }
  sessionNodeSessions(node: string, p: BlockingParams) { return this.reads.blocking(sq.sessionNodeSessions(this.read, node), p); }

  // ---- user events (user-events.ts) --------------------------------------------------------------
  eventFire(fire: UserEventFire): UserEvent { return fireUserEvent(this.sql, this.watches, fire); }
  eventList(name: string, minIndex: string, waitMs: number): Promise<{ index: string; value: UserEvent[] }> { return listUserEvents(this.sql, this.watches, name, minIndex, waitMs); }

  // ---- ACLs (tokens, policies, roles; acl/) -------------------------------------------------------
  aclWrite(op: AclWrite, managementRules: string): Promise<Outcome<unknown>> { return this.writer.writeBatched((tx) => aclWriteTxn(tx, op, managementRules)); }
  aclRead(op: AclRead, p: BlockingParams) { return this.reads.blocking(aclQuery(this.sql, this.indexes, op, () => this.clock.now()), p); }
  /** Whether a first management token exists (bootstrap, or the initial management token). */
  aclBootstrapped(): boolean { return bootstrapIndex(this.sql) !== undefined; }
  /** The token holding `secret` and what applies to it in `dc`; null for an unknown, expired or other-datacenter secret. */
  aclResolve(secret: string, dc: string): ResolvedToken | null { const token = tokenOfSecret(this.sql, secret, this.clock.now(), dc); return token && expandToken(this.sql, token, dc); }

  // ---- prepared queries (prepared-queries/) --------------------------------------------------------
  preparedQueryApply(op: pq.PreparedQueryOp, query: PreparedQuery): Outcome<string> { return this.writer.write((tx) => pq.preparedQueryApplyTxn(tx, op, query)); }
  preparedQueryList(p: BlockingParams) { return this.reads.blocking(pq.preparedQueryList(this.sql, this.indexes), p); }
  preparedQueryGet(id: string, p: BlockingParams) { return this.reads.blocking(pq.preparedQueryGet(this.sql, this.indexes, id), p); }
  preparedQueryResolve(idOrName: string): Outcome<PreparedQuery | null> { return pq.preparedQueryResolve(this.sql, idOrName); }
  /** One datacenter's part of an execution; the worker runs failover across datacenters (Consul's ExecuteRemote). */
  preparedQueryExecute(service: ServiceQuery, limit: number): Indexed<{ nodes: ServiceEntry[]; datacenter: string }> { return preparedQueryExecute(this.json, service, limit); }

  // ---- snapshots (snapshot/) ------------------------------------------------------------------------
  /** The whole state as a Beacon snapshot file, at the index it was read at. */
  snapshotSave(): Promise<Outcome<{ index: number; file: Uint8Array<ArrayBuffer> }>> { return this.snapshots.save(); }
  /** All or nothing: a file that fails to decode, verify or fit changes nothing. */
  snapshotRestore(file: Uint8Array): Promise<Outcome<number>> { return this.snapshots.restore(file); }
}

export type { DatacenterEnv };
