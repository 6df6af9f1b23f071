// The Datacenter's side of the agent shards: which shard owns a check, and telling shards what the catalog
// now holds. Registrations and removals are batched per shard and sent after the write (settle() waits for
// them); a start, a snapshot restore or a failed send re-syncs every shard from the catalog (replace), so
// the catalog stays the one source of truth and a shard can always be rebuilt from it.
import { checkBody, getCheck, listChecksOnNode, type CheckRow } from '../catalog/checks';
import { getService, listServicesOnNode } from '../catalog/services';
import type { AgentShard } from './agent-shard';
import { shardCheckKind, shardName, shardOf, type ShardCheck, type ShardSync } from './shard-of';

const RETRY_MS = 1000;
/** Set once this Datacenter has given any shard a check: from then on a re-sync covers every shard. */
const USED_KEY = 'agent-shards-used';

export interface ShardLinkHost {
  sql: SqlStorage;
  storage: DurableObjectStorage;
  agentNode: string;
  datacenter: string;
  namespace: DurableObjectNamespace<AgentShard>;
  count: number;
  /** Where the datacenter's own object lives (FEDERATION), so its shards are created near it. */
  locationHint?: DurableObjectLocationHint;
}

export class ShardLink {
  /** Per shard, the check IDs (by lowercased key) to send again as the catalog has them now. */
  private outbox = new Map<number, Map<string, string>>();
  private rebuilding = false;
  private restartTtls = false;
  private scheduled = false;
  private chain: Promise<void> = Promise.resolve();
  private used = false;

  constructor(private readonly host: ShardLinkHost) {}

  /** A TTL, HTTP or TCP check registered or changed (the monitor's track). */
  track(row: CheckRow): void {
    this.enqueue(row.check_id);
  }

  /** A check removed, or no longer one a shard runs. */
  untrack(checkId: string): void {
    this.enqueue(checkId);
  }

  /** Every shard again from the catalog, e.g. after a start or a restore (`restartTtls`: every TTL afresh). */
  rebuild(restartTtls = false): void {
    this.restartTtls ||= restartTtls;
    this.rebuilding = true;
    this.outbox.clear();
    this.schedule();
  }

  owner(checkId: string): number {
    return shardOf(checkId, this.host.count);
  }

  stub(index: number): DurableObjectStub<AgentShard> {
    const { locationHint } = this.host;
    return this.host.namespace.getByName(shardName(this.host.datacenter, index), locationHint ? { locationHint } : undefined);
  }

  /** The shard's view of a check as the catalog has it now; undefined if it is gone or not a shard's. */
  checkOf(checkId: string): ShardCheck | undefined {
    const row = getCheck(this.host.sql, this.host.agentNode, checkId);
    const service = row?.service_id ? getService(this.host.sql, this.host.agentNode, row.service_id) : undefined;
    return row && this.toShardCheck(row, new Map(service ? [[service.service_id.toLowerCase(), service.service_name]] : []));
  }

  /** Resolves once every change queued so far has been sent (or has failed and is queued for a retry). */
  settle(): Promise<void> {
    this.scheduled = false;
    return (this.chain = this.chain.then(() => this.flush()));
  }

  private enqueue(checkId: string): void {
    if (this.rebuilding) return;
    const shard = this.owner(checkId);
    let batch = this.outbox.get(shard);
    if (!batch) this.outbox.set(shard, (batch = new Map()));
    batch.set(checkId.toLowerCase(), checkId);
    this.schedule();
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setTimeout(() => this.scheduled && void this.settle(), 0);
  }

  private async flush(): Promise<void> {
    // Taken before any await: what is queued meanwhile goes with the next flush.
    const [rebuild, outbox, restartTtl] = [this.rebuilding, this.outbox, this.restartTtls];
    this.rebuilding = this.restartTtls = false;
    this.outbox = new Map();
    const batches = rebuild ? await this.replaceAll(restartTtl) : this.changes(outbox);
    if (!batches.length) return;
    if (!this.used && !(await this.host.storage.get(USED_KEY))) await this.host.storage.put(USED_KEY, true);
    this.used = true;
    const results = await Promise.allSettled(batches.map(([index, msg]) => this.stub(index).sync(msg)));
    const failed = results.filter((r) => r.status === 'rejected');
    if (!failed.length) return;
    console.error(`agent shards of ${this.host.datacenter}: ${failed.length} sync(s) failed, re-syncing:`, (failed[0] as PromiseRejectedResult).reason);
    setTimeout(() => this.rebuild(), RETRY_MS);
  }

  /** The queued checks only: a registration costs the same however many checks the catalog holds. */
  private changes(outbox: Map<number, Map<string, string>>): [number, ShardSync][] {
    return [...outbox].map(([index, ids]) => {
      const msg: ShardSync = { replace: false, own: [], drop: [] };
      for (const id of ids.values()) {
        const check = this.checkOf(id);
        if (check) msg.own.push(check);
        else msg.drop.push(id);
      }
      return [index, msg];
    });
  }

  private async replaceAll(restartTtl: boolean): Promise<[number, ShardSync][]> {
    const names = this.serviceNames();
    const byShard = new Map<number, ShardCheck[]>();
    for (const row of listChecksOnNode(this.host.sql, this.host.agentNode)) {
      const check = this.toShardCheck(row, names);
      if (!check) continue;
      const index = this.owner(check.checkId);
      let list = byShard.get(index);
      if (!list) byShard.set(index, (list = []));
      list.push(check);
    }
    // A Datacenter that never used its shards has none to empty.
    const every = (await this.host.storage.get(USED_KEY)) ? [...Array(this.host.count).keys()] : [...byShard.keys()];
    return every.map((index) => [index, { replace: true, restartTtl, own: byShard.get(index) ?? [], drop: [] }]);
  }

  private serviceNames(): Map<string, string> {
    return new Map(listServicesOnNode(this.host.sql, this.host.agentNode).map((s) => [s.service_id.toLowerCase(), s.service_name]));
  }

  private toShardCheck(row: CheckRow, names: Map<string, string>): ShardCheck | undefined {
    const { Run } = checkBody(row);
    const kind = shardCheckKind(Run);
    if (!kind) return undefined;
    const owner = row.service_id ? (names.get(row.service_id.toLowerCase()) ?? '') : '';
    const how = kind === 'ttl' ? { ttl: Run.TTL } : { run: Run };
    return { checkId: row.check_id, owner, ...how, outputMaxSize: Run.OutputMaxSize, status: row.status, output: row.output };
  }
}
