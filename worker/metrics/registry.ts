// This isolate's metrics: one registry per worker isolate (deployed, many isolates answer and each counts
// only what it served; locally there is one). Recording is an in-memory increment, nothing else.
import type { MiddlewareHandler } from 'hono';
import { type Labels, Metrics, seriesKey } from '../../durable-objects/engine/metrics';
import type { AppEnv } from '../env';
import { rawPath } from '../http/path';

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

/** The route a fast path answered, as the app's route would be labelled; prefix tests, not a regex, per request. */
function fastPathRoute(path: string): string | undefined {
  if (path.startsWith('/v1/kv/')) return 'v1/kv/';
  if (path.startsWith('/v1/health/service/')) return 'v1/health/service/';
  if (path.startsWith('/v1/agent/check/')) return CHECK_VERB_ROUTES.get(path.slice(16, 21));
  return undefined;
}
const CHECK_VERB_ROUTES = new Map(['pass/', 'warn/', 'fail/'].map((verb) => [verb, `v1/agent/check/${verb}`]));

/** `consul.api.http` for an answer from a fast path (worker/heartbeat.ts, kv-read.ts, kv-write.ts, health-fast-path.ts), which skip the app. */
export function recordFastPath(request: Request, started: number): void {
  const route = fastPathRoute(rawPath(request.url));
  if (!route) return;
  const method = request.method;
  let byMethod = fastPathSeries.get(route);
  if (!byMethod) fastPathSeries.set(route, (byMethod = new Map()));
  let series = byMethod.get(method);
  if (!series) {
    const labels = { method, path: route.replace(/\//g, '_') };
    byMethod.set(method, (series = { labels, key: seriesKey('consul.api.http', labels) }));
  }
  workerMetrics.sample('consul.api.http', Date.now() - started, series.labels, series.key);
}
/** The few (route, method) series the fast paths record, their labels and key built once. */
const fastPathSeries = new Map<string, Map<string, { labels: Labels; key: string }>>();
