// The worker's answers to the questions the gateway has been asked, each kept fresh by a blocking
// /dns-query (`?index=&wait=`): when a read the answer made changes (a deregistration, a failing check),
// the worker answers again at once and the new bytes replace the old, so no answer outlives a change by
// more than the worker's round trip. An answer the worker gives no index for (a prepared query) is reused
// for `cacheMs` only. At most `maxWatched` are held, the least recently asked dropped first; one not asked
// between two sweeps `idleMs` apart stops being watched. A watch that fails drops its answer,
// so the next query asks the worker again.
import * as packet from 'dns-packet';
import { relay } from './relay';

/** One question's answer as the worker gave it (ID 0), shared by every client and EDNS size asking it. */
export interface Upstream {
  answer: packet.Packet;
  /** Bumped on each change, -1 once dropped: a reply built from an older version is built again. */
  version: number;
  /** When the answer stops being usable: never while watched, `cacheMs` after asking when it cannot be. */
  expires: number;
  /** The store's tick when last asked (set through `touch`): the least recently asked is evicted first. */
  asked: number;
}

interface Entry extends Upstream {
  key: string;
  query: Uint8Array;
  bytes: Buffer;
  index?: number;
  stop: AbortController;
}

export interface AnswerStoreOptions {
  workerUrl: string;
  workerTimeoutMs: number;
  token: string;
  cacheMs: number;
  maxWatched: number;
  idleMs: number;
  waitMs: number;
  log: (message: string) => void;
}

const rcodeOf = (answer: packet.Packet) => (answer as { rcode?: string }).rcode;

export class AnswerStore {
  private readonly entries = new Map<string, Entry>();
  private readonly pending = new Map<string, Promise<Upstream>>();
  private readonly sweeper: NodeJS.Timeout;
  private ticks = 0;
  private sweptAt = 0;
  /** Requests made for a miss, and changes a watch brought in (tests and logs read these). */
  readonly stats = { loads: 0, refreshes: 0 };

  constructor(private readonly options: AnswerStoreOptions) {
    this.sweeper = setInterval(() => this.sweepIdle(), options.idleMs).unref();
  }

  /** The answer held for `key`, or one request for it shared by every concurrent caller (`query`: its bytes, ID 0). */
  get(key: string, query: () => Uint8Array): Promise<Upstream> {
    const held = this.entries.get(key);
    if (held && held.expires > performance.now()) {
      this.touch(held);
      return Promise.resolve(held);
    }
    if (held) this.drop(held);
    let running = this.pending.get(key);
    if (!running) {
      running = this.load(key, query()).finally(() => this.pending.delete(key));
      this.pending.set(key, running);
    }
    return running;
  }

  /** Notes a hit on `upstream` (one increment: the hit path calls it for every query). */
  touch(upstream: Upstream): void {
    upstream.asked = ++this.ticks;
  }

  /** How many answers are held (watched or not yet expired). */
  get size(): number {
    return this.entries.size;
  }

  /** Stops every watch. */
  close(): void {
    clearInterval(this.sweeper);
    for (const entry of [...this.entries.values()]) this.drop(entry);
  }

  private async load(key: string, query: Uint8Array): Promise<Upstream> {
    const { workerUrl, workerTimeoutMs, token, cacheMs } = this.options;
    const started = performance.now();
    this.stats.loads++;
    const { body, index } = await relay(workerUrl, query, workerTimeoutMs, token);
    const answer = packet.decode(body);
    const entry: Entry = { key, query, bytes: body, answer, index, version: 0, expires: index === undefined ? started + cacheMs : Infinity, asked: ++this.ticks, stop: new AbortController() };
    // SERVFAIL is never kept, nor an answer that can be neither watched nor cached.
    if (rcodeOf(answer) === 'SERVFAIL' || entry.expires <= started) return { ...entry, version: -1 };
    if (this.entries.size >= this.options.maxWatched) this.evictLeastAsked();
    this.entries.set(key, entry);
    if (index !== undefined) void this.watch(entry);
    return entry;
  }

  private async watch(entry: Entry): Promise<void> {
    const { workerUrl, workerTimeoutMs, token, waitMs, log } = this.options;
    while (entry.version >= 0) {
      try {
        const { body, index } = await relay(workerUrl, entry.query, workerTimeoutMs, token, { index: entry.index!, waitMs, signal: entry.stop.signal });
        if (entry.version < 0) return;
        if (index === undefined) throw new Error('the worker answered without X-Consul-Index');
        entry.index = index;
        if (body.equals(entry.bytes)) continue;
        const answer = packet.decode(body);
        if (rcodeOf(answer) === 'SERVFAIL') throw new Error('the worker answered SERVFAIL');
        entry.answer = answer;
        entry.bytes = body;
        entry.version++;
        this.stats.refreshes++;
      } catch (err) {
        if (entry.version < 0) return;
        log(`dns-gateway: stopped watching a name (it will be asked again): ${(err as Error).message}`);
        this.drop(entry);
      }
    }
  }

  private drop(entry: Entry): void {
    entry.version = -1;
    entry.stop.abort();
    if (this.entries.get(entry.key) === entry) this.entries.delete(entry.key);
  }

  /** One scan, only on a miss with the store full. */
  private evictLeastAsked(): void {
    let least: Entry | undefined;
    for (const entry of this.entries.values()) if (!least || entry.asked < least.asked) least = entry;
    if (least) this.drop(least);
  }

  /** Drops what was not asked since the previous sweep. */
  private sweepIdle(): void {
    for (const entry of [...this.entries.values()]) if (entry.asked <= this.sweptAt) this.drop(entry);
    this.sweptAt = this.ticks;
  }
}
