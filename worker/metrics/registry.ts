// This isolate's metrics: one registry per worker isolate (deployed, many isolates answer and each counts
// only what it served; locally there is one). Recording is an in-memory increment, nothing else.
import type { MiddlewareHandler } from 'hono';
import { type Labels, Metrics, seriesKey } from '../../durable-objects/engine/metrics';
import type { AppEnv } from '../env';

export const workerMetrics = new Metrics();

/** Consul's `path` label: the registered route without its leading `/`, `/` → `_` (agent/http.go handleFuncMetrics). */
export function routeLabel(routePath: string): string {
  const fixed = routePath.split(/[:*]/)[0];
  return fixed.replace(/^\//, '').replace(/\//g, '_');
}

/** `consul.api.http` (ms), labelled by method and route, for every request the app answers. */
export const recordHttp: MiddlewareHandler<AppEnv> = async (c, next) => {
  const started = Date.now();
  try {
    await next();
  } finally {
    // The matched route of the handler that answered ('' if none did): never let a metric fail a request.
    let route = '';
    try {
      route = c.req.routePath ?? '';
    } catch {}
    workerMetrics.sample('consul.api.http', Date.now() - started, { method: c.req.method, path: routeLabel(route) });
  }
};

const FAST_PATH = /^https?:\/\/[^/]+\/(v1\/(?:kv|health\/service|agent\/check\/(?:pass|warn|fail))\/)/;

/** `consul.api.http` for an answer from a fast path (worker/heartbeat.ts, kv-read.ts, kv-write.ts, health-fast-path.ts), which skip the app. */
export function recordFastPath(request: Request, started: number): void {
  const route = FAST_PATH.exec(request.url)?.[1];
  if (!route) return;
  const memo = `${request.method} ${route}`;
  let series = fastPathSeries.get(memo);
  if (!series) {
    const labels = { method: request.method, path: route.replace(/\//g, '_') };
    fastPathSeries.set(memo, (series = { labels, key: seriesKey('consul.api.http', labels) }));
  }
  workerMetrics.sample('consul.api.http', Date.now() - started, series.labels, series.key);
}
/** The few (method, route) series the fast paths record, their labels and key built once. */
const fastPathSeries = new Map<string, { labels: Labels; key: string }>();
