import { describe, expect, it } from 'vitest';
import { api, put, registerService, uniq } from './test-support';

const answer = async (res: Response) => ({
  status: res.status, body: await res.text(), type: res.headers.get('Content-Type'), acl: res.headers.get('X-Consul-Default-ACL-Policy'),
});

describe('the heartbeat fast path', () => {
  // `?pretty` sends the same heartbeat through the full app: both must answer alike.
  it.each([
    ['pass', 'ttl', ''],
    ['fail', 'ttl', '?note=down%20hard'],
    ['warn', 'missing', ''],
    ['pass', 'no-ttl', ''],
  ])('answers %s on a %s check exactly as the full app does', async (verb, kind, query) => {
    const id = uniq('hb');
    await registerService({ ID: id, Name: id, Checks: [{ CheckID: `${id}-ttl`, TTL: '1m' }, { CheckID: `${id}-no-ttl`, TCP: '127.0.0.1:1', Interval: '1h' }] });
    const path = `/v1/agent/check/${verb}/${id}-${kind}${query}`;
    const fast = await answer(await put(path));
    const full = await answer(await put(`${path}${query ? '&' : '?'}pretty`));
    expect(fast).toEqual(full);
    expect(fast.acl).toBe('allow');
  });

  it('records the note and status it was sent', async () => {
    const id = uniq('hb-note');
    await registerService({ ID: id, Name: id, Check: { TTL: '1m' } });
    expect((await put(`/v1/agent/check/warn/service:${id}?note=slow%20disk`)).status).toBe(200);
    const checks = (await (await api('/v1/agent/checks')).json()) as Record<string, { Status: string; Output: string }>;
    expect(checks[`service:${id}`]).toMatchObject({ Status: 'warning', Output: 'slow disk' });
  });
});
