// The one place a request's datacenter is chosen: `?dc=`, else the datacenter the request's region maps
// to (worker/federation/config.ts). Each datacenter is its own Datacenter object, placed by its location hint.
import { createMiddleware } from 'hono/factory';
import type { AppEnv, DatacenterStub, Env } from '../env';
import { federationOf } from '../federation/config';
import { datacenterOfRequest } from '../federation/distance';
import { serverError } from './errors';

/** The object of a declared datacenter (names compare case-insensitively), or undefined for an unknown one. */
export function datacenterStub(env: Env, name: string): DatacenterStub | undefined {
  const dc = federationOf(env).byName.get(name.toLowerCase());
  if (!dc) return undefined;
  return env.DATACENTER_OBJECT.getByName(dc.name, dc.locationHint ? { locationHint: dc.locationHint } : undefined);
}

export const datacenter = createMiddleware<AppEnv>(async (c, next) => {
  const federation = federationOf(c.env);
  const requested = c.req.query('dc') || datacenterOfRequest(federation, c.req.raw.cf as Record<string, unknown> | undefined);
  const dc = federation.byName.get(requested.toLowerCase());
  if (!dc) throw serverError('No path to datacenter');
  c.set('federation', federation);
  c.set('dcName', dc.name);
  c.set('dc', datacenterStub(c.env, dc.name)!);
  await next();
});
