// The Datacenter Durable Object: one per datacenter, owning its catalog, health checks and indexes in
// SQLite. RPC methods are named after Consul's endpoints and stay thin: store/, queries, watches, timers;
// the write path, blocking reads and the alarm live in DatacenterCore.
import type { BlockingParams, HealthStatus, Indexed } from '../worker/consul/common';
import type { CheckSpec, HealthCheck, ServiceEntry } from '../worker/consul/check';
import type { UserEvent, UserEventFire } from '../worker/consul/event';
import type { NodeInfo } from '../worker/consul/ui';
import type { KvOp } from '../worker/consul/kv';
import type { PreparedQuery, ServiceQuery } from '../worker/consul/prepared-query';
import type { AgentService } from '../worker/consul/service';
import type { Session, SessionCreateRequest } from '../worker/consul/session';
import type { TxnOp, TxnOutcome } from '../worker/consul/txn';
import { CHECK_OWNER_CHANGED, type ResolvedToken } from '../worker/consul/acl';
import { summariseServices, uiInstances } from '../worker/consul/ui';
import { applyFilter } from '../worker/http/filter';
import { answerJson, selectEntries, selectionKey, type HealthSelection } from '../worker/http/health-selection';
import { aclQuery, aclWriteTxn, expandToken, tokenOfSecret, type AclRead, type AclWrite } from './acl/acl';
import { bootstrapIndex } from './acl/tokens';
import * as agent from './agent';
import { catalogDeregister, catalogRegister, type CatalogDeregisterRequest, type CatalogRegisterRequest } from './catalog';
import { truncateOutput } from './checks/output';
import { AnswerTexts } from './answer-texts';
import { contentHash } from './content-hash';
import { DatacenterCore, SESSION_TIMER } from './datacenter-core';
import { nodeRow } from './indexes';
import type { MetricsDump } from './metrics';
import { stateGauges } from './state-gauges';
import { applyKvOp } from './kv';
import * as kvq from './kv-queries';
import { ok, refuse, type Outcome } from './outcome';
import * as q from './queries';
import * as uiq from './ui-queries';
import { queryNodes } from './query-nodes';
import { decodeSnapshot, encodeSnapshot, MAX_SNAPSHOT_BYTES } from './snapshot/format';
import { dumpTables, restoreTables } from './snapshot/tables';
import { getCheck, listChecksOnNode, setCheckStatus } from './store/checks';
import { createSession, destroySession, getSession, listSessions, toSession } from './store/sessions';
import * as pq from './store/prepared-queries';
import { txnApply } from './txn';
import { blockUntil } from './watches';
import { fireUserEvent, listUserEvents } from './user-events';

export type { DatacenterEnv } from './datacenter-core';

export class Datacenter extends DatacenterCore {
  /** Answer texts shared by readers and watchers, per variant and index (durable-objects/answer-texts.ts). */
  readonly answers = new AnswerTexts(this.indexes, () => this.watches.abandoned);

  // ---- agent --------------------------------------------------------------------------------
  agentInfo() {
    return { node: q.catalogNodeServices(this.read, this.agentNode).read().value!.Node, datacenter: this.read.datacenter };
  }

  agentServices(): AgentService[] {
    return this.agentServiceList();
  }

  agentService(id: string, hash: string, waitMs: number): Promise<{ service: AgentService; hash: string } | null> {
    const current = () => {
      const service = this.agentServiceList().find((s) => s.ID.toLowerCase() === id.toLowerCase());
      return service ? { service, hash: contentHash(service) } : null;
    };
    return blockUntil(this.watches, [nodeRow(this.agentNode)], waitMs, current, (result) => !hash || result?.hash !== hash);
  }

