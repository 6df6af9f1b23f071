// The built UI under plain workerd (`npm start`; scripts/workerd-runtime.ts binds LOCAL_UI to ui/dist on
// disk). Deployed, wrangler.toml's [assets] answers /ui/ before the worker runs and LOCAL_UI is unbound.
// Served here rather than by a worker in front of Beacon: that extra worker cost every request, UI or
// not, ~80–100 µs of workerd CPU (BENCHMARKS.md, npm start).
import type { Env } from './env';

const TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8', js: 'text/javascript; charset=utf-8', css: 'text/css; charset=utf-8',
  png: 'image/png', svg: 'image/svg+xml', json: 'application/json', map: 'application/json', ico: 'image/x-icon',
};

/** A GET or HEAD of a UI file, `/ui/` with its index.html; undefined for anything else (Beacon answers). */
export async function localUi(request: Request, env: Env): Promise<Response | undefined> {
  const files = env.LOCAL_UI;
  if (!files || (request.method !== 'GET' && request.method !== 'HEAD')) return undefined;
  const url = new URL(request.url);
  if (!url.pathname.startsWith('/ui/')) return undefined;
  const path = url.pathname.endsWith('/') ? `${url.pathname}index.html` : url.pathname;
  const file = await files.fetch(`http://ui${path}`);
  if (!file.ok) return undefined;
  const type = TYPES[path.slice(path.lastIndexOf('.') + 1)] ?? 'application/octet-stream';
  return new Response(request.method === 'HEAD' ? null : file.body, { headers: { 'Content-Type': type, 'Cache-Control': 'no-cache' } });
}
