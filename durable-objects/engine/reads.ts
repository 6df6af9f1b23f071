// Reads as values (`Query`: a key, the index rows it depends on, how to run it) and the one way they are
// served: blocking on their rows (Consul's blockingQuery), with every reader at one raft index sharing one
// run. Answers the worker wants as text are kept by engine/answer-texts.ts.
import type { BlockingParams, Indexed } from '../../worker/consul/common';
import type { Indexes } from './indexes';
import type { Metrics } from './metrics';
import { block, type Watches } from './watches';

export interface Query<T> {
  /** Identifies the read: watchers woken by the same write share one run of it. */
  key: string;
  rows: string[];
  read: () => Indexed<T>;
}

/** What a noun's reads need to build their queries. */
export interface ReadContext {
  sql: SqlStorage;
  indexes: Indexes;
  datacenter: string;
}

export const indexed = <T>(index: number, value: T): Indexed<T> => ({ index: Math.max(1, index), value });

export interface ReadsHost {
  indexes: Indexes;
  watches: Watches;
  metrics: Metrics;
}

export class Reads {
  private readonly cache = new Map<string, Indexed<unknown>>();
  private cacheIndex = 0;

  constructor(private readonly host: ReadsHost) {}

  blocking<T>(query: Query<T>, params: BlockingParams): Promise<Indexed<T>> {
    this.count(params);
    return block(this.host.watches, params, query.rows, () => this.shared(query));
  }

  /** Blocks like `blocking` but answers only the index: the worker fetches the answer once per index. */
  async blockingIndex<T>(query: Query<T>, params: BlockingParams): Promise<number> {
    // Counted as a blocking query too: one per call into the object, however many watchers share it.
    this.count(params);
    return (await block(this.host.watches, params, query.rows, () => ({ index: this.shared(query).index, value: null }))).index;
  }

  private count(params: BlockingParams): void {
    this.host.metrics.incr('beacon.datacenter.requests', 1, { kind: 'read' });
    if (params.minIndex > 0) this.host.metrics.incr('consul.rpc.query');
  }

  /** Reads made at the same raft index are identical: the watchers one write wakes share one run. */
  shared<T>(query: Query<T>): Indexed<T> {
    const index = this.host.indexes.current();
    if (this.cacheIndex !== index) {
      this.cache.clear();
      this.cacheIndex = index;
    }
    let result = this.cache.get(query.key) as Indexed<T> | undefined;
    if (!result) this.cache.set(query.key, (result = query.read()));
    return result;
  }
}
