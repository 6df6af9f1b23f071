// Answers as JSON text, built once per (read, variant, index of the rows it read) and shared by every
// plain read and woken watcher that asks for the same: a copy, not a re-serialisation. Bounded: the least
// recently used texts go first once there are more than MAX_ENTRIES or MAX_BYTES of them.
import type { Indexed } from '../../worker/consul/common';
import type { Indexes } from './indexes';
import type { Query } from './reads';

const MAX_ENTRIES = 256;
const MAX_BYTES = 64 * 2 ** 20;

export interface AnswerTextsHost {
  indexes: Indexes;
  /** Bumped by a snapshot restore, which may move index rows backwards to values already seen. */
  generation: () => number;
}

interface Entry {
  /** The rows' index (and restore generation) the text was built at: any change to them moves it. */
  at: string;
  answer: Indexed<string>;
}

export class AnswerTexts {
  private readonly entries = new Map<string, Entry>();
  private bytes = 0;
  /** Texts built so far (tests and stats: a shared answer is built once). */
  built = 0;

  constructor(private readonly host: AnswerTextsHost) {}

  /**
   * `query`'s answer for `variant` as text: `build` runs on `read()`'s value only when no text was built
   * since one of `query.rows` last moved. A read whose rows were never written (a service that never
   * existed) is keyed by the current index, so any write rebuilds it.
   */
  text<T>(query: Query<T>, variant: string, read: () => Indexed<T>, build: (value: T) => string): Indexed<string> {
    const { indexes, generation } = this.host;
    const at = `${generation()}:${indexes.max(...query.rows) || `c${indexes.current()}`}`;
    const key = `${query.key}\u0000${variant}`;
    const hit = this.entries.get(key);
    if (hit) {
      this.entries.delete(key);
      if (hit.at === at) {
        this.entries.set(key, hit);
        return hit.answer;
      }
      this.bytes -= hit.answer.value.length;
    }
    const { index, value } = read();
    const answer = { index, value: build(value) };
    this.built++;
    this.entries.set(key, { at, answer });
    this.bytes += answer.value.length;
    for (const [oldest, entry] of this.entries) {
      if (this.entries.size <= MAX_ENTRIES && this.bytes <= MAX_BYTES) break;
      if (oldest === key) break;
      this.entries.delete(oldest);
      this.bytes -= entry.answer.value.length;
    }
    return answer;
  }

  /** How many texts are held (tests). */
  get size(): number {
    return this.entries.size;
  }
}
