// What the guard itself answers, as the bytes it writes. A dot segment gets the very answer Beacon's worker
// gives a `%2e%2e` it sees (worker/http/dot-segments.ts: Consul's text, the ACL policy header); a head workerd
// could frame differently gets Go's net/http answer to a malformed request, and the connection is closed.
import { DOT_SEGMENT_REASON } from '../../worker/http/dot-segments';
import type { Answer } from './request-stream';

export interface AnswerBytes {
  /** With a body, keeping the connection open. */
  keep: Buffer;
  /** With a body and `Connection: close`. */
  close: Buffer;
  /** To a HEAD request: the same head, no body. */
  headKeep: Buffer;
  headClose: Buffer;
}

function answerBytes(status: string, headers: string[], body: string): AnswerBytes {
  const head = (close: boolean) =>
    [`HTTP/1.1 ${status}`, ...headers, `Content-Length: ${Buffer.byteLength(body)}`, ...(close ? ['Connection: close'] : []), '', ''].join('\r\n');
  return {
    keep: Buffer.from(head(false) + body, 'latin1'),
    close: Buffer.from(head(true) + body, 'latin1'),
    headKeep: Buffer.from(head(false), 'latin1'),
    headClose: Buffer.from(head(true), 'latin1'),
  };
}

/** The answers, with `policy` as X-Consul-Default-ACL-Policy (what Beacon reports: `allow` while ACLs are off). */
export function guardAnswers(policy: string): Record<Answer, AnswerBytes> {
  return {
    'dot-segment': answerBytes('400 Bad Request', ['Content-Type: text/plain; charset=UTF-8', `X-Consul-Default-ACL-Policy: ${policy}`], DOT_SEGMENT_REASON),
    'bad-request': answerBytes('400 Bad Request', ['Content-Type: text/plain; charset=utf-8'], '400 Bad Request'),
    'head-too-large': answerBytes('431 Request Header Fields Too Large', ['Content-Type: text/plain; charset=utf-8'], '431 Request Header Fields Too Large'),
  };
}
