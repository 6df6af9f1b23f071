// Which datacenter a request belongs to, and how far the others are: great-circle distance between the
// datacenters' points (location hint or coordinates), standing in for Consul's WAN round-trip times.
import type { DatacenterInfo, Federation } from './config';

const EARTH_RADIUS_KM = 6371;
const rad = (deg: number) => (deg * Math.PI) / 180;

export function distanceKm(a: readonly [number, number], b: readonly [number, number]): number {
  const dLat = rad(b[0] - a[0]);
  const dLon = rad(b[1] - a[1]);
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(rad(a[0])) * Math.cos(rad(b[0])) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}

/**
 * Every datacenter seen from `from`: itself first, then the others nearest first. A datacenter
 * without a point sorts after those with one; ties keep declaration order (Consul: GetDatacentersByDistance).
 */
export function datacentersByDistance(federation: Federation, from: string): string[] {
  const origin = federation.byName.get(from.toLowerCase());
  const far = (dc: DatacenterInfo) => (origin?.point && dc.point ? distanceKm(origin.point, dc.point) : Infinity);
  const others = federation.declared
    .filter((dc) => dc !== origin)
    .map((dc, order) => ({ dc, order, km: far(dc) }))
    .sort((x, y) => x.km - y.km || x.order - y.order)
    .map((x) => x.dc.name);
  return origin ? [origin.name, ...others] : others;
}

/** The request's own datacenter: `regions` matched on cf.colo, then cf.country, then cf.continent; else the default. */
export function datacenterOfRequest(federation: Federation, cf: Record<string, unknown> | undefined): string {
  for (const key of [cf?.colo, cf?.country, cf?.continent]) {
    if (typeof key !== 'string' || !key) continue;
    const dc = federation.regions[key.toUpperCase()];
    if (dc) return dc;
  }
  return federation.fallback;
}

/**
 * The remote datacenters a prepared query fails over to, in order: the NearestN nearest, then the listed
 * `Datacenters` not already tried. Unknown names are skipped (Consul's queryFailover does the same).
 */
export function failoverOrder(federation: Federation, local: string, failover: { NearestN: number; Datacenters: string[] | null }): string[] {
  const nearest = datacentersByDistance(federation, local).slice(1);
  const order = nearest.slice(0, Math.max(0, failover.NearestN));
  for (const name of failover.Datacenters ?? []) {
    const dc = federation.byName.get(name.toLowerCase());
    if (dc && dc.name.toLowerCase() !== local.toLowerCase() && !order.includes(dc.name)) order.push(dc.name);
  }
  return order;
}
