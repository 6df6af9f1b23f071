// A route's read of the object, blocking ones shared (coalesce.ts): identical blocking queries held in
// this isolate at one index make one call. Identical = same datacenter, same object read with the same
// arguments (so `?tag`, `?filter`, `?node-meta` and the order of parameters, applied by the route after,
// do not split them), same token identity. Each watcher's route selects from the shared answer without
// changing it, and the ACL middleware filters each watcher's own response; the token in the key keeps
// even the unfiltered rows of one token's read from being handed to another's route.
import type { Context } from 'hono';
import type { BlockingParams, Indexed } from '../consul/common';
import type { AppEnv } from '../env';
import { heldValue } from './coalesce';

/** `read` names the object's method; `args` are its arguments before the blocking parameters. */
export function heldRead<T>(
  c: Context<AppEnv>, read: string, args: readonly unknown[], params: BlockingParams, call: (params: BlockingParams) => Promise<Indexed<T>>,
): Promise<Indexed<T>> {
  if (params.minIndex <= 0) return call(params);
  return heldValue(heldReadKey(c, read, args), params, call, (p) => c.executionCtx.waitUntil(p));
}

/** Management tokens all see every row: they share one identity. */
export function heldReadKey(c: Context<AppEnv>, read: string, args: readonly unknown[]): string {
  const acl = c.var.acl;
  const identity = !acl ? '' : acl.management ? '*management' : acl.accessorId;
  return `${c.var.dcName.toLowerCase()}\u0000${read}\u0000${JSON.stringify(args)}\u0000${identity}`;
}
