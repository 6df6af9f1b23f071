import { abortAllDurableObjects, env } from 'cloudflare:test';
import { expect, it } from 'vitest';
import { NOW, service } from '../test-support';

it('persists a write that moves more index rows than one statement may bind (100 parameters)', async () => {
  const name = `t-${crypto.randomUUID()}`;
  const before = env.DATACENTER_OBJECT.getByName(name);
  const node = { Node: 'big', ID: '', Address: '10.0.0.9', TaggedAddresses: {}, Meta: {} };
  for (let i = 0; i < 60; i++) {
    await before.catalogRegister({ node, skipNodeUpdate: false, service: service(`svc-${i}`), checks: [] });
  }
  await before.catalogDeregister({ Node: 'big' });
  const { index } = await before.getStats();
  await abortAllDurableObjects();
  const dc = env.DATACENTER_OBJECT.getByName(name);
  for (const i of [0, 30, 59]) expect((await dc.catalogServiceNodes(`svc-${i}`, NOW)).index).toBe(index);
});
