// Save and restore as a part (GET/PUT /v1/snapshot): the whole state at one index, and an all-or-nothing
// restore after which the watchers are answered, the agent's checks and the session timers start afresh.
import type { Agent } from '../agent/agent';
import { listChecksOnNode } from '../catalog/checks';
import type { Clock } from '../engine/clock';
import type { Indexes } from '../engine/indexes';
import { ok, refuse, type Outcome } from '../engine/outcome';
import type { Watches } from '../engine/watches';
import type { Writer } from '../engine/write-path';
import type { Sessions } from '../sessions/sessions';
import type { ShardLink } from '../shards/link';
import { decodeSnapshot, encodeSnapshot, MAX_SNAPSHOT_BYTES } from './format';
import { dumpTables, restoreTables } from './tables';

export interface SnapshotsHost {
  sql: SqlStorage;
  indexes: Indexes;
  writer: Writer;
  watches: Watches;
  clock: Clock;
  datacenter: string;
  node: string;
  agent: Pick<Agent, 'untrack' | 'start'>;
  sessions: Pick<Sessions, 'ids' | 'forget' | 'start'>;
  /** The agent shards' link, when there are shards: rebuilt from the restored catalog. */
  shards?: Pick<ShardLink, 'rebuild' | 'settle'>;
}

export class Snapshots {
  constructor(private readonly host: SnapshotsHost) {}

  /** The whole state as a Beacon snapshot file, at the index it was read at. */
  async save(): Promise<Outcome<{ index: number; file: Uint8Array<ArrayBuffer> }>> {
    const { indexes, datacenter, clock, sql } = this.host;
    const index = indexes.current();
    const file = await encodeSnapshot({ datacenter, index, createdAt: new Date(clock.now()).toISOString() }, dumpTables(sql));
    // A file no restore would take is refused here rather than handed out.
    if (file.length > MAX_SNAPSHOT_BYTES) return refuse(500, `snapshot is ${file.length} bytes, more than the ${MAX_SNAPSHOT_BYTES} a restore takes`);
    return ok({ index, file });
  }

  /** All or nothing: a file that fails to decode, verify or fit changes nothing. Timers start afresh, as after a restart. */
  async restore(file: Uint8Array): Promise<Outcome<number>> {
    const outcome = await this.restoreTables(file);
    // Every shard again from the restored catalog, every TTL afresh, as after a restart.
    this.host.shards?.rebuild(true);
    await this.host.shards?.settle();
    return outcome;
  }

  private async restoreTables(file: Uint8Array): Promise<Outcome<number>> {
    const { sql, indexes, datacenter, agent, sessions } = this.host;
    const decoded = await decodeSnapshot(file);
    if (!decoded.ok) return refuse(400, decoded.reason);
    const { header, body } = decoded.value;
    if (header.datacenter.toLowerCase() !== datacenter.toLowerCase()) {
      return refuse(400, `snapshot is of datacenter "${header.datacenter}", not "${datacenter}"`);
    }
    const oldChecks = listChecksOnNode(sql, this.host.node).map((r) => r.check_id);
    const oldSessions = sessions.ids();
    const outcome = this.host.writer.write((tx) => restoreTables(tx, indexes, body, header.index));
    if (!outcome.ok) return outcome;
    this.host.watches.abandon();
    agent.untrack(oldChecks);
    sessions.forget(oldSessions);
    sessions.start();
    agent.start();
    return ok(indexes.current());
  }
}
