// A Datacenter object's own name. `ctx.id.name` is there only when the object is reached by name
// (`getByName`); woken by its alarm after a restart (TTL deadlines, replication pulls, the tombstone
// sweep) workerd gives it an ID without one, and falling back to DATACENTER made dc2 or dc3 answer as
// dc1: prepared-query failover named the wrong datacenter, and a secondary took itself for the primary
// and stopped replicating. So the name is kept in the object's own KV storage the first time it is known
// (`_cf_*` storage, outside snapshots: a snapshot of dc1 restored into dc2 leaves dc2 dc2).
const KEY = 'beacon:datacenter-name';

export function datacenterName(ctx: DurableObjectState, fallback: string): string {
  const named = ctx.id.name;
  const stored = ctx.storage.kv.get<string>(KEY);
  if (!named) return stored ?? fallback;
  if (stored !== named) ctx.storage.kv.put(KEY, named);
  return named;
}
