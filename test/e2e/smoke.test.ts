import { expect, inject, it } from 'vitest';

it('reaches the local Beacon over real HTTP', async () => {
  const res = await fetch(`${inject('beaconUrl')}/v1/status/leader`);
  expect(res.status).toBe(200);
  expect(await res.json()).toMatch(/:8300$/);
});
