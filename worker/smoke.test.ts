import { env, SELF } from 'cloudflare:test';
import { it, expect } from 'vitest';
it('answers', async () => {
  expect(await (await SELF.fetch('http://x/')).text()).toBe('ok');
  expect(await (env as any).DATACENTER_OBJECT.getByName('a').ping()).toBe('pong');
});
