// The datacenter's virtual agent (Consul's agent/agent.go, one per datacenter): its node kept present,
// its services and checks, TTL heartbeats answered from memory, and the check monitor that runs them.
// A part: it reaches the object only through AgentHost.
import { CHECK_OWNER_CHANGED } from '../../worker/consul/acl';
import { SERF_HEALTH_CHECK_ID } from '../../worker/consul/agent';
import type { CheckSpec, HealthCheck, ServiceEntry } from '../../worker/consul/check';
import type { HealthStatus } from '../../worker/consul/common';
import type { AgentService, NodeService } from '../../worker/consul/service';
import { checkBody, getCheck, setCheckStatus, upsertCheck } from '../catalog/checks';
import { getNode, toNode, upsertNode } from '../catalog/nodes';
import { getService, toNodeService } from '../catalog/services';
import * as q from '../catalog/reads';
import type { Clock } from '../engine/clock';
import { contentHash } from '../engine/content-hash';
import { nodeRow, TABLE_CHECKS, type Tx } from '../engine/indexes';
import type { Metrics } from '../engine/metrics';
import { ok, refuse, type Outcome } from '../engine/outcome';
import type { ReadContext } from '../engine/reads';
import type { Timers } from '../engine/timers';
import { blockUntil, type Watches } from '../engine/watches';
import type { Writer } from '../engine/write-path';
import type { ShardLink } from '../shards/link';
import { forwardHeartbeat } from '../shards/report';
import { CheckMonitor } from './checks/monitor';
import { truncateOutput } from './checks/output';
import * as agent from './writes';

export interface AgentHost {
  sql: SqlStorage;
  read: ReadContext;
  writer: Writer;
  watches: Watches;
  metrics: Metrics;
  timers: Timers;
  clock: Clock;
  node: string;
  address: string;
  /** The agent shards, which then hold the TTL, HTTP and TCP checks' deadlines, heartbeats and runs (durable-objects/shards/). */
  shards?: ShardLink;
}

type TtlCheckState = { checkId: string; status: HealthStatus; output: string; ttl?: number; outputMaxSize?: number; owner: string };

export class Agent {
  readonly monitor: CheckMonitor;
  /** Agent checks as TTL updates need them, so a heartbeat reads no SQL; dropped whenever checks change. */
  private readonly checkCache = new Map<string, TtlCheckState>();

  constructor(private readonly host: AgentHost) {
    this.monitor = new CheckMonitor({ sql: host.sql, agentNode: host.node, now: () => host.clock.now(), write: (fn) => host.writer.write(fn), shards: host.shards }, host.timers);
  }

  /** The write hook: any write to checks drops the heartbeat cache. */
  committed(tx: Tx): void {
    if (tx.touched.has(TABLE_CHECKS)) this.checkCache.clear();
  }

  /** At start-up and after a restore: the agent node present, every check scheduled afresh. */
  start(): void {
    this.ensureNode();
    this.monitor.start();
  }

  info() {
    return { node: toNode(getNode(this.host.sql, this.host.node)!, this.host.read.datacenter), datacenter: this.host.read.datacenter };
  }

  services(): AgentService[] {
    const services = q.catalogNodeServices(this.host.read, this.host.node).read().value?.Services ?? [];
    return services.map((s) => this.agentService(s));
  }

  /** The name of the agent service with this ID (what ACL checks need), without reading the others. */
  serviceName(id: string): string | null {
    return getService(this.host.sql, this.host.node, id)?.service_name ?? null;
  }

  service(id: string, hash: string, waitMs: number): Promise<{ service: AgentService; hash: string } | null> {
    const current = () => {
      const row = getService(this.host.sql, this.host.node, id);
      const service = row && this.agentService(toNodeService(row));
      return service ? { service, hash: contentHash(service) } : null;
    };
    return blockUntil(this.host.watches, [nodeRow(this.host.node)], waitMs, current, (result) => !hash || result?.hash !== hash);
  }

  /** The ACL owner of an agent check (see checkUpdate), or null for an unknown check. */
  checkOwner(checkId: string): string | null {
    return this.ttlCheckState(checkId)?.owner ?? null;
  }

  checks(): HealthCheck[] {
    return q.healthNodeChecks(this.host.read, this.host.node).read().value;
  }

  serviceHealth(by: { id?: string; name?: string }): ServiceEntry[] {
    if (by.id !== undefined) {
      const entry = q.healthServiceInstance(this.host.read, this.host.node, by.id);
      return entry ? [entry] : [];
    }
    if (!by.name) return [];
    return q.healthServiceNodes(this.host.read, by.name).read().value.filter((e) => e.Node.Node.toLowerCase() === this.host.node.toLowerCase());
  }

  async registerService(req: agent.AgentServiceRegisterRequest): Promise<Outcome<null>> {
    const changes = await this.host.writer.writeBatched((tx) => agent.registerService(tx, this.host.node, req));
    await this.applyCheckChanges(changes);
    return ok(null);
  }

  deregisterService(serviceId: string): Promise<Outcome<null>> {
    return this.checkWrite((tx) => agent.deregisterService(tx, this.host.node, serviceId));
  }

  registerCheck(spec: CheckSpec): Promise<Outcome<null>> {
    return this.checkWrite((tx) => agent.registerCheck(tx, this.host.node, spec));
  }

