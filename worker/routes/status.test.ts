import { describe, expect, it } from 'vitest';
import { api } from '../test-support';

describe('/v1/status', () => {
  it('names a leader and the peers, always non-empty', async () => {
    expect(await (await api('/v1/status/leader')).json()).toMatch(/:8300$/);
    expect(await (await api('/v1/status/peers')).json()).toHaveLength(1);
  });

  it('answers unknown API paths with Consul\'s 404 text', async () => {
    const res = await api('/v1/nope');
    expect(res.status).toBe(404);
    expect(await res.text()).toBe('Invalid URL path: not a recognized HTTP API endpoint');
  });

  it('refuses Enterprise namespaces with 400', async () => {
    const res = await api('/v1/catalog/services?ns=team');
    expect(res.status).toBe(400);
    expect(await res.text()).toBe('Invalid query parameter: "ns" - Namespaces are a Consul Enterprise feature');
  });
});
