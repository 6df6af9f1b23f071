// The client's side of one connection, as a stream of requests: each head is read whole (request line and
// headers, usually one read), then its body is counted through (Content-Length, or chunk by chunk) without
// looking at it, so a pipelined or keep-alive connection is read request by request. Bytes of a request that
// passes go to `forward` as they arrived, in the very Buffers they came in where possible; a request the
// guard answers itself is dropped, body and all.
import { find, headEnd, readHead, type RequestHead } from './request-head';

export type Answer = 'dot-segment' | 'bad-request' | 'head-too-large';

export interface RequestSink {
  /** Bytes of passing requests, in order. */
  forward(bytes: Buffer): void;
  /** The guard answers the request whose head was just read; `close`: end the connection after it. Return false to pause until `resume()`. */
  answer(answer: Answer, head: RequestHead | undefined, close: boolean): boolean;
  /** A body that cannot be framed as workerd would (a bad chunk): nothing more is read; end after what is under way. */
  broken(): void;
}

/** kj's limit for a request head (MAX_BUFFER in kj/compat/http.c++); past it kj answers 431 too. */
export const MAX_HEAD = 128 * 1024;
/** kj's MAX_CHUNK_HEADER_SIZE: a chunk-size line longer than this is an error there. */
const MAX_CHUNK_LINE = 32;

const enum State {
  Head,
  Body,
  ChunkSize,
  ChunkData,
  ChunkCr,
  ChunkLf,
  Done,
}

const LF = 0x0a;
const EMPTY = Buffer.alloc(0);
const CR = 0x0d;

/** A chunk size as kj reads it: hex digits only; -1 for anything else. */
function hexValue(buf: Buffer, start: number, end: number): number {
  if (start === end) return -1;
  let n = 0;
  for (let i = start; i < end; i++) {
    const c = buf[i];
    const d = c >= 0x30 && c <= 0x39 ? c - 0x30 : c >= 0x61 && c <= 0x66 ? c - 0x57 : c >= 0x41 && c <= 0x46 ? c - 0x37 : -1;
    if (d < 0) return -1;
    n = n * 16 + d;
    if (n > Number.MAX_SAFE_INTEGER) return -1;
  }
  return n;
}

export class RequestStream {
  private state = State.Head;
  /** Body or chunk bytes still to come. */
  private remaining = 0;
  private lastChunk = false;
  /** The current request is answered by the guard: its bytes are dropped, not forwarded. */
  private dropping = false;
  private paused = false;
  /** Bytes received but not yet forwarded or dropped (an incomplete head or chunk line, or input held while paused). */
  private pending: Buffer | undefined;

  constructor(private readonly sink: RequestSink) {}

  get done(): boolean {
    return this.state === State.Done;
  }

  push(chunk: Buffer): void {
    if (this.state === State.Done) return;
    const buf = this.pending ? Buffer.concat([this.pending, chunk]) : chunk;
    this.pending = undefined;
    if (this.paused) this.pending = buf;
    else this.run(buf);
  }

  resume(): void {
    this.paused = false;
    const buf = this.pending;
    this.pending = undefined;
    if (buf && this.state !== State.Done) this.run(buf);
  }

  // The buffer being read and two places in it: `pos`, how far it is read; `from`, where the bytes not yet
  // forwarded or dropped start. Fields rather than closures: no function is created per read (see request-head.ts).
  private buf: Buffer = EMPTY;
  private pos = 0;
  private from = 0;

  /** Forwards (or, for a refused request, drops) the bytes read since the last flush. */
  private flush(): void {
    const { buf, pos, from } = this;
    if (pos > from && !this.dropping) this.sink.forward(from === 0 && pos === buf.length ? buf : buf.subarray(from, pos));
    this.from = pos;
  }

  /** Ends reading: the guard's own answer (closing after it), or none for a body that cannot be framed. */
  private finish(answer: Answer | undefined, head?: RequestHead): void {
    this.flush();
    this.state = State.Done;
    if (answer) this.sink.answer(answer, head, true);
    else this.sink.broken();
  }

  private run(buf: Buffer): void {
    const length = buf.length;
    this.buf = buf;
    this.pos = 0;
    this.from = 0;
    scan: while (this.pos < length) {
      const pos = this.pos;
      switch (this.state) {
        case State.Head: {
          const end = headEnd(buf, pos);
          if ((end < 0 ? length : end) - pos > MAX_HEAD) return this.finish('head-too-large');
          if (end < 0) break scan;
          const head = readHead(buf, pos, end);
          if (head.malformed) return this.finish('bad-request', head);
          if (head.dotSegment !== this.dropping) {
            this.flush();
            this.dropping = head.dotSegment;
          }
          this.pos = end;
          this.frame(head);
          if (head.dotSegment) {
            this.flush();
            // A body the client holds back until told to send it: answer now and close (as Go's server does).
            if (head.close || (head.expectContinue && head.framing.kind !== 'none')) return this.finish('dot-segment', head);
            if (!this.sink.answer('dot-segment', head, false)) {
              this.paused = true;
              break scan;
            }
          }
          break;
        }
        case State.Body:
        case State.ChunkData: {
          const n = Math.min(this.remaining, length - pos);
          this.pos = pos + n;
          this.remaining -= n;
          if (this.remaining === 0) this.state = this.state === State.Body ? State.Head : State.ChunkCr;
          break;
        }
        case State.ChunkSize: {
          const lf = find(buf, LF, pos, Math.min(length, pos + MAX_CHUNK_LINE + 2));
          if (lf < 0) {
            if (length - pos > MAX_CHUNK_LINE) return this.finish(undefined);
            break scan;
          }
          // kj: hex digits only (no extensions), one CR before the LF at most.
          const size = lf - pos > MAX_CHUNK_LINE ? -1 : hexValue(buf, pos, lf > pos && buf[lf - 1] === CR ? lf - 1 : lf);
          if (size < 0) return this.finish(undefined);
          this.pos = lf + 1;
          this.lastChunk = size === 0;
          this.remaining = size;
          this.state = size === 0 ? State.ChunkCr : State.ChunkData;
          break;
        }
        case State.ChunkCr:
        case State.ChunkLf: {
          const c = buf[pos];
          if (c === CR && this.state === State.ChunkCr) this.state = State.ChunkLf;
          else if (c === LF) this.state = this.lastChunk ? State.Head : State.ChunkSize;
          else return this.finish(undefined);
          this.pos = pos + 1;
          break;
        }
        case State.Done:
          return;
      }
    }
    this.flush();
    if (this.pos < length && this.state !== State.Done) this.pending = buf.subarray(this.pos);
    this.buf = EMPTY;
  }

  /** Sets the body state for a head just read. */
  private frame(head: RequestHead): void {
    const framing = head.framing;
    if (framing.kind === 'length') {
      this.state = State.Body;
      this.remaining = framing.length;
    } else {
      this.state = framing.kind === 'chunked' ? State.ChunkSize : State.Head;
    }
  }
}