  /** The ACL owner of an agent check (see agentCheckUpdate), or null for an unknown check. */
  agentCheckOwner(checkId: string): string | null {
    return this.ttlCheckState(checkId)?.owner ?? null;
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

  async agentServiceRegister(req: agent.AgentServiceRegisterRequest): Promise<Outcome<null>> {
    const changes = await this.writeBatched((tx) => agent.registerService(tx, this.agentNode, req));
    this.applyCheckChanges(changes);
    return ok(null);
  }

  agentServiceDeregister(serviceId: string): Promise<Outcome<null>> {
    return this.agentWrite((tx) => agent.deregisterService(tx, this.agentNode, serviceId));
  }

  agentCheckRegister(spec: CheckSpec): Promise<Outcome<null>> {
    return this.agentWrite((tx) => agent.registerCheck(tx, this.agentNode, spec));
  }

  agentCheckDeregister(checkId: string): Promise<Outcome<null>> {
    return this.agentWrite((tx) => agent.deregisterCheck(tx, this.agentNode, checkId));
  }

  agentServiceMaintenance(serviceId: string, enable: boolean, reason: string): Outcome<null> {
    return this.write((tx) => agent.serviceMaintenance(tx, this.agentNode, serviceId, enable, reason));
  }

  agentNodeMaintenance(enable: boolean, reason: string): Outcome<null> {
    this.write((tx) => agent.nodeMaintenance(tx, this.agentNode, enable, reason));
    return ok(null);
  }

  /**
   * TTL pass/warn/fail/update. A heartbeat that changes nothing restarts the clock in memory only. `owner`
   * (the fast path with ACLs on) is the service name it authorized, '' for a node check: another refuses.
   */
  agentCheckUpdate(checkId: string, status: HealthStatus, output: string, owner?: string): Outcome<null> {
    this.metrics.incr('beacon.datacenter.requests', 1, { kind: 'heartbeat' });
    const check = this.ttlCheckState(checkId);
    if (!check) return refuse(404, `Unknown check ID "${checkId}". Ensure that the check ID is passed, not the check name.`);
    if (owner !== undefined && owner.toLowerCase() !== check.owner.toLowerCase()) return refuse(403, CHECK_OWNER_CHANGED);
    if (!check.ttl) return refuse(500, `CheckID "${checkId}" does not have associated TTL`);
    this.monitor.heartbeat(check.checkId, check.ttl);
    const text = truncateOutput(output, check.outputMaxSize);
    if (check.status === status && check.output === text) return ok(null);
    this.write((tx) => setCheckStatus(tx, this.agentNode, check.checkId, status, text));
    this.monitor.trackCritical(getCheck(this.sql, this.agentNode, check.checkId)!);
    return ok(null);
  }

  // ---- catalog and health -------------------------------------------------------------------
  catalogRegister(req: CatalogRegisterRequest): Promise<Outcome<true>> {
    return this.timed('consul.catalog.register', this.writeBatched((tx) => catalogRegister(tx, req)));
  }

  async catalogDeregister(req: CatalogDeregisterRequest): Promise<Outcome<true>> {
    const outcome = await this.timed('consul.catalog.deregister', this.writeBatched((tx) => catalogDeregister(tx, req)));
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
  /** For unfiltered watches (worker/http/shared-answers.ts): wait for a change, then fetch the text once per index. */
  healthServiceNodesIndex(name: string, p: BlockingParams) {
    return this.blockingIndex(q.healthServiceNodes(this.read, name), p);
  }
  /** The text of one selection (none: the whole list), built once per index of the service's rows. */
  healthServiceNodesJson(name: string, selection?: HealthSelection) {
    const query = q.healthServiceNodes(this.read, name);
    const build = (entries: ServiceEntry[]) => (selection ? answerJson(selectEntries(entries, selection), selection.pretty) : JSON.stringify(entries));
    return this.answers.text(query, selection ? selectionKey(selection) : '', () => this.sharedRead(query), build);
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

  /** `/v1/internal/ui/*`: every node with its services and checks, or one node. */
  uiNodes(p: BlockingParams) {
    return this.blocking(uiq.uiNodes(this.read), p);
  }
  /** The UI summaries as text, once per (index of the catalog, filter): the worker validated the filter. */
  uiNodesIndex(p: BlockingParams) {
    return this.blockingIndex(uiq.uiNodes(this.read), p);
  }
  uiServicesJson(filter: string, pretty: boolean) {
    const query = uiq.uiNodes(this.read);
    const build = (nodes: NodeInfo[]) => answerJson(summariseServices(applyFilter(filter, uiInstances(nodes)), this.read.datacenter), pretty);
    return this.answers.text(query, `services\u0000${pretty}\u0000${filter}`, () => this.sharedRead(query), build);
  }
  uiNodesJson(filter: string, pretty: boolean) {
    const query = uiq.uiNodes(this.read);
    const build = (nodes: NodeInfo[]) => answerJson(applyFilter(filter, nodes), pretty);
    return this.answers.text(query, `nodes\u0000${pretty}\u0000${filter}`, () => this.sharedRead(query), build);
  }
  uiNode(node: string, p: BlockingParams) {
    return this.blocking(uiq.uiNode(this.read, node), p);
  }

  /** A bare round trip, for benchmarks: touches only memory. */
  ping(): number {
    return this.indexes.current();
  }

  /** This object's metrics for the interval starting at `start` (worker/routes/metrics.ts merges them). */
  metricsDump(start: number): MetricsDump {
    return this.metrics.dump(start, stateGauges(this.sql, { 'beacon.blocking_queries.held': this.watches.held }));
  }

  getStats() {
    return { ...this.stats, index: this.indexes.current() };
  }


  // ---- KV, sessions, transactions -----------------------------------------------------------
  async kvsGet(key: string, p: BlockingParams) {
    await this.replica.caughtUp();
    return this.blocking(kvq.kvsGet(this.read, key), p);
  }
  async kvsList(prefix: string, p: BlockingParams) {
    await this.replica.caughtUp();
    return this.blocking(kvq.kvsList(this.read, prefix), p);
  }
  async kvsListKeys(prefix: string, separator: string, p: BlockingParams) {
    await this.replica.caughtUp();
    return this.blocking(kvq.kvsListKeys(this.read, prefix, separator), p);
  }

  /** A PUT or DELETE on /v1/kv: `false` when a cas, acquire or release does not apply. */
  kvsApply(op: KvOp): Promise<Outcome<boolean>> {
    return this.timed('consul.kvs.apply', this.writeBatched((tx) => {
      if (op.Verb === 'lock' && !(op.Session && getSession(tx.sql, op.Session))) return refuse(500, `invalid session "${op.Session ?? ''}"`);
      return ok(applyKvOp(tx, op, this.lockDelays, false).ok);
    }));
  }

  async txnApply(ops: TxnOp[]): Promise<TxnOutcome> {
    const outcome = await this.timed('consul.txn.apply', this.writeBatched((tx) => txnApply(tx, ops, this.lockDelays, this.read.datacenter)));
    // As after a catalog deregistration, the agent node comes straight back if the transaction removed it.
    const agent = this.agentNode.toLowerCase();
    if (outcome.ok && ops.some((op) => 'Node' in op && op.Node.Verb.startsWith('delete') && op.Node.Node.toLowerCase() === agent)) {
      this.ensureAgentNode(this.env.AGENT_ADDRESS || '127.0.0.1');
    }
    return outcome;
  }

  async sessionCreate(req: SessionCreateRequest): Promise<Outcome<string>> {
    const id = crypto.randomUUID();
    const outcome = await this.timed('consul.session.apply', this.writeBatched((tx) => createSession(tx, id, { ...req, Node: req.Node || this.agentNode })));
    if (!outcome.ok) return outcome;
    this.scheduleSessionExpiry(id, req.TTLMs);
    return ok(id);
  }

  async sessionDestroy(id: string): Promise<Outcome<true>> {
    await this.timed('consul.session.apply', this.writeBatched((tx) => destroySession(tx, id)));
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

  // ---- user events ---------------------------------------------------------------------------
  eventFire(fire: UserEventFire): UserEvent {
    return fireUserEvent(this.sql, this.watches, fire);
  }
  eventList(name: string, minIndex: string, waitMs: number): Promise<{ index: string; value: UserEvent[] }> {
    return listUserEvents(this.sql, this.watches, name, minIndex, waitMs);
  }

  // ---- ACLs (tokens, policies, roles; durable-objects/acl/) ------------------------------------
  aclWrite(op: AclWrite, managementRules: string): Promise<Outcome<unknown>> {
    return this.writeBatched((tx) => aclWriteTxn(tx, op, managementRules));
  }
  aclRead(op: AclRead, p: BlockingParams) {
    return this.blocking(aclQuery(this.sql, this.indexes, op, () => this.clock.now()), p);
  }
  /** Whether a first management token exists (bootstrap, or the initial management token). */
  aclBootstrapped(): boolean {
    return bootstrapIndex(this.sql) !== undefined;
  }
  /** The token holding `secret` and what applies to it in `dc`; null for an unknown, expired or other-datacenter secret. */
  aclResolve(secret: string, dc: string): ResolvedToken | null {
    const token = tokenOfSecret(this.sql, secret, this.clock.now(), dc);
    return token && expandToken(this.sql, token, dc);
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
  preparedQueryResolve(idOrName: string): Outcome<PreparedQuery | null> {
    return pq.preparedQueryResolve(this.sql, idOrName);
  }
  /** One datacenter's part of an execution; the worker runs failover across datacenters (Consul's ExecuteRemote). */
  preparedQueryExecute(service: ServiceQuery, limit: number): Indexed<{ nodes: ServiceEntry[]; datacenter: string }> {
    const { index, value } = this.sharedRead(q.healthServiceNodes(this.read, service.Service));
    return { index, value: { nodes: queryNodes(value, service, limit), datacenter: this.read.datacenter } };
  }

  // ---- snapshots (durable-objects/snapshot/) -------------------------------------------------
  /** The whole state as a Beacon snapshot file, at the index it was read at. */
  async snapshotSave(): Promise<Outcome<{ index: number; file: Uint8Array<ArrayBuffer> }>> {
    const index = this.indexes.current();
    const file = await encodeSnapshot({ datacenter: this.read.datacenter, index, createdAt: new Date(this.clock.now()).toISOString() }, dumpTables(this.sql));
    // A file no restore would take is refused here rather than handed out.
    if (file.length > MAX_SNAPSHOT_BYTES) return refuse(500, `snapshot is ${file.length} bytes, more than the ${MAX_SNAPSHOT_BYTES} a restore takes`);
    return ok({ index, file });
  }

  /** All or nothing: a file that fails to decode, verify or fit changes nothing. Timers start afresh, as after a restart. */
  async snapshotRestore(file: Uint8Array): Promise<Outcome<number>> {
    const decoded = await decodeSnapshot(file);
    if (!decoded.ok) return refuse(400, decoded.reason);
    const { header, body } = decoded;
    if (header.datacenter.toLowerCase() !== this.read.datacenter.toLowerCase()) {
      return refuse(400, `snapshot is of datacenter "${header.datacenter}", not "${this.read.datacenter}"`);
    }
    const oldChecks = listChecksOnNode(this.sql, this.agentNode).map((r) => r.check_id);
    const oldSessions = listSessions(this.sql).map((r) => r.id);
    const outcome = this.write((tx) => restoreTables(tx, this.indexes, body, header.index));
    if (!outcome.ok) return outcome;
    this.watches.abandon();
    this.checkCache.clear();
    for (const id of oldChecks) this.monitor.untrack(id);
    for (const id of oldSessions) this.timers.delete(SESSION_TIMER + id);
    this.monitor.start();
    for (const row of listSessions(this.sql)) this.scheduleSessionExpiry(row.id, row.ttl_ms);
    this.ensureAgentNode(this.env.AGENT_ADDRESS || '127.0.0.1');
    return ok(this.indexes.current());
  }
}
