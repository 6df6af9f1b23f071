// The dot-segment guard in front of workerd (`npm start`, the node tests) and wrangler dev (`npm run dev`):
// both resolve a raw `..` before the worker runs (docs/deploying.md "Dot segments in a path"), so the guard
// listens on the public port, reads each request's head, answers one whose path has a dot segment with
// Beacon's 400, and pipes everything else to the runtime on its loopback port untouched, byte for byte, both
// ways. One upstream connection per client connection, so answers stay in order: before answering a request
// itself the guard half-closes the upstream, writes what it still answers, then its own answer, and opens a
// new upstream for the requests after it.
import { connect, createServer, type Server, type Socket } from 'node:net';
import { guardAnswers, type AnswerBytes } from './answers';
import type { RequestHead } from './request-head';
import { RequestStream, type Answer, type RequestSink } from './request-stream';

export interface GuardOptions {
  host?: string;
  port: number;
  /** The runtime: a port on 127.0.0.1, or a Unix socket's path (cheaper: no loopback TCP either side). */
  upstream: number | string;
  /** X-Consul-Default-ACL-Policy on the guard's own answers (Beacon's: `allow` while ACLs are off). */
  policy?: string;
}

export interface Guard {
  port: number;
  close(): Promise<void>;
}

const LINGER_MS = 2_000;
/**
 * workerd (kj's HttpServer, pipelineTimeout) closes a keep-alive connection 5 s after its last answer when no
 * next request has come. An upstream that ends this long after its last byte was closed for being idle: the
 * client's connection is kept (Consul's Go server keeps idle connections) and the next request gets a new
 * upstream, instead of the client seeing its keep-alive connection closed under it (or reset, when its next
 * request crossed the close) — what the soak's heartbeats and held watchers met.
 */
const IDLE_CLOSE_MS = 4_900;

/**
 * Answers are read into one buffer shared by every connection (each read is written on at once, on this one
 * thread), not a new one per read; a write the kernel did not take whole keeps its bytes, so the next read
 * gets a fresh buffer.
 */
const READ_BYTES = 64 * 1024;
let readBuffer = Buffer.allocUnsafe(READ_BYTES);
const nextReadBuffer = () => readBuffer;

class GuardedConnection implements RequestSink {
  private upstream: Socket | undefined;
  private readonly requests = new RequestStream(this);
  /** Our own answer, written once the upstream has answered everything sent before it. */
  private queued: { bytes: Buffer; close: boolean } | undefined;
  private clientEnded = false;
  private ending = false;
  private heldForUpstream = false;
  private heldForAnswer = false;
  /** When the upstream last sent a byte (or connected); what was forwarded to it since, from when. */
  private upstreamActive = 0;
  private unanswered: Buffer[] = [];
  private unansweredSince = 0;

  constructor(
    private readonly client: Socket,
    private readonly upstreamAt: number | string,
    private readonly answers: Record<Answer, AnswerBytes>,
  ) {
    client.setNoDelay(true);
    client.on('data', (chunk: Buffer) => this.requests.push(chunk));
    client.on('end', () => this.onClientEnd());
    client.on('drain', () => this.upstream?.resume());
    client.on('error', () => this.destroy());
    client.on('close', () => this.destroy());
  }

  forward(bytes: Buffer): void {
    if (this.ending) return;
    const upstream = this.upstream ?? this.connectUpstream();
    if (!this.unanswered.length) this.unansweredSince = Date.now();
    this.unanswered.push(bytes);
    if (!upstream.write(bytes) && !this.heldForUpstream) {
      this.heldForUpstream = true;
      this.client.pause();
    }
  }

  answer(answer: Answer, head: RequestHead | undefined, close: boolean): boolean {
    const set = this.answers[answer];
    const bytes = head?.head ? (close ? set.headClose : set.headKeep) : close ? set.close : set.keep;
    if (!this.upstream) {
      this.write(bytes, close);
      return true;
    }
    // Answers go out in request order: let the upstream finish what it was sent, then ours.
    this.queued = { bytes, close };
    this.upstream.end();
    if (!close) {
      this.heldForAnswer = true;
      this.client.pause();
    }
    return false;
  }

  broken(): void {
    this.clientEnded = true;
    if (this.upstream) this.upstream.end();
    else if (!this.queued) this.endClient();
  }

