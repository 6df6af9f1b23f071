// The one place a request's datacenter is chosen: `?dc=`, else this deployment's own.
import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../env';
import { serverError } from './errors';

export const datacenter = createMiddleware<AppEnv>(async (c, next) => {
  const own = c.env.DATACENTER || 'dc1';
  const requested = c.req.query('dc') || own;
  if (requested !== own) throw serverError('No path to datacenter');
  c.set('dcName', requested);
  c.set('dc', c.env.DATACENTER_OBJECT.getByName(requested));
  await next();
});
