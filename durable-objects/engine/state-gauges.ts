// Consul's state gauges (agent/consul/usagemetrics: consul.state.*), counted in the object's SQLite when
// the metrics endpoint asks, never on a write path.
import type { GaugeValue } from './metrics';

const COUNTS: [name: string, sql: string][] = [
  ['consul.state.nodes', 'SELECT COUNT(*) AS n FROM nodes'],
  ['consul.state.services', 'SELECT COUNT(DISTINCT service_name) AS n FROM services'],
  ['consul.state.service_instances', 'SELECT COUNT(*) AS n FROM services'],
  ['consul.state.kv_entries', 'SELECT COUNT(*) AS n FROM kvs'],
  ['consul.session_ttl.active', 'SELECT COUNT(*) AS n FROM sessions WHERE ttl_ms > 0'],
];

export function stateGauges(sql: SqlStorage, extra: Record<string, number>): GaugeValue[] {
  const counted = COUNTS.map(([name, query]) => ({ name, labels: {}, value: sql.exec<{ n: number }>(query).one().n }));
  return [...counted, ...Object.entries(extra).map(([name, value]) => ({ name, labels: {}, value }))];
}
