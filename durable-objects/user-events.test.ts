import { describe, expect, it } from 'vitest';
import { USER_EVENT_BUFFER } from '../worker/consul/event';
import { freshDatacenter, inObject } from './test-support';

const fire = (dc: ReturnType<typeof freshDatacenter>, Name: string) => dc.eventFire({ Name, NodeFilter: '', ServiceFilter: '', TagFilter: '', payload: null });

describe('user events', () => {
  it(`keep the newest ${USER_EVENT_BUFFER}, as a Consul agent does`, async () => {
    const dc = freshDatacenter();
    await inObject(dc, (instance) => {
      for (let i = 1; i <= USER_EVENT_BUFFER + 4; i++) instance.eventFire({ Name: `e${i}`, NodeFilter: '', ServiceFilter: '', TagFilter: '', payload: null });
    });
    const { value } = await dc.eventList('', '0', 0);
    expect(value).toHaveLength(USER_EVENT_BUFFER);
    expect([value[0].Name, value[0].LTime, value.at(-1)!.Name, value.at(-1)!.LTime]).toEqual(['e5', 5, `e${USER_EVENT_BUFFER + 4}`, USER_EVENT_BUFFER + 4]);
  });

  it('take no raft index', async () => {
    const dc = freshDatacenter();
    const before = (await dc.getStats()).index;
    await fire(dc, 'deploy');
    expect((await dc.getStats()).index).toBe(before);
  });
});
