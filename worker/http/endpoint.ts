// Declares an endpoint with the methods it takes: other methods get 405 with `Allow`, OPTIONS gets 200
// (Consul's wrap() in agent/http.go).
import type { Context, Hono } from 'hono';
import type { AppEnv } from '../env';

type Handler = (c: Context<AppEnv>) => Response | Promise<Response>;

export function endpoint(app: Hono<AppEnv>, methods: string[], path: string, handler: Handler): void {
  const allow = ['OPTIONS', ...methods].join(',');
  app.on(methods, path, handler);
  app.on('OPTIONS', path, (c) => c.body(null, 200, { Allow: allow }));
  app.all(path, (c) => c.text(`method ${c.req.method} not allowed`, 405, { Allow: allow }));
}
