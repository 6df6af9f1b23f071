import { describe, expect, it } from 'vitest';
import { RequestStream, type Answer, type RequestSink } from './request-stream';

interface Seen {
  forwarded: string;
  events: string[];
}

/** Feeds `input` in pieces cut at `cuts`; the sink pauses at each answer when `pause`, resumed at once after the piece. */
function feed(input: string, cuts: number[] = [], pause = false): Seen {
  const seen: Seen = { forwarded: '', events: [] };
  let stream: RequestStream;
  let paused = false;
  const sink: RequestSink = {
    forward: (bytes) => void (seen.forwarded += bytes.toString('latin1')),
    answer: (answer: Answer, _head, close) => {
      seen.events.push(`${answer}${close ? ' close' : ''}`);
      paused = pause && !close;
      return !paused;
    },
    broken: () => void seen.events.push('broken'),
  };
  stream = new RequestStream(sink);
  const bytes = Buffer.from(input, 'latin1');
  let at = 0;
  for (const cut of [...cuts, bytes.length]) {
    stream.push(bytes.subarray(at, cut));
    at = cut;
    while (paused) {
      paused = false;
      stream.resume();
    }
  }
  return seen;
}

/** Every way of cutting `input` in two, plus one byte at a time, and paused at every answer. */
function everyCut(input: string): Seen[] {
  const cuts = [...Array(input.length + 1).keys()].map((i) => [i]);
  return [...cuts.map((c) => feed(input, c)), feed(input, [...Array(input.length).keys()].slice(1)), feed(input, [], true), feed(input, [...Array(input.length).keys()].slice(1), true)];
}

const GET = 'GET /v1/kv/a HTTP/1.1\r\nHost: x\r\n\r\n';
const PUT_LENGTH = 'PUT /v1/kv/b HTTP/1.1\r\nHost: x\r\nContent-Length: 37\r\n\r\nDELETE /v1/kv/app/..?recurse HTTP/1.1';
const PUT_CHUNKED = 'PUT /v1/kv/c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n6\r\n/../..\r\n1B\r\nGET /v1/kv/a/./b HTTP/1.1\r\n\r\n0\r\n\r\n';
const DOT = 'DELETE /v1/kv/app/..?recurse HTTP/1.1\r\nHost: x\r\n\r\n';
const DOT_BODY = 'PUT /v1/kv/a/./b HTTP/1.1\r\nHost: x\r\nContent-Length: 23\r\n\r\nGET /v1/kv/a HTTP/1.1\r\n';
const DOT_CHUNKED = 'PUT /v1/kv/%2e%2e HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n';

describe('RequestStream', () => {
  it.each([
    ['keep-alive requests with bodies that hold dot segments and request lines', [GET, PUT_LENGTH, PUT_CHUNKED, GET].join(''), [GET, PUT_LENGTH, PUT_CHUNKED, GET].join(''), []],
    ['LF-only heads and chunk lines', 'PUT /a HTTP/1.1\nTransfer-Encoding: chunked\n\n2\nab\n0\n\n' + GET, 'PUT /a HTTP/1.1\nTransfer-Encoding: chunked\n\n2\nab\n0\n\n' + GET, []],
    ['a refused request between two that pass', GET + DOT + GET, GET + GET, ['dot-segment']],
    ['a refused request\'s Content-Length body is dropped', DOT_BODY + GET, GET, ['dot-segment']],
    ['a refused request\'s chunked body is dropped', DOT_CHUNKED + PUT_CHUNKED, PUT_CHUNKED, ['dot-segment']],
    ['refused requests in a row', DOT + DOT_BODY + DOT_CHUNKED + GET, GET, ['dot-segment', 'dot-segment', 'dot-segment']],
    ['a refused HTTP/1.0 request ends the connection', GET + 'GET /a/. HTTP/1.0\r\n\r\n' + GET, GET, ['dot-segment close']],
    ['Connection: close on a refused request ends it', 'GET /a/.. HTTP/1.1\r\nConnection: close\r\n\r\n' + GET, '', ['dot-segment close']],
    ['a refused request awaiting 100-continue is answered at once and closed', 'PUT /a/.. HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\nabc' + GET, '', ['dot-segment close']],
    ['a malformed head after one that passes', GET + 'PUT /a HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab' + GET, GET, ['bad-request close']],
    ['a chunk size kj would not read (an extension)', 'PUT /a HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3;x=1\r\nabc\r\n0\r\n\r\n' + GET, 'PUT /a HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n', ['broken']],
    ['a chunk without its line break', 'PUT /a HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcGET / HTTP/1.1\r\n\r\n', 'PUT /a HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc', ['broken']],
    ['chunk trailers (kj reads them as the next request)', 'PUT /a HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX: y\r\n\r\n', 'PUT /a HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n', ['broken']],
  ])('%s', (_name, input, forwarded, events) => {
    for (const seen of everyCut(input)) expect(seen).toEqual({ forwarded, events });
  });

  it('forwards a whole request read at once as the very Buffer it came in', () => {
    const chunk = Buffer.from(GET + PUT_LENGTH);
    const forwarded: Buffer[] = [];
    new RequestStream({ forward: (b) => void forwarded.push(b), answer: () => true, broken: () => {} }).push(chunk);
    expect(forwarded).toEqual([chunk]);
    expect(forwarded[0]).toBe(chunk);
  });

  it('answers 431 and closes when a head grows past kj\'s 128 KiB', () => {
    expect(feed('GET /a HTTP/1.1\r\nX: ' + 'a'.repeat(128 * 1024) + '\r\n\r\n', [1000, 70_000])).toEqual({ forwarded: '', events: ['head-too-large close'] });
  });
});
