import { describe, expect, it } from 'vitest';
import { api } from '../test-support';

describe('the UI', () => {
  it('redirects / to /ui/ as Consul does', async () => {
    const res = await api('/', { redirect: 'manual' });
    expect(res.status).toBe(301);
    expect(res.headers.get('Location')).toBe('/ui/');
  });

  it('serves one HTML page that reads the public API', async () => {
    const res = await api('/ui/services/web');
    expect(res.status).toBe(200);
    expect(res.headers.get('Content-Type')).toContain('text/html');
    const html = await res.text();
    for (const path of ['/v1/catalog/services', '/v1/health/service/', '/v1/agent/self']) expect(html).toContain(path);
  });
});
