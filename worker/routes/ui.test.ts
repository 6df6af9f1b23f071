import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { api } from '../test-support';

describe('the UI', () => {
  it.each([['/'], ['/ui']])('redirects %s to /ui/ as Consul does', async (path) => {
    const res = await api(path, { redirect: 'manual' });
    expect(res.status).toBe(301);
    expect(res.headers.get('Location')).toBe('/ui/');
  });

  // The asset router sits in front of the worker (the browser tests reach it through wrangler dev);
  // here the same files are read through the ASSETS binding.
  it('serves the built page and its bundle from static assets', async () => {
    const assets = env.ASSETS!;
    const page = await assets.fetch('http://beacon.test/ui/');
    expect(page.status).toBe(200);
    expect(page.headers.get('Content-Type')).toContain('text/html');
    expect(await page.text()).toContain('/ui/app.js');
    const bundle = await assets.fetch('http://beacon.test/ui/app.js');
    expect(bundle.status).toBe(200);
    expect(bundle.headers.get('Content-Type')).toContain('javascript');
    expect(await bundle.text()).toContain('/v1/internal/ui/services');
  });

  it('leaves the API to the worker', async () => {
    const res = await api('/v1/status/leader');
    expect(res.status).toBe(200);
    expect(await res.json()).toMatch(/:\d+$/);
  });
});
