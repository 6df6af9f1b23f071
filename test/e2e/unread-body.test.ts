// An answer given before the request body was read (a method the route does not list, a body over the
// limit) must reach the client. workerd resets a connection closed with body bytes still arriving, which
// destroyed such answers in flight (found by http-fuzz.test.ts); the worker now reads what is left of the
// body first (worker/http/drain.ts) and the path guard closes gracefully (scripts/path-guard/guard.ts).
import { describe, expect, inject, it } from 'vitest';
import { RawConnection } from './raw-http';

const port = () => Number(new URL(inject('beaconUrl')).port);
const body = 'v'.repeat(600_000);

describe('answers given before the body was read', () => {
  it.each([
    ['a method the route does not list', `/v1/health/node/${'fz'.repeat(2000)}`, 405],
    ['a KV value over the limit', '/v1/kv/unread-body/big', 413],
    ['an unknown path', `/v1/nosuch/${'x'.repeat(3000)}`, 404],
  ])('%s: the answer arrives whole, ten times over', async (_what, path, status) => {
    for (let round = 0; round < 10; round++) {
      const connection = await RawConnection.open(port());
      connection.send(`PUT ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/plain\r\nContent-Length: ${body.length}\r\n\r\n`);
      connection.send(body);
      expect((await connection.next()).status).toBe(status);
      connection.close();
    }
  });
});
