// The UI itself is static assets (ui/, built into ui/dist/ and served at /ui/ by wrangler's [assets]);
// the worker only sees paths with no asset: `/` and `/ui` redirect to `/ui/` as Consul does.
import { Hono } from 'hono';
import type { AppEnv } from '../env';

export const ui = new Hono<AppEnv>();

ui.get('/', (c) => c.redirect('/ui/', 301));
ui.get('/ui', (c) => c.redirect('/ui/', 301));
