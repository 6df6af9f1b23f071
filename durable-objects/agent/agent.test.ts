import { describe, expect, it } from 'vitest';
import { freshDatacenter, NOW, service, ttlCheck } from '../test-support';

describe('the virtual agent node', () => {
  it('carries a passing serfHealth check, listed first in every health entry', async () => {
    const dc = freshDatacenter();
    await dc.agentServiceRegister({ service: service('web-1', 'web'), checks: [{ ...ttlCheck('web-1', 60_000), Status: 'passing' }], replaceExistingChecks: false });
    const [entry] = (await dc.healthServiceNodes('web', NOW)).value;
    expect(entry.Checks.map((c) => [c.CheckID, c.Status])).toEqual([['serfHealth', 'passing'], ['service:web-1', 'passing']]);
  });

  it('puts every agent instance in maintenance, and wakes their watchers, with node maintenance', async () => {
    const dc = freshDatacenter();
    await dc.agentServiceRegister({ service: service('web-1', 'web'), checks: [], replaceExistingChecks: false });
    const { index } = await dc.healthServiceNodes('web', NOW);
    const watch = dc.healthServiceNodes('web', { minIndex: index, waitMs: 30_000 });
    await dc.agentNodeMaintenance(true, 'kernel upgrade');
    const answer = await watch;
    expect(answer.index).toBeGreaterThan(index);
    expect(answer.value[0].Checks.find((c) => c.CheckID === '_node_maintenance')).toMatchObject({ Status: 'critical', Notes: 'kernel upgrade' });
    await dc.agentNodeMaintenance(false, '');
    expect((await dc.healthServiceNodes('web', NOW)).value[0].Checks.map((c) => c.CheckID)).toEqual(['serfHealth']);
  });

  it('comes straight back, empty, after a catalog deregistration of the node', async () => {
    const dc = freshDatacenter();
    const { node } = await dc.agentInfo();
    await dc.agentServiceRegister({ service: service('web-1', 'web'), checks: [], replaceExistingChecks: false });
    await dc.catalogDeregister({ Node: node.Node });
    expect(await dc.agentServices()).toEqual([]);
    expect((await dc.agentInfo()).node.Node).toBe(node.Node);
    expect((await dc.agentChecks()).map((c) => c.CheckID)).toEqual(['serfHealth']);
  });

  it('refuses an unknown service or check with Consul\'s 404 texts and changes nothing', async () => {
    const dc = freshDatacenter();
    const { writes, index } = await dc.getStats();
    expect(await dc.agentServiceDeregister('nope')).toEqual({ ok: false, status: 404, reason: 'Unknown service ID "nope". Ensure that the service ID is passed, not the service name.' });
    expect(await dc.agentCheckDeregister('nope')).toMatchObject({ ok: false, status: 404 });
    expect(await dc.agentServiceMaintenance('nope', true, '')).toMatchObject({ ok: false, status: 404 });
    expect(await dc.getStats()).toMatchObject({ writes, index });
  });

  it('answers one instance by its key exactly as the listings show it', async () => {
    const dc = freshDatacenter();
    for (const id of ['web-1', 'web-2', 'Web-3']) {
      await dc.agentServiceRegister({ service: service(id, 'web'), checks: [ttlCheck(id, 60_000), { ...ttlCheck(id, 60_000), CheckID: `a:${id}` }], replaceExistingChecks: false });
    }
    await dc.agentNodeMaintenance(true, 'patching');
    const entries = (await dc.healthServiceNodes('web', NOW)).value;
    const listed = await dc.agentServices();
    for (const id of ['web-2', 'WEB-3']) {
      const expected = entries.filter((e) => e.Service.ID.toLowerCase() === id.toLowerCase());
      expect(expected).toHaveLength(1);
      // Compared as JSON: key order is part of the answer.
      expect(JSON.stringify(await dc.agentServiceHealth({ id }))).toBe(JSON.stringify(expected));
      expect(JSON.stringify((await dc.agentService(id, '', 0))?.service)).toBe(JSON.stringify(listed.find((s) => s.ID.toLowerCase() === id.toLowerCase())));
    }
    expect(await dc.agentServiceHealth({ id: 'web-9' })).toEqual([]);
    expect(await dc.agentServiceHealth({ id: '' })).toEqual([]);
    expect(await dc.agentService('web-9', '', 0)).toBeNull();
    const { node } = await dc.agentInfo();
    expect(JSON.stringify(node)).toBe(JSON.stringify((await dc.catalogNodeServices(node.Node, NOW)).value?.Node));
  });
});
