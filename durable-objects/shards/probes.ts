// An agent shard's HTTP and TCP checks: their runs on the shard's timers (`Probes`, a part of
// AgentShard), one run of the probe (agent/checks/http.ts, tcp.ts) and Consul's StatusHandler
// (agent/checks/check.go), which lets a status change only after enough consecutive results agree.
import type { CheckRunSpec } from '../../worker/consul/check';
import type { HealthStatus } from '../../worker/consul/common';
import { runHttpCheck } from '../agent/checks/http';
import { runTcpCheck } from '../agent/checks/tcp';
import type { Clock } from '../engine/clock';
import type { Metrics } from '../engine/metrics';
import type { Timers } from '../engine/timers';
import type { ShardCheck } from './shard-of';
import { runKey } from './shard-store';

export interface Streak {
  successes: number;
  failures: number;
}

export const runProbe = (run: CheckRunSpec): Promise<{ status: HealthStatus; output: string }> =>
  run.HTTP ? runHttpCheck(run) : runTcpCheck(run);

/** Consul's NewStatusHandler starts both counters at their thresholds, so the first result always counts. */
export const freshStreak = (run: CheckRunSpec): Streak => ({ successes: run.SuccessBeforePassing ?? 0, failures: run.FailuresBeforeCritical ?? 0 });

/**
 * One result through Consul's StatusHandler.updateCheck: the status to record, or undefined to keep the
 * current status and output. Warning (HTTP 429) counts as a success, as it does there.
 */
export function judge(streak: Streak, run: CheckRunSpec, status: HealthStatus): HealthStatus | undefined {
  if (status === 'passing' || status === 'warning') {
    streak.successes++;
    streak.failures = 0;
    return streak.successes >= (run.SuccessBeforePassing ?? 0) ? status : undefined;
  }
  streak.failures++;
  streak.successes = 0;
  const critical = run.FailuresBeforeCritical ?? 0;
  if (streak.failures >= critical) return status;
  // FailuresBeforeWarning defaults to FailuresBeforeCritical.
  return streak.failures >= (run.FailuresBeforeWarning ?? critical) ? 'warning' : undefined;
}

export const runTimer = (key: string) => `run:${key}`;

export interface ProbesHost {
  timers: Timers;
  clock: Clock;
  stats: { probes: number };
  /** Counts each run as `beacon.check.runs`. */
  metrics: Pick<Metrics, 'incr'>;
  /** The check as the shard holds it now (it may have been dropped or redefined while a probe ran). */
  current(key: string): ShardCheck | undefined;
  /** A result the counters let through: the shard records it and tells the catalog as it does a heartbeat. */
  record(key: string, status: HealthStatus, output: string): Promise<void> | undefined;
}

export class Probes {
  /** The counters per check, in memory as an agent's are: a shard restart starts them afresh. */
  private readonly streaks = new Map<string, Streak>();

  constructor(private readonly host: ProbesHost) {}

  /** Arms a check's first run at a random point within its Interval (Consul's stagger), with fresh counters. */
  start(key: string, run: CheckRunSpec | undefined, fresh: boolean): void {
    if (!run?.Interval) return this.forget(key);
    if (!fresh && this.host.timers.get(runTimer(key)) !== undefined) return;
    this.streaks.delete(key);
    this.host.timers.set(runTimer(key), this.host.clock.now() + Math.random() * run.Interval);
  }

  forget(key: string): void {
    this.streaks.delete(key);
    this.host.timers.delete(runTimer(key));
  }

  /** One run on the check's Interval, through its counters. */
  async run(key: string): Promise<void> {
    const check = this.host.current(key);
    const run = check?.run;
    if (!run?.Interval) return;
    this.host.timers.set(runTimer(key), this.host.clock.now() + run.Interval);
    this.host.stats.probes++;
    this.host.metrics.incr('beacon.check.runs');
    const result = await runProbe(run);
    // Dropped or redefined while the probe ran: the result belongs to a check that is no more.
    if (runKey(this.host.current(key)) !== runKey(check)) return;
    let streak = this.streaks.get(key);
    if (!streak) this.streaks.set(key, (streak = freshStreak(run)));
    const status = judge(streak, run, result.status);
    if (status) await this.host.record(key, status, result.output);
  }
}