  private connectUpstream(): Socket {
    const at = this.upstreamAt;
    const onread = { buffer: nextReadBuffer, callback: (n: number, buf: Buffer) => this.fromUpstream(buf, n) };
    const upstream = typeof at === 'string' ? connect({ path: at, onread }) : connect({ host: '127.0.0.1', port: at, noDelay: true, onread });
    this.upstream = upstream;
    this.upstreamActive = Date.now();
    upstream.on('drain', () => {
      if (this.heldForUpstream) {
        this.heldForUpstream = false;
        if (!this.heldForAnswer) this.client.resume();
      }
    });
    upstream.on('end', () => this.onUpstreamEnd(upstream));
    // The runtime resets a connection it closed while a body was still arriving (it answered without
    // reading it: a 405, a 413). What it answered has been passed on already; end the client gracefully
    // instead of resetting it too, or the client loses that answer.
    upstream.on('error', () => this.onUpstreamEnd(upstream));
    return upstream;
  }

  /** Passes an answer's bytes on; false pauses the upstream until the client drains. */
  private fromUpstream(buf: Buffer, n: number): boolean {
    this.upstreamActive = Date.now();
    if (this.unanswered.length) this.unanswered = [];
    const flowing = this.client.write(buf.subarray(0, n));
    if (this.client.writableLength) readBuffer = Buffer.allocUnsafe(READ_BYTES);
    return flowing;
  }

  private onUpstreamEnd(upstream: Socket): void {
    if (this.upstream !== upstream) return;
    this.upstream = undefined;
    const held = this.heldForUpstream;
    this.heldForUpstream = false;
    if (this.closedIdle()) {
      if (held && !this.heldForAnswer) this.client.resume();
      return;
    }
    this.unanswered = [];
    const queued = this.queued;
    this.queued = undefined;
    if (!queued) return this.endClient();
    this.write(queued.bytes, queued.close || this.clientEnded);
    if (queued.close || this.clientEnded) return;
    this.heldForAnswer = false;
    this.client.resume();
    this.requests.resume();
  }

  /**
   * An idle close by the runtime: forget that upstream and keep the client. Bytes sent to it only once it had
   * been idle that long crossed the close unread (workerd answers every request it reads before it closes; one
   * arriving as it closes makes it reset instead), so they go again, to a new upstream. Anything sent sooner
   * after an answer (a held watch, say) was read: that upstream's end ends the client, as before.
   */
  private closedIdle(): boolean {
    const sent = this.unanswered.length ? this.unansweredSince : Date.now();
    if (this.queued || this.clientEnded || this.ending || sent - this.upstreamActive < IDLE_CLOSE_MS) return false;
    const unanswered = this.unanswered;
    this.unanswered = [];
    for (const bytes of unanswered) this.forward(bytes);
    return true;
  }

  private onClientEnd(): void {
    this.clientEnded = true;
    if (this.queued) return; // ended once the queued answer is written
    if (this.upstream) this.upstream.end();
    else this.endClient();
  }

  private write(bytes: Buffer, close: boolean): void {
    this.client.write(bytes);
    if (close) this.endClient();
  }

  private endClient(): void {
    if (this.ending) return;
    this.ending = true;
    this.client.end();
    // Lingering close, as Go's server does: keep reading (and dropping) what the client still sends for a
    // moment, so its unread bytes don't turn our FIN into a reset that destroys the answer in flight.
    setTimeout(() => this.client.destroy(), LINGER_MS).unref();
  }

  destroy(): void {
    this.upstream?.destroy();
    this.client.destroy();
  }
}

/** Starts the guard; it stops accepting and drops its open connections on `close()`. */
export function startGuard(options: GuardOptions): Promise<Guard> {
  const answers = guardAnswers(options.policy ?? 'allow');
  const connections = new Set<GuardedConnection>();
  const server: Server = createServer({ allowHalfOpen: true }, (client) => {
    const connection = new GuardedConnection(client, options.upstream, answers);
    connections.add(connection);
    client.on('close', () => connections.delete(connection));
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      const { port } = server.address() as { port: number };
      const close = () =>
        new Promise<void>((done) => {
          server.close(() => done());
          for (const connection of connections) connection.destroy();
        });
      resolve({ port, close });
    });
  });
}
