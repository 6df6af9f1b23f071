// GET /v1/agent/metrics: this worker isolate's metrics merged with its Datacenter object's and agent shards'
// (metrics/gather.ts), as Consul's JSON summary of the last finished 10 s interval, or as Prometheus text
// (agent/agent_endpoint.go AgentMetrics).
import { Hono } from 'hono';
import type { AppEnv } from '../env';
import { endpoint } from '../http/endpoint';
import { json } from '../http/meta';
import { datacenterDumps } from '../metrics/gather';
import { PROMETHEUS_CONTENT_TYPE, prometheusText } from '../metrics/prometheus';
import { summary } from '../metrics/summary';

export const metrics = new Hono<AppEnv>();

/** Consul's triggers: `?format=prometheus`, OpenMetrics, or `text/plain; version=0.4.0` (sic) in Accept. */
function wantsPrometheus(format: string | undefined, accept: string): boolean {
  return format === 'prometheus' || accept.includes('application/openmetrics-text') || /text\/plain;\s*version=0\.4\.0/.test(accept);
}

endpoint(metrics, ['GET'], '/metrics', async (c) => {
  const dumps = await datacenterDumps(c.env, c.var.dc, c.var.dcName);
  if (wantsPrometheus(c.req.query('format'), c.req.header('accept') ?? '')) {
    return c.body(prometheusText(dumps), 200, { 'Content-Type': PROMETHEUS_CONTENT_TYPE });
  }
  return json(c, summary(dumps));
});
