// A minimal Chrome DevTools Protocol client over a minimal WebSocket (RFC 6455, client side: masked text
// frames out; text, continuation, ping and close in), enough to talk to workerd's `--inspector-addr`.
// No dependency: the soak's heap sampling (scripts/soak/heap.ts) and scripts/held-heap.ts use it.
import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';

export interface InspectorTarget {
  id: string;
  title: string;
  webSocketDebuggerUrl: string;
}

/** Every isolate workerd's inspector offers (`/json/list`). */
export async function inspectorTargets(port: number): Promise<InspectorTarget[]> {
  const res = await fetch(`http://127.0.0.1:${port}/json/list`);
  return (await res.json()) as InspectorTarget[];
}

type Listener = (params: Record<string, unknown>) => void;

export class CdpSession {
  private nextId = 1;
  private pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private listeners = new Map<string, Listener>();
  private buffered: Buffer = Buffer.alloc(0);
  private fragments: Buffer[] = [];

  private constructor(private socket: Socket) {
    socket.on('data', (chunk) => this.read(chunk));
    socket.on('close', () => this.failAll(new Error('inspector connection closed')));
    socket.on('error', (err) => this.failAll(err));
  }

  static async open(url: string): Promise<CdpSession> {
    const { hostname, port, pathname } = new URL(url);
    const socket = connect(Number(port), hostname);
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    const key = randomBytes(16).toString('base64');
    socket.write(`GET ${pathname} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`);
    let head = Buffer.alloc(0);
    const rest = await new Promise<Buffer>((resolve, reject) => {
      const onData = (chunk: Buffer) => {
        head = Buffer.concat([head, chunk]);
        const end = head.indexOf('\r\n\r\n');
        if (end < 0) return;
        socket.off('data', onData);
        const status = head.subarray(0, head.indexOf('\r\n')).toString();
        if (!/^HTTP\/1\.1 101/.test(status)) reject(new Error(`inspector handshake: ${status}`));
        else resolve(head.subarray(end + 4));
      };
      socket.on('data', onData).once('error', reject);
    });
    const session = new CdpSession(socket);
    if (rest.length) session.read(rest);
    return session;
  }

  send<T = Record<string, unknown>>(method: string, params: Record<string, unknown> = {}): Promise<T> {
    const id = this.nextId++;
    this.frame(Buffer.from(JSON.stringify({ id, method, params })));
    return new Promise((resolve, reject) => this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject }));
  }

  on(method: string, listener: Listener): void {
    this.listeners.set(method, listener);
  }

  close(): void {
    this.socket.destroy();
  }

  private frame(payload: Buffer) {
    const mask = randomBytes(4);
    const n = payload.length;
    const head = n < 126 ? Buffer.from([0x81, 0x80 | n]) : n < 65536 ? Buffer.from([0x81, 0x80 | 126, n >> 8, n & 255]) : Buffer.concat([Buffer.from([0x81, 0x80 | 127]), bigLength(n)]);
    const masked = Buffer.from(payload);
    for (let i = 0; i < n; i++) masked[i] ^= mask[i & 3];
    this.socket.write(Buffer.concat([head, mask, masked]));
  }

  private read(chunk: Buffer) {
    this.buffered = this.buffered.length ? Buffer.concat([this.buffered, chunk]) : chunk;
    for (;;) {
      const b = this.buffered;
      if (b.length < 2) return;
      let length = b[1] & 127;
      let offset = 2;
      if (length === 126) {
        if (b.length < 4) return;
        length = b.readUInt16BE(2);
        offset = 4;
      } else if (length === 127) {
        if (b.length < 10) return;
        length = Number(b.readBigUInt64BE(2));
        offset = 10;
      }
      if (b.length < offset + length) return;
      const fin = (b[0] & 0x80) !== 0;
      const opcode = b[0] & 15;
      const payload = b.subarray(offset, offset + length);
      this.buffered = b.subarray(offset + length);
      if (opcode === 8) return this.socket.destroy();
      if (opcode === 9) continue; // ping: workerd does not send them; a pong is not needed to keep the session
      if (opcode === 1 || opcode === 0) {
        this.fragments.push(Buffer.from(payload));
        if (fin) {
          const text = Buffer.concat(this.fragments).toString();
          this.fragments = [];
          this.message(JSON.parse(text) as { id?: number; method?: string; params?: Record<string, unknown>; result?: unknown; error?: { message: string } });
        }
      }
    }
  }

  private message(m: { id?: number; method?: string; params?: Record<string, unknown>; result?: unknown; error?: { message: string } }) {
    if (m.id !== undefined) {
      const p = this.pending.get(m.id);
      this.pending.delete(m.id);
      if (m.error) p?.reject(new Error(m.error.message));
      else p?.resolve(m.result);
    } else if (m.method) {
      this.listeners.get(m.method)?.(m.params ?? {});
    }
  }

  private failAll(err: Error) {
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }
}

function bigLength(n: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(BigInt(n));
  return b;
}
