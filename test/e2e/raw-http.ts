// HTTP/1.1 over a bare socket (net.connect), for tests that must send bytes exactly as written: several
// requests on one connection, pipelined or one by one, and the answers read back as they come, 1xx included.
import { connect, type Socket } from 'node:net';

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** One client connection: `send` writes bytes as given, `next` reads the next answer, `closed` tells whether the server ended it. */
export class RawConnection {
  private buffered = Buffer.alloc(0);
  private ended = false;
  private waiter: (() => void) | undefined;

  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.buffered = Buffer.concat([this.buffered, chunk]);
      this.waiter?.();
    });
    socket.on('end', () => {
      this.ended = true;
      this.waiter?.();
    });
    socket.on('error', () => {
      this.ended = true;
      this.waiter?.();
    });
  }

  static open(port: number): Promise<RawConnection> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port }, () => resolve(new RawConnection(socket)));
      socket.once('error', reject);
    });
  }

  send(text: string): void {
    this.socket.write(Buffer.from(text, 'latin1'));
  }

  /** The next answer (a `100 Continue` too); `head`: the request was a HEAD, so no body follows. Throws when the server closes first. */
  async next(head = false): Promise<RawResponse> {
    for (;;) {
      const parsed = parseResponse(this.buffered, head);
      if (parsed) {
        this.buffered = this.buffered.subarray(parsed.length);
        return parsed.response;
      }
      if (this.ended) throw new Error(`connection closed before a whole answer; had ${JSON.stringify(this.buffered.toString('latin1'))}`);
      await new Promise<void>((resolve) => (this.waiter = resolve));
      this.waiter = undefined;
    }
  }

  /** Whether the server ends the connection (with nothing more said) once asked to. */
  async closed(): Promise<boolean> {
    while (!this.ended) await new Promise<void>((resolve) => (this.waiter = resolve));
    return this.buffered.length === 0;
  }

  close(): void {
    this.socket.destroy();
  }
}

/** One response at the start of `buf`, or undefined while incomplete: Content-Length or chunked bodies. */
function parseResponse(buf: Buffer, head: boolean): { response: RawResponse; length: number } | undefined {
  const end = buf.indexOf('\r\n\r\n');
  if (end < 0) return undefined;
  const [statusLine, ...lines] = buf.toString('latin1', 0, end).split('\r\n');
  const status = Number(statusLine.split(' ')[1]);
  const headers = Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
  let at = end + 4;
  if (head || status < 200 || status === 204 || status === 304) return { response: { status, headers, body: '' }, length: at };
  if (headers['transfer-encoding']?.toLowerCase() === 'chunked') {
    let body = '';
    for (;;) {
      const lf = buf.indexOf('\r\n', at);
      if (lf < 0) return undefined;
      const size = parseInt(buf.toString('latin1', at, lf), 16);
      if (buf.length < lf + 2 + size + 2) return undefined;
      body += buf.toString('utf8', lf + 2, lf + 2 + size);
      at = lf + 2 + size + 2;
      if (size === 0) return { response: { status, headers, body }, length: at };
    }
  }
  const length = Number(headers['content-length'] ?? 0);
  if (buf.length < at + length) return undefined;
  return { response: { status, headers, body: buf.toString('utf8', at, at + length) }, length: at + length };
}
