// Runs the agent node's checks: DeregisterCriticalServiceAfter, and (only without agent shards, which
// otherwise run them: durable-objects/shards/) TTL expiry and HTTP/TCP probes on their Interval with
// Consul's success/failure thresholds. All deadlines go through Timers.
import type { HealthStatus } from '../../../worker/consul/common';
import type { Tx } from '../../engine/indexes';
import type { Timers } from '../../engine/timers';
import { checkBody, checkIdsOfService, getCheck, listChecksOnNode, setCheckStatus, type CheckBody, type CheckRow } from '../../catalog/checks';
import { deleteService } from '../../catalog/services';
import { runHttpCheck } from './http';
import { runTcpCheck } from './tcp';

/** Consul raises DeregisterCriticalServiceAfter below a minute to a minute. */
export const MIN_DEREGISTER_AFTER_MS = 60_000;
export const TTL_EXPIRED = 'TTL expired';

export interface MonitorHost {
  sql: SqlStorage;
  agentNode: string;
  now(): number;
  write<T>(fn: (tx: Tx) => T): T;
  /** Where TTL deadlines and HTTP/TCP runs live instead of here (the agent shards, durable-objects/shards/link.ts), if anywhere. */
  shards?: { track(row: CheckRow): void; untrack(checkId: string): void; rebuild(): void };
}

const key = (kind: 'ttl' | 'run' | 'reap', checkId: string) => `${kind}:${checkId.toLowerCase()}`;

export class CheckMonitor {
  private readonly streaks = new Map<string, { successes: number; failures: number }>();

  constructor(private readonly host: MonitorHost, private readonly timers: Timers) {}

  /** At start-up every check is scheduled afresh: TTLs get a full TTL rather than flapping critical. */
  start(): void {
    this.host.shards?.rebuild();
    for (const row of listChecksOnNode(this.host.sql, this.host.agentNode)) this.track(row.check_id);
  }

  /** (Re)schedules a check after it was registered or changed; forgets it if it is gone. */
  track(checkId: string): void {
    const row = getCheck(this.host.sql, this.host.agentNode, checkId);
    if (!row) return this.untrack(checkId);
    const { Run } = checkBody(row);
    const now = this.host.now();
    if (this.host.shards) this.host.shards.track(row);
    else if (Run.TTL) this.timers.set(key('ttl', checkId), now + Run.TTL);
    else if (Run.Interval && (Run.HTTP || Run.TCP) && this.timers.get(key('run', checkId)) === undefined) {
      this.timers.set(key('run', checkId), now + Math.random() * Run.Interval);
    }
    this.trackCritical(row);
  }

  untrack(checkId: string): void {
    for (const kind of ['ttl', 'run', 'reap'] as const) this.timers.delete(key(kind, checkId));
    this.host.shards?.untrack(checkId);
    this.streaks.delete(checkId.toLowerCase());
  }

  /** A TTL update: the clock restarts whether or not anything else changed. */
  heartbeat(checkId: string, ttlMs: number): void {
    this.timers.set(key('ttl', checkId), this.host.now() + ttlMs);
  }

  trackCritical(row: CheckRow): void {
    const after = checkBody(row).Run.DeregisterCriticalServiceAfter;
    if (!after || row.status !== 'critical' || row.critical_since === null || !row.service_id) {
      return this.timers.delete(key('reap', row.check_id));
    }
    this.timers.set(key('reap', row.check_id), row.critical_since + Math.max(after, MIN_DEREGISTER_AFTER_MS));
  }

  /** Handles one due deadline; returns a promise for probes so the alarm can re-arm first. */
  fire(timerKey: string): Promise<void> | void {
    const [kind, ...rest] = timerKey.split(':');
    const checkId = rest.join(':');
    const row = getCheck(this.host.sql, this.host.agentNode, checkId);
    if (!row) return this.untrack(checkId);
    const body = checkBody(row);
    if (kind === 'ttl') return this.expireTtl(row);
    if (kind === 'reap') return this.reap(row, body);
    if (kind === 'run' && body.Run.Interval) {
      this.timers.set(key('run', checkId), this.host.now() + body.Run.Interval);
      return this.probe(row.check_id, body);
    }
  }

  private expireTtl(row: CheckRow): void {
    if (row.status === 'critical' && row.output.startsWith(TTL_EXPIRED)) return;
    const output = row.output ? `${TTL_EXPIRED} (last output before timeout follows): ${row.output}` : TTL_EXPIRED;
    this.setStatus(row.check_id, 'critical', output);
  }

  private reap(row: CheckRow, body: CheckBody): void {
    const after = Math.max(body.Run.DeregisterCriticalServiceAfter ?? 0, MIN_DEREGISTER_AFTER_MS);
    if (row.status !== 'critical' || row.critical_since === null) return;
    if (row.critical_since + after > this.host.now()) return this.trackCritical(row);
    const removed = checkIdsOfService(this.host.sql, this.host.agentNode, row.service_id);
    this.host.write((tx) => deleteService(tx, this.host.agentNode, row.service_id));
    for (const id of removed) this.untrack(id);
  }

  private async probe(checkId: string, body: CheckBody): Promise<void> {
    const result = body.Run.HTTP ? await runHttpCheck(body.Run) : await runTcpCheck(body.Run);
    const streak = this.streaks.get(checkId.toLowerCase()) ?? { successes: 0, failures: 0 };
    this.streaks.set(checkId.toLowerCase(), streak);
    // Consul's StatusHandler: a status only changes after enough consecutive results agree.
    if (result.status === 'passing') {
      streak.successes++;
      streak.failures = 0;
      if (streak.successes >= (body.Run.SuccessBeforePassing ?? 0)) this.setStatus(checkId, 'passing', result.output);
      return;
    }
    streak.failures++;
    streak.successes = 0;
    const critical = body.Run.FailuresBeforeCritical ?? 0;
    const warning = body.Run.FailuresBeforeWarning ?? critical;
    if (streak.failures >= critical) this.setStatus(checkId, result.status, result.output);
    else if (streak.failures >= warning) this.setStatus(checkId, 'warning', result.output);
  }

  private setStatus(checkId: string, status: HealthStatus, output: string): void {
    const changed = this.host.write((tx) => setCheckStatus(tx, this.host.agentNode, checkId, status, output));
    const row = changed && getCheck(this.host.sql, this.host.agentNode, checkId);
    if (row) this.trackCritical(row);
  }
}
