// The benchmark's own worker, bundled like Beacon and served by the same workerd process:
//   GET /ping   the bare Durable Object round trip (ceiling b): one RPC into its own Datacenter,
//               same class and same worker-plus-object layout as Beacon, to a method touching memory only;
//   GET /stats  Beacon's Datacenter counters {writes, alarmsSet, requests, index}, read over RPC across services;
//   GET /shard-stats?shard=<i>  the counters of Beacon's agent shard i of DATACENTER (scripts/bench/scale.ts);
//   GET /bytes/<n>  n bytes of JSON-ish text kept in memory: a no-op answer of a given size (scripts/bench/cache.ts);
//   GET /hit-shaped/<n>  n bytes with the headers of a gzip-encoded `?cached` hit: the no-op of the hit's shape;
//   GET /hold?bytes=<n>  parked (a promise of its own and a timer) until GET /release answers every parked one
//               with n bytes: the reference for waking held watchers (scripts/bench/watchers.ts bareWake).
// Nothing here is routed by Beacon's worker: bench-only paths stay out of worker/.
import { Datacenter } from '../../durable-objects/datacenter';
import { AgentShard } from '../../durable-objects/shards/agent-shard';
import { shardName } from '../../durable-objects/shards/shard-of';

// AgentShard too: wrangler.toml, which bundles this worker, declares both classes.
export { AgentShard, Datacenter };

interface BenchEnv {
  /** This worker's own Datacenter namespace (the ceiling's object). */
  DATACENTER_OBJECT: DurableObjectNamespace<Datacenter>;
  /** Beacon's namespace, bound across services: the object the scenarios drive. */
  BEACON_OBJECT: DurableObjectNamespace<Datacenter>;
  /** Beacon's agent shards, bound the same way. */
  BEACON_SHARD: DurableObjectNamespace<AgentShard>;
  DATACENTER: string;
}

const sized = new Map<number, Uint8Array<ArrayBuffer>>();
const bytes = (n: number) => sized.get(n) ?? sized.set(n, new TextEncoder().encode('x'.repeat(n)) as Uint8Array<ArrayBuffer>).get(n)!;

/** The headers of a gzip-encoded `?cached` hit (worker/cache/fast-path.ts), values fixed: the no-op of the hit's shape. */
const HIT_HEADERS = new Headers({
  'Content-Type': 'application/json',
  'Content-Encoding': 'gzip',
  Vary: 'Accept-Encoding',
  'X-Cache': 'HIT',
  'X-Consul-Default-ACL-Policy': 'allow',
  'X-Consul-KnownLeader': 'true',
  'x-consul-effective-consistency': 'stale',
  'x-consul-index': '4',
});

// A pending timer as well: a request awaiting only another request's resolve() is cancelled by workerd's hang detection.
const parked = new Set<() => void>();
const park = () => new Promise<void>((resolve) => {
  const timer = setTimeout(resolve, 600_000);
  parked.add(() => (clearTimeout(timer), resolve()));
});

export default {
  async fetch(request: Request, env: BenchEnv): Promise<Response> {
    // Before any URL parsing, as Beacon's hit path does none.
    const shaped = request.url.indexOf('/hit-shaped/');
    if (shaped >= 0) {
      const response = new Response(bytes(Number(request.url.slice(shaped + 12))), { headers: HIT_HEADERS, encodeBody: 'manual' });
      // The two a hit sets per request.
      response.headers.set('X-Consul-LastContact', String(Date.now() % 1000));
      response.headers.set('Age', '0');
      return response;
    }
    const { pathname, searchParams } = new URL(request.url);
    if (pathname === '/hold') {
      await park();
      return new Response(bytes(Number(searchParams.get('bytes'))), { headers: { 'Content-Type': 'application/json' } });
    }
    if (pathname === '/release') {
      const woken = [...parked];
      parked.clear();
      for (const wake of woken) wake();
      return new Response(String(woken.length));
    }
    if (pathname === '/ping') return Response.json(await env.DATACENTER_OBJECT.getByName(env.DATACENTER).ping());
    if (pathname.startsWith('/bytes/')) return new Response(bytes(Number(pathname.slice(7))), { headers: { 'Content-Type': 'application/json' } });
    if (pathname === '/stats') return Response.json(await env.BEACON_OBJECT.getByName(env.DATACENTER).getStats());
    if (pathname === '/shard-stats') {
      const { checks, ...counters } = await env.BEACON_SHARD.getByName(shardName(env.DATACENTER, Number(searchParams.get('shard')))).getStats();
      return Response.json({ ...counters, checks: checks.length });
    }
    return new Response('not found', { status: 404 });
  },
} satisfies ExportedHandler<BenchEnv>;
