import { describe, expect, it } from 'vitest';
import type { UserEvent } from '../consul/event';
import { api, put, uniq } from '../test-support';

async function fire(name: string, payload?: string, query = ''): Promise<UserEvent> {
  const res = await put(`/v1/event/fire/${name}${query}`, payload);
  if (res.status !== 200) throw new Error(`fire: ${res.status} ${await res.text()}`);
  return (await res.json()) as UserEvent;
}

async function list(query: string): Promise<{ index: string; events: UserEvent[] }> {
  const res = await api(`/v1/event/list${query}`);
  expect(res.status).toBe(200);
  return { index: res.headers.get('X-Consul-Index')!, events: (await res.json()) as UserEvent[] };
}

describe('PUT /v1/event/fire/:name', () => {
  it('answers the event as Consul does: new ID, base64 payload, the filters, Version 1, LTime 0', async () => {
    const name = uniq('deploy');
    const event = await fire(name, 'v2.1', '?node=web-.*&service=api&tag=canary');
    expect(event).toEqual({
      ID: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/),
      Name: name, Payload: btoa('v2.1'), NodeFilter: 'web-.*', ServiceFilter: 'api', TagFilter: 'canary', Version: 1, LTime: 0,
    });
    expect((await fire(name)).Payload).toBeNull();
  });

  it.each([
    ['/v1/event/fire/', undefined, 400, 'Missing name'],
    ['/v1/event/fire/{name}?tag=v1', undefined, 500, 'Cannot provide tag filter without service filter'],
    ['/v1/event/fire/{name}?node=(', undefined, 500, expect.stringMatching(/^Invalid node filter: /)],
    ['/v1/event/fire/{name}', 'x'.repeat(600), 500, 'user event exceeds configured limit of 512 bytes before encoding'],
  ])('refuses %s and keeps nothing', async (path, body, status, text) => {
    const name = uniq('bad');
    const res = await put(path.replace('{name}', name), body);
    expect(res.status).toBe(status);
    expect(await res.text()).toEqual(text);
    expect((await list(`?name=${name}`)).events).toEqual([]);
  });

  it('takes PUT only', async () => {
    const res = await api('/v1/event/fire/x');
    expect(res.status).toBe(405);
    expect(res.headers.get('Allow')).toBe('OPTIONS,PUT');
  });
});

describe('GET /v1/event/list', () => {
  it('lists events oldest first with increasing LTime, filtered by ?name=, indexed by the newest ID', async () => {
    const [a, b] = [uniq('a'), uniq('b')];
    const first = await fire(a, 'one');
    await fire(b);
    const last = await fire(a, 'two');
    const { index, events } = await list(`?name=${a}`);
    expect(events.map((e) => [e.ID, e.Payload])).toEqual([[first.ID, btoa('one')], [last.ID, btoa('two')]]);
    expect(events[1].LTime).toBeGreaterThan(events[0].LTime);
    const hex = last.ID.replaceAll('-', '');
    expect(index).toBe((BigInt(`0x${hex.slice(0, 16)}`) ^ BigInt(`0x${hex.slice(16)}`)).toString());
    expect((await list('')).events.map((e) => e.Name)).toEqual(expect.arrayContaining([a, b]));
  });

  it('answers an empty list with index 1', async () => {
    expect(await list(`?name=${uniq('never')}`)).toEqual({ index: '1', events: [] });
  });

  it('blocks while the index is unchanged; an event of another name does not answer it', async () => {
    const [watched, other] = [uniq('watched'), uniq('other')];
    await fire(watched, 'old');
    const { index } = await list(`?name=${watched}`);
    let answered = false;
    const parked = list(`?name=${watched}&index=${index}&wait=10s`).then((r) => ((answered = true), r));
    await fire(other);
    await new Promise((r) => setTimeout(r, 50));
    expect(answered).toBe(false);
    const fresh = await fire(watched, 'new');
    const woken = await parked;
    expect(woken.index).not.toBe(index);
    expect(woken.events.at(-1)!.ID).toBe(fresh.ID);
  });

  it('answers the same index when the wait ends with no event', async () => {
    const name = uniq('quiet');
    await fire(name);
    const { index } = await list(`?name=${name}`);
    expect((await list(`?name=${name}&index=${index}&wait=100ms`)).index).toBe(index);
  });

  it('refuses an index that is not a number', async () => {
    const res = await api('/v1/event/list?index=abc');
    expect([res.status, await res.text()]).toEqual([400, 'Invalid index']);
  });

  it('keeps events per datacenter (?dc=)', async () => {
    const name = uniq('dc2-only');
    await fire(name, undefined, '?dc=dc2');
    expect((await list(`?name=${name}`)).events).toEqual([]);
    expect((await list(`?name=${name}&dc=dc2`)).events.map((e) => e.Name)).toEqual([name]);
  });
});
