// The reads one DNS answer made, for blocking `/dns-query?index=&wait=` (the dns-gateway keeps its cached
// answers fresh with it): each read is kept as a function of BlockingParams, its index noted. The answer's
// index (X-Consul-Index) is the highest; waiting for a change races every read, blocked past that index.
import type { BlockingParams, Indexed } from '../consul/common';

export type IndexedRead<T> = (p: BlockingParams) => Promise<Indexed<T>>;

const FRESH: BlockingParams = { minIndex: 0, waitMs: 0 };

export class ReadLog {
  private readonly reads: IndexedRead<unknown>[] = [];
  private highest = 0;
  /** Set by a read whose changes cannot be waited for (a prepared query runs with failover): no index then. */
  unwatchable = false;

  /** Reads now and remembers how to read again blocked. */
  async read<T>(read: IndexedRead<T>): Promise<T> {
    this.reads.push(read as IndexedRead<unknown>);
    const { index, value } = await read(FRESH);
    this.highest = Math.max(this.highest, index);
    return value;
  }

  /** The answer's index: the highest of its reads, at least 1 as Consul's are (an answer with no reads never changes). */
  get index(): number | undefined {
    return this.unwatchable ? undefined : Math.max(1, this.highest);
  }

  /** Resolves once one of the reads passes `minIndex`, or after `waitMs` (at once when nothing can be watched). */
  async changed(p: BlockingParams): Promise<void> {
    if (this.unwatchable) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, p.waitMs)));
    try {
      await Promise.race([timeout, ...this.reads.map((read) => read(p))]);
    } finally {
      clearTimeout(timer);
    }
  }
}
