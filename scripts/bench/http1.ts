// A minimal HTTP/1.1 keep-alive client over one TCP socket, one request at a time. The load generator
// shares two cores with workerd, so it must be cheap: no header objects, no streams, just enough
// parsing to find where a response ends (Content-Length or chunked) and its status.
import { connect, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';

export interface Reply {
  status: number;
  head: string;
  body: Buffer;
  /** performance.now() when the first byte of the response arrived, and when the last did. */
  firstByteAt: number;
  doneAt: number;
}

interface Pending {
  resolve(reply: Reply): void;
  reject(err: Error): void;
  firstByteAt: number;
}

const HEAD_END = Buffer.from('\r\n\r\n');

export class Http1Connection {
  private buffer: Buffer = Buffer.alloc(0);
  private parked: Buffer[] = [];
  private parkedBytes = 0;
  /** Bytes still to come before the response in `buffer` can be complete (0: parse at the next chunk). */
  private awaiting = 0;
  private pending: Pending | null = null;

  private constructor(private readonly socket: Socket, private readonly host: string) {
    socket.setNoDelay(true);
    socket.on('data', (chunk) => this.onData(chunk));
    socket.on('error', (err) => this.fail(err));
    socket.on('close', () => this.fail(new Error('connection closed')));
  }

  static open(url: string): Promise<Http1Connection> {
    const { hostname, port } = new URL(url);
    return new Promise((resolve, reject) => {
      const socket = connect({ host: hostname, port: Number(port) });
      socket.once('connect', () => resolve(new Http1Connection(socket, `${hostname}:${port}`)));
      socket.once('error', reject);
    });
  }

  /** The server closed it (or it broke): a request on it would fail. */
  get closed(): boolean {
    return !this.socket.writable;
  }

  /** Sends one request; resolves when its whole response has arrived. */
  /** `headers`: extra header lines, each ending in CRLF. */
  request(method: string, path: string, body?: string, headers = ''): Promise<Reply> {
    if (this.pending) return Promise.reject(new Error('request already in flight on this connection'));
    // A connection the server already closed would take the request and never answer.
    if (!this.socket.writable) return Promise.reject(new Error('connection closed'));
    const length = `${headers}${body === undefined ? '' : `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n`}`;
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject, firstByteAt: 0 };
      this.socket.write(`${method} ${path} HTTP/1.1\r\nHost: ${this.host}\r\n${length}\r\n${body ?? ''}`);
    });
  }

  close(): void {
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    if (!this.pending) return;
    if (!this.pending.firstByteAt) this.pending.firstByteAt = performance.now();
    // A large body arrives in many chunks: keep them aside until its Content-Length is reached, and join
    // once (joining at every chunk made the client quadratic in the body's size, 100 KB answers × 1,000).
    this.parked.push(chunk);
    this.parkedBytes += chunk.length;
    if (this.parkedBytes < this.awaiting) return;
    this.buffer = Buffer.concat(this.buffer.length ? [this.buffer, ...this.parked] : this.parked);
    this.parked = [];
    this.parkedBytes = 0;
    this.awaiting = 0;
    const end = responseEnd(this.buffer);
    if (end === null) {
      this.awaiting = contentEnd(this.buffer) - this.buffer.length;
      return;
    }
    const headEnd = this.buffer.indexOf(HEAD_END);
    const head = this.buffer.toString('latin1', 0, headEnd);
    const body = this.buffer.subarray(headEnd + 4, end.bodyEnd);
    const reply = { status: Number(head.slice(9, 12)), head, body, firstByteAt: this.pending.firstByteAt, doneAt: performance.now() };
    this.buffer = this.buffer.subarray(end.next);
    const { resolve } = this.pending;
    this.pending = null;
    resolve(reply);
  }

  private fail(err: Error): void {
    const pending = this.pending;
    this.pending = null;
    pending?.reject(err);
  }
}

/** Where the first complete response in `buf` ends, or null while it is incomplete. Chunked bodies are left framed. */
function responseEnd(buf: Buffer): { bodyEnd: number; next: number } | null {
  const headEnd = buf.indexOf(HEAD_END);
  if (headEnd < 0) return null;
  const head = buf.toString('latin1', 0, headEnd);
  const start = headEnd + 4;
  const length = /\r\ncontent-length:\s*(\d+)/i.exec(head);
  if (length) {
    const end = start + Number(length[1]);
    return buf.length >= end ? { bodyEnd: end, next: end } : null;
  }
  if (!/\r\ntransfer-encoding:\s*chunked/i.test(head)) return { bodyEnd: start, next: start };
  let pos = start;
  for (;;) {
    const lineEnd = buf.indexOf('\r\n', pos);
    if (lineEnd < 0) return null;
    const size = parseInt(buf.toString('latin1', pos, lineEnd), 16);
    if (size === 0) return buf.length >= lineEnd + 4 ? { bodyEnd: lineEnd + 4, next: lineEnd + 4 } : null;
    pos = lineEnd + 2 + size + 2;
    if (buf.length < pos) return null;
  }
}

/** Where a response whose head is in `buf` and whose length is declared ends (0 when it cannot tell yet). */
function contentEnd(buf: Buffer): number {
  const headEnd = buf.indexOf(HEAD_END);
  if (headEnd < 0) return 0;
  const length = /\r\ncontent-length:\s*(\d+)/i.exec(buf.toString('latin1', 0, headEnd));
  return length ? headEnd + 4 + Number(length[1]) : 0;
}

/** Reads one header's value from a response head. */
export function header(head: string, name: string): string | undefined {
  return new RegExp(`\\r\\n${name}:\\s*([^\\r]*)`, 'i').exec(head)?.[1];
}
