// The UI: `/` redirects to `/ui/` as Consul does, and `/ui/*` serves the single page.
import { Hono } from 'hono';
import type { AppEnv } from '../env';
import { UI_PAGE } from '../ui/page';

export const ui = new Hono<AppEnv>();

ui.get('/', (c) => c.redirect('/ui/', 301));
ui.get('/ui', (c) => c.redirect('/ui/', 301));
ui.get('/ui/*', (c) => c.html(UI_PAGE));
