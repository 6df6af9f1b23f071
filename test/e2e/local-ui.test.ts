// The built UI under plain workerd, served by Beacon itself (worker/local-ui.ts; deployed, [assets] does it).
import { describe, expect, inject, it } from 'vitest';

const beacon = inject('beaconUrl');

describe('the UI under npm start', () => {
  it.each([
    ['GET', '/ui/', 200, 'text/html; charset=utf-8', true],
    ['HEAD', '/ui/', 200, 'text/html; charset=utf-8', false],
    ['GET', '/ui/index.html', 200, 'text/html; charset=utf-8', true],
    ['GET', '/ui/no-such-file.js', 404, 'text/plain; charset=UTF-8', true],
    ['PUT', '/ui/', 404, 'text/plain; charset=UTF-8', true],
    ['GET', '/v1/status/leader', 200, 'application/json', true],
  ])('%s %s → %i %s', async (method, path, status, type, hasBody) => {
    const res = await fetch(beacon + path, { method });
    const body = await res.text();
    expect([res.status, res.headers.get('content-type'), body.length > 0]).toEqual([status, type, hasBody]);
  });
});
