// Declares an endpoint with the methods it takes: other methods get 405 with `Allow`, OPTIONS gets 200
// (Consul's wrap() in agent/http.go). HEAD is answered as GET without a body where GET is listed (hono
// dispatches HEAD to the GET handler); Consul answers it 405, Beacon follows RFC 9110 here (docs/api.md).
import type { Context, Hono } from 'hono';
import type { AppEnv } from '../env';

type Handler = (c: Context<AppEnv>) => Response | Promise<Response>;
type Method = 'GET' | 'PUT' | 'POST' | 'DELETE';
type Handlers = Partial<Record<Method, Handler>>;

/**
 * One handler per listed method, so a method the endpoint does not list can never reach one. A handler
 * that served several methods and branched on `c.req.method` once ran HEAD as DELETE (issue 9).
 */
export function endpoint(app: Hono<AppEnv>, methods: [Method], path: string, handler: Handler): void;
export function endpoint(app: Hono<AppEnv>, path: string, handlers: Handlers): void;
export function endpoint(app: Hono<AppEnv>, first: [Method] | string, second: string | Handlers, third?: Handler): void {
  const [path, handlers] = typeof first === 'string' ? [first, second as Handlers] : [second as string, { [first[0]]: third } as Handlers];
  const methods = Object.keys(handlers) as Method[];
  const allow = ['OPTIONS', ...methods].join(',');
  for (const method of methods) app.on(method, path, handlers[method]!);
  app.on('OPTIONS', path, (c) => c.body(null, 200, { Allow: allow }));
  app.all(path, (c) => c.text(`method ${c.req.method} not allowed`, 405, { Allow: allow }));
}