  deregisterCheck(checkId: string): Promise<Outcome<null>> {
    return this.checkWrite((tx) => agent.deregisterCheck(tx, this.host.node, checkId));
  }

  serviceMaintenance(serviceId: string, enable: boolean, reason: string): Outcome<null> {
    return this.host.writer.write((tx) => agent.serviceMaintenance(tx, this.host.node, serviceId, enable, reason));
  }

  nodeMaintenance(enable: boolean, reason: string): Outcome<null> {
    this.host.writer.write((tx) => agent.nodeMaintenance(tx, this.host.node, enable, reason));
    return ok(null);
  }

  /**
   * TTL pass/warn/fail/update. A heartbeat that changes nothing restarts the clock in memory only. `owner`
   * (the fast path with ACLs on) is the service name it authorized, '' for a node check: another refuses.
   */
  async checkUpdate(checkId: string, status: HealthStatus, output: string, owner?: string): Promise<Outcome<null>> {
    this.host.metrics.incr('beacon.datacenter.requests', 1, { kind: 'heartbeat' });
    const check = this.ttlCheckState(checkId);
    if (!check) return refuse(404, `Unknown check ID "${checkId}". Ensure that the check ID is passed, not the check name.`);
    if (owner !== undefined && owner.toLowerCase() !== check.owner.toLowerCase()) return refuse(403, CHECK_OWNER_CHANGED);
    if (!check.ttl) return refuse(500, `CheckID "${checkId}" does not have associated TTL`);
    // With agent shards, this is the fallback for a heartbeat its shard did not own: hand it to the owner.
    if (this.host.shards) return forwardHeartbeat(this.host.shards, check.checkId, status, output);
    this.monitor.heartbeat(check.checkId, check.ttl);
    const text = truncateOutput(output, check.outputMaxSize);
    if (check.status === status && check.output === text) return ok(null);
    this.host.writer.write((tx) => setCheckStatus(tx, this.host.node, check.checkId, status, text));
    this.monitor.trackCritical(getCheck(this.host.sql, this.host.node, check.checkId)!);
    return ok(null);
  }

  /** Like a real agent's anti-entropy, the agent node comes straight back if a write removed it. */
  keepNode(removed: string[]): void {
    if (removed.some((name) => name.toLowerCase() === this.host.node.toLowerCase())) this.ensureNode();
  }

  /** Forgets the monitor's schedules of these checks (a snapshot restore replaces them). */
  untrack(checkIds: string[]): void {
    this.checkCache.clear();
    for (const id of checkIds) this.monitor.untrack(id);
  }

  ensureNode(): void {
    const { node, address } = this.host;
    const existing = getNode(this.host.sql, node);
    const tagged = { lan: address, lan_ipv4: address, wan: address, wan_ipv4: address };
    this.host.writer.write((tx) => {
      upsertNode(tx, { Node: node, ID: existing?.id ?? crypto.randomUUID(), Address: address, TaggedAddresses: tagged, Meta: { 'consul-network-segment': '' } });
      upsertCheck(tx, node, { CheckID: SERF_HEALTH_CHECK_ID, Name: 'Serf Health Status', Notes: '', ServiceID: '', Status: 'passing', Output: 'Agent alive and reachable', Type: '', Run: {} });
      setCheckStatus(tx, node, SERF_HEALTH_CHECK_ID, 'passing', 'Agent alive and reachable');
    });
  }

  private async checkWrite(fn: (tx: Tx) => Outcome<agent.CheckChanges>): Promise<Outcome<null>> {
    const outcome = await this.host.writer.writeBatched(fn);
    if (!outcome.ok) return outcome;
    await this.applyCheckChanges(outcome.value);
    return ok(null);
  }

  /**
   * Tells the shards once the catalog has committed. A removal waits for them, so a heartbeat right after
   * a deregistration is a 404; an addition does not (docs/api.md "Agent shards"): a heartbeat that beats
   * the sync to its shard falls back here and is forwarded with the check, and the sync itself is retried
   * (a failed send, and every start, re-sync the shards from the catalog).
   */
  private applyCheckChanges(changes: agent.CheckChanges): Promise<void> | undefined {
    for (const id of changes.removed) this.monitor.untrack(id);
    for (const id of changes.tracked) this.monitor.track(id);
    return changes.removed.length ? this.host.shards?.settle() : undefined;
  }

  private agentService({ CreateIndex, ModifyIndex, ...s }: NodeService): AgentService {
    return { ...s, Datacenter: this.host.read.datacenter };
  }

  private ttlCheckState(checkId: string): TtlCheckState | undefined {
    const key = checkId.toLowerCase();
    let state = this.checkCache.get(key);
    if (!state) {
      const { sql, node } = this.host;
      const row = getCheck(sql, node, checkId);
      if (!row) return undefined;
      const run = checkBody(row).Run;
      // The ACL owner: the check's service name, or '' for a node check (node:write on the agent node).
      const service = row.service_id
        ? sql.exec<{ service_name: string }>('SELECT service_name FROM services WHERE node = ? AND service_id = ?', node, row.service_id).toArray()[0]
        : undefined;
      state = { checkId: row.check_id, status: row.status, output: row.output, ttl: run.TTL, outputMaxSize: run.OutputMaxSize, owner: service?.service_name ?? '' };
      this.checkCache.set(key, state);
    }
    return state;
  }
}
