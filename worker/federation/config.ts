// The federation's datacenters, read once from the FEDERATION var (JSON) and checked with zod: names,
// location hints, the primary, the region → datacenter defaults, distances and the remote-call timeout.
import { z } from 'zod';

/** Cloudflare's Durable Object location hints, with a representative point for each (lat, lon). */
export const LOCATION_HINTS = {
  wnam: [37.4, -122.1], enam: [38.9, -77.0], sam: [-23.5, -46.6], weur: [50.1, 8.7], eeur: [52.2, 21.0],
  apac: [1.35, 103.8], oc: [-33.9, 151.2], afr: [-26.2, 28.0], me: [25.2, 55.3],
} as const satisfies Record<DurableObjectLocationHint, readonly [number, number]>;

export const DEFAULT_REMOTE_TIMEOUT_MS = 1000;
const NAME = /^[a-z0-9][a-z0-9_-]*$/i;

const DatacenterSchema = z.object({
  name: z.string().regex(NAME, 'a datacenter name is letters, digits, "-" and "_"'),
  locationHint: z.enum(Object.keys(LOCATION_HINTS) as [DurableObjectLocationHint, ...DurableObjectLocationHint[]]).optional(),
  /** Overrides the location hint's point when measuring distance: [latitude, longitude]. */
  coordinates: z.tuple([z.number().min(-90).max(90), z.number().min(-180).max(180)]).optional(),
});

export const FederationConfigSchema = z.object({
  primary: z.string(),
  datacenters: z.array(DatacenterSchema).min(1, 'declare at least one datacenter'),
  /** request.cf `colo`, `country` or `continent` → datacenter; the most specific match wins. */
  regions: z.record(z.string(), z.string()).default({}),
  /** Where a request goes when no region matches; the primary by default. */
  default: z.string().optional(),
  /** How long one remote datacenter may take to answer a prepared query before failover skips it. */
  remoteTimeoutMs: z.number().int().positive().default(DEFAULT_REMOTE_TIMEOUT_MS),
  /** KV prefixes the primary's entries are copied from into every other datacenter (durable-objects/kv/replication.ts). */
  replicate: z
    .object({
      prefixes: z.array(z.string().min(1, 'a replicated prefix may not be empty')).min(1, 'name at least one prefix to replicate'),
      intervalMs: z.number().int().min(1000, 'replicate at most once a second').optional(),
    })
    .optional(),
});
export type FederationConfig = z.infer<typeof FederationConfigSchema>;

export interface DatacenterInfo {
  name: string;
  locationHint?: DurableObjectLocationHint;
  point?: readonly [number, number];
}

export interface Federation {
  primary: string;
  fallback: string;
  regions: Record<string, string>;
  /** Whether any region maps to a datacenter (else every request without `?dc=` goes to the fallback). */
  mapsRegions: boolean;
  remoteTimeoutMs: number;
  /** Keyed by lowercased name; names compare case-insensitively, as Consul's do. */
  byName: Map<string, DatacenterInfo>;
  /** Declaration order, the tie-breaker for distance. */
  declared: DatacenterInfo[];
}

export class FederationConfigError extends Error {
  constructor(reason: string) {
    super(`Beacon: bad FEDERATION configuration: ${reason}`);
    this.name = 'FederationConfigError';
  }
}

/** The raw var: a JSON string from `--var`/.dev.vars, or the object wrangler.toml gives. Absent → one datacenter, DATACENTER. */
export function parseFederation(raw: unknown, single = 'dc1'): Federation {
  let value = raw ?? { primary: single, datacenters: [{ name: single }] };
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch (err) {
      throw new FederationConfigError(`not JSON (${(err as Error).message})`);
    }
  }
  const parsed = FederationConfigSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new FederationConfigError(issue.path.length ? `${issue.path.join('.')}: ${issue.message}` : issue.message);
  }
  const config = parsed.data;
  const byName = new Map<string, DatacenterInfo>();
  for (const dc of config.datacenters) {
    const key = dc.name.toLowerCase();
    if (byName.has(key)) throw new FederationConfigError(`datacenter "${dc.name}" is declared twice`);
    byName.set(key, { name: dc.name, locationHint: dc.locationHint, point: dc.coordinates ?? (dc.locationHint && LOCATION_HINTS[dc.locationHint]) });
  }
  const known = (name: string, what: string) => {
    const dc = byName.get(name.toLowerCase());
    if (!dc) throw new FederationConfigError(`${what} "${name}" is not a declared datacenter (declared: ${[...byName.values()].map((d) => d.name).join(', ')})`);
    return dc.name;
  };
  const regions: Record<string, string> = {};
  for (const [region, dc] of Object.entries(config.regions)) regions[region.toUpperCase()] = known(dc, `regions.${region}`);
  const primary = known(config.primary, 'primary');
  return {
    primary,
    fallback: config.default ? known(config.default, 'default') : primary,
    regions,
    mapsRegions: Object.keys(regions).length > 0,
    remoteTimeoutMs: config.remoteTimeoutMs,
    byName,
    declared: [...byName.values()],
  };
}

let cache: { raw: unknown; single: string | undefined; federation: Federation } | undefined;

/** The parsed federation for this isolate's env: parsed on first use, then reused. */
export function federationOf(env: { FEDERATION?: unknown; DATACENTER?: string }): Federation {
  if (cache && cache.raw === env.FEDERATION && cache.single === env.DATACENTER) return cache.federation;
  const federation = parseFederation(env.FEDERATION, env.DATACENTER || 'dc1');
  cache = { raw: env.FEDERATION, single: env.DATACENTER, federation };
  return federation;
}
