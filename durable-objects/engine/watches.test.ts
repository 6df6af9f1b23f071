import { describe, expect, it } from 'vitest';
import { freshDatacenter, inObject, NOW, service } from '../test-support';

describe('blocking reads in the Datacenter object', () => {
  it('answers at once without an index and reports an index of at least 1', async () => {
    const dc = freshDatacenter();
    const { index, value } = await dc.healthServiceNodes('web', NOW);
    expect(value).toEqual([]);
    expect(index).toBeGreaterThanOrEqual(1);
  });

  it('wakes a watcher on service a only when a changes', async () => {
    const dc = freshDatacenter();
    await dc.agentServiceRegister({ service: service('a-1', 'a'), checks: [], replaceExistingChecks: false });
    const { index } = await dc.healthServiceNodes('a', NOW);
    const watch = dc.healthServiceNodes('a', { minIndex: index, waitMs: 60_000 });
    // The watch's RPC and this check race to the object: ask until the watcher is parked (bounded).
    for (let i = 0; i < 100 && (await inObject(dc, (instance) => instance.watches.parkedOn('service.a'))) === 0; i++);
    expect(await inObject(dc, (instance) => instance.watches.parkedOn('service.a'))).toBe(1);
    const wokenBefore = await inObject(dc, (instance) => instance.watches.woken);

    await dc.agentServiceRegister({ service: service('b-1', 'b'), checks: [], replaceExistingChecks: false });
    await inObject(dc, (instance) => {
      expect(instance.watches.woken).toBe(wokenBefore);
      expect(instance.watches.parkedOn('service.a')).toBe(1);
    });

    await dc.agentServiceRegister({ service: service('a-2', 'a'), checks: [], replaceExistingChecks: false });
    const answer = await watch;
    expect(answer.index).toBeGreaterThan(index);
    expect(answer.value.map((e) => e.Service.ID).sort()).toEqual(['a-1', 'a-2']);
  });

  it('returns the unchanged data when the wait ends without a change', async () => {
    const dc = freshDatacenter();
    const { index } = await dc.catalogNodes(NOW);
    const answer = await dc.catalogNodes({ minIndex: index, waitMs: 50 });
    expect(answer.index).toBe(index);
  });

  it('does not move the index for a registration that changes nothing', async () => {
    const dc = freshDatacenter();
    const req = { service: service('a-1', 'a', { Tags: ['v1'] }), checks: [], replaceExistingChecks: false };
    await dc.agentServiceRegister(req);
    const before = await dc.getStats();
    await dc.agentServiceRegister(req);
    const after = await dc.getStats();
    expect(after.index).toBe(before.index);
    expect(after.writes).toBe(before.writes);
  });

  it('never lets a service index go backwards when its last instance leaves', async () => {
    const dc = freshDatacenter();
    await dc.agentServiceRegister({ service: service('a-1', 'a'), checks: [], replaceExistingChecks: false });
    const registered = await dc.healthServiceNodes('a', NOW);
    await dc.agentServiceDeregister('a-1');
    const gone = await dc.healthServiceNodes('a', NOW);
    expect(gone.value).toEqual([]);
    expect(gone.index).toBeGreaterThan(registered.index);
  });
});
