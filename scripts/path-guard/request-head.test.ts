import { describe, expect, it } from 'vitest';
import { headEnd, hasDotSegment, readHead } from './request-head';

const bytes = (s: string) => Buffer.from(s, 'latin1');
const dots = (target: string) => hasDotSegment(bytes(target), 0, target.length);
const head = (text: string) => {
  const buf = bytes(text);
  const end = headEnd(buf, 0);
  expect(end, text).toBeGreaterThan(0);
  return readHead(buf, 0, end);
};

describe('hasDotSegment: the worker\'s DOT_SEGMENT, over bytes', () => {
  it.each([
    ['/v1/kv/app/..', true],
    ['/v1/kv/app/..?recurse', true],
    ['/v1/kv/a/./b', true],
    ['/v1/kv/a/.', true],
    ['/v1/kv/a/%2e%2e', true],
    ['/v1/kv/a/.%2E/b', true],
    ['/v1/kv/a/%2E.', true],
    ['/v1/kv/a/%2e', true],
    ['/v1/kv/a\\..\\b', true],
    ['/v1/kv/a\\.', true],
    ['/v1/kv/a/..#x', true],
    ['..', true],
    ['/./', true],
    ['/v1/kv/a.b', false],
    ['/v1/kv/...', false],
    ['/v1/kv/.hidden', false],
    ['/v1/kv/a..b', false],
    ['/v1/kv/..a', false],
    ['/v1/kv/a/%2e%2e%2e', false],
    ['/v1/kv/a/%2f..%2fb', false], // encoded slashes: the worker's key check ("key contains path traversal sequence")
    ['/v1/kv/a/%252e%252e', false],
    ['/v1/kv/a?x=/../', false],
    ['/v1/kv/a?/..', false],
    ['/v1/kv/a#/..', false],
    ['/', false],
  ])('%s → %s', (target, expected) => {
    expect(dots(target)).toBe(expected);
  });
});

describe('headEnd', () => {
  it.each([
    ['GET / HTTP/1.1\r\nHost: a\r\n\r\nrest', 27],
    ['GET / HTTP/1.1\nHost: a\n\nrest', 24],
    ['GET / HTTP/1.1\r\nHost: a\r\n\r', -1],
    ['GET / HTTP/1.1\r\nHost: a\r\n', -1],
    ['GET / HTTP/1.1', -1],
  ])('%j → %i', (text, end) => {
    expect(headEnd(bytes(text), 0)).toBe(end);
  });
});

describe('readHead', () => {
  it.each([
    ['GET /v1/kv/a HTTP/1.1\r\nHost: x\r\n\r\n', { dotSegment: false, framing: { kind: 'none' }, close: false }],
    ['DELETE /v1/kv/app/..?recurse HTTP/1.1\r\nHost: x\r\n\r\n', { dotSegment: true, framing: { kind: 'none' } }],
    ['GET\t/v1/kv/a/./b\tHTTP/1.1\r\n\r\n', { dotSegment: true }],
    ['GET   /v1/kv/a/./b HTTP/1.1\r\n\r\n', { dotSegment: true }],
    ['PUT /v1/kv/a HTTP/1.1\r\ncontent-length: 12\r\n\r\n', { framing: { kind: 'length', length: 12 } }],
    ['PUT /v1/kv/a HTTP/1.1\r\nContent-Length  :  7\r\n\r\n', { framing: { kind: 'length', length: 7 } }],
    ['PUT /v1/kv/a HTTP/1.1\r\nContent-Length: 0\r\n\r\n', { framing: { kind: 'none' } }],
    ['PUT /v1/kv/a HTTP/1.1\r\nTransfer-Encoding: Chunked\r\n\r\n', { framing: { kind: 'chunked' } }],
    ['PUT /v1/kv/a HTTP/1.1\nTransfer-Encoding: chunked\n\n', { framing: { kind: 'chunked' } }],
    ['GET /a HTTP/1.0\r\n\r\n', { close: true }],
    ['GET /a HTTP/1.0\r\nConnection: keep-alive\r\n\r\n', { close: false }],
    ['GET /a HTTP/1.1\r\nConnection: close\r\n\r\n', { close: true }],
    ['PUT /a HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n', { expectContinue: true }],
    ['HEAD /a HTTP/1.1\r\n\r\n', { head: true }],
    ['HEADX /a HTTP/1.1\r\n\r\n', { head: false }],
    ['PUT /a HTTP/1.1\r\nX-Content-Length: 5\r\n\r\n', { framing: { kind: 'none' } }],
  ])('%j', (text, expected) => {
    expect(head(text)).toMatchObject({ malformed: false, ...expected });
  });

  // Wherever workerd (kj) could frame the bytes otherwise, or errs itself: refused, and the connection closed.
  it.each([
    ['two Content-Lengths', 'PUT /a HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\n'],
    ['a signed Content-Length', 'PUT /a HTTP/1.1\r\nContent-Length: +5\r\n\r\n'],
    ['a Content-Length list', 'PUT /a HTTP/1.1\r\nContent-Length: 5, 5\r\n\r\n'],
    ['a Content-Length with trailing space', 'PUT /a HTTP/1.1\r\nContent-Length: 5 \r\n\r\n'],
    ['an empty Content-Length', 'PUT /a HTTP/1.1\r\nContent-Length:\r\n\r\n'],
    ['a huge Content-Length', 'PUT /a HTTP/1.1\r\nContent-Length: 99999999999999999999\r\n\r\n'],
    ['Transfer-Encoding and Content-Length', 'PUT /a HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n'],
    ['a Transfer-Encoding other than chunked', 'PUT /a HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n'],
    ['two Transfer-Encodings', 'PUT /a HTTP/1.1\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n'],
    ['a folded header line', 'PUT /a HTTP/1.1\r\nX-A: 1\r\n Content-Length: 5\r\n\r\n'],
    ['a bare CR inside a header line', 'PUT /a HTTP/1.1\r\nX-A: 1\rContent-Length: 5\r\n\r\n'],
    ['a bare CR in the request line', 'GET /a\rX HTTP/1.1\r\n\r\n'],
    ['no target', 'GET\r\n\r\n'],
    ['an empty request line', '\r\n\r\n'],
  ])('%s', (_name, text) => {
    expect(head(text).malformed).toBe(true);
  });
});
