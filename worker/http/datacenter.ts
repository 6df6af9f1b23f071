// The app's datacenter middleware: `?dc=`, else the request region's, chosen by
// worker/federation/choose.ts (the one place every path asks); an unknown one is Consul's "No path to datacenter".
import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../env';
import { chooseDatacenter, datacenterStub } from '../federation/choose';
import { federationOf } from '../federation/config';
import { serverError } from './errors';

export const datacenter = createMiddleware<AppEnv>(async (c, next) => {
  const dc = chooseDatacenter(c.env, c.req.raw, c.req.query('dc') || undefined);
  if (!dc) throw serverError('No path to datacenter');
  c.set('federation', federationOf(c.env));
  c.set('dcName', dc.name);
  c.set('dc', datacenterStub(c.env, dc.name)!);
  await next();
});
