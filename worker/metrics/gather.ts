// A datacenter's metrics for one interval, from every registry that holds a share: this isolate's, its
// Datacenter object's and each of its agent shards' (asked in parallel, only for GET /v1/agent/metrics).
import type { MetricsDump } from '../../durable-objects/engine/metrics';
import { allShards } from '../agent-shards';
import type { DatacenterStub, Env } from '../env';
import { workerMetrics } from './registry';

export async function datacenterDumps(env: Env, dc: DatacenterStub, datacenter: string): Promise<MetricsDump[]> {
  const start = workerMetrics.displayedStart();
  const objects = await Promise.all([dc.metricsDump(start), ...allShards(env, datacenter).map((s) => s.metricsDump(start))]);
  return [workerMetrics.dump(start), ...objects];
}
