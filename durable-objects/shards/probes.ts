// An agent shard's HTTP and TCP checks: one run of the probe (agent/checks/http.ts, tcp.ts) and
// Consul's StatusHandler (agent/checks/check.go), which lets a status change only after enough
// consecutive results agree.
import type { CheckRunSpec } from '../../worker/consul/check';
import type { HealthStatus } from '../../worker/consul/common';
import { runHttpCheck } from '../agent/checks/http';
import { runTcpCheck } from '../agent/checks/tcp';

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
