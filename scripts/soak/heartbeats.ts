// The soak's heartbeats, bounded: a fixed pool of keep-alive connections takes due heartbeats off one queue,
// oldest first, so the client never opens more sockets or holds more requests than the pool (a client that
// fell behind shows as lateness, not as thousands of sockets and resets). A check already waiting in the
// queue when its next pass falls due is not queued twice: that pass counts as `coalesced` (an agent would
// send one pass too), and the report says how many were.
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { Http1Connection } from '../bench/http1';

const now = () => performance.now();

export interface HeartbeatCounts {
  due: number;
  coalesced: number;
  sent: number;
  acknowledged: number;
  failed: number;
  /** Sent − due, and acknowledged − due, ms, per acknowledged heartbeat. */
  lateness: number[];
  dueToAck: number[];
  /** Acknowledged within one interval of when it was due. */
  onTime: number;
}

export type Verb = 'pass' | 'warn';
interface Item {
  check: number;
  due: number;
  verb: Verb;
}

export interface CheckState {
  /** Send time of the latest pass acknowledged so far (and when its acknowledgement arrived). */
  lastPassSent: number;
  lastPassAcked: number;
}

export class HeartbeatPool {
  readonly counts: HeartbeatCounts = { due: 0, coalesced: 0, sent: 0, acknowledged: 0, failed: 0, lateness: [], dueToAck: [], onTime: 0 };
  readonly states: CheckState[];
  private readonly queue: Item[] = [];
  private readonly queued = new Set<number>();
  private head = 0;
  private readonly idle: (() => void)[] = [];
  private stopped = false;
  private workers: Promise<void>[] = [];

  constructor(
    private readonly url: string,
    private readonly path: (check: number, verb: Verb) => string,
    checks: number,
    private readonly intervalMs: number,
    private readonly fail: (message: string) => void,
  ) {
    this.states = Array.from({ length: checks }, () => ({ lastPassSent: -Infinity, lastPassAcked: -Infinity }));
  }

  async start(connections: number): Promise<void> {
    const conns = await Promise.all(Array.from({ length: connections }, () => Http1Connection.open(this.url)));
    this.workers = conns.map((conn) => this.work(conn));
  }

  /** Queues a pass (or a warn) of `check`, due at `due`; counted as due (and coalesced if one is already waiting). */
  enqueue(check: number, due: number, verb: Verb = 'pass'): void {
    this.counts.due++;
    if (this.queued.has(check)) {
      this.counts.coalesced++;
      return;
    }
    this.queued.add(check);
    this.queue.push({ check, due, verb });
    this.idle.shift()?.();
  }

  get backlog(): number {
    return this.queue.length - this.head;
  }

  /** Resolves once every queued pass has been answered, or after `limitMs` (what is left then is reported). */
  async drain(limitMs = 60_000): Promise<void> {
    const deadline = now() + limitMs;
    while ((this.backlog || this.queued.size) && now() < deadline) await sleep(20);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const wake of this.idle.splice(0)) wake();
    await Promise.all(this.workers);
  }

  private next(): Item | undefined {
    if (this.head === this.queue.length) return undefined;
    const item = this.queue[this.head++];
    if (this.head > 4096) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
    return item;
  }

  private async work(first: Http1Connection): Promise<void> {
    let conn = first;
    while (!this.stopped) {
      const item = this.next();
      if (!item) {
        await new Promise<void>((resolve) => this.idle.push(resolve));
        continue;
      }
      const sent = now();
      this.counts.sent++;
      try {
        const reply = await conn.request('PUT', this.path(item.check, item.verb), '');
        if (reply.status !== 200) throw new Error(`${reply.status} ${reply.body.toString()}`);
        const acked = now();
        const c = this.counts;
        c.acknowledged++;
        c.lateness.push(sent - item.due);
        c.dueToAck.push(acked - item.due);
        if (acked - item.due <= this.intervalMs) c.onTime++;
        const s = this.states[item.check];
        if (item.verb === 'pass' && sent > s.lastPassSent) Object.assign(s, { lastPassSent: sent, lastPassAcked: acked });
      } catch (err) {
        this.counts.failed++;
        this.fail(`heartbeat ${item.check}: ${(err as Error).message}`);
        conn.close();
        conn = await Http1Connection.open(this.url);
      } finally {
        this.queued.delete(item.check);
      }
    }
    conn.close();
  }
}
