// A held watch's answer: the index it wakes at, learnt by one call into the object per isolate
// (coalesce.ts), and the shared bytes at that index (worker/http/shared-answers.ts). The call that wakes
// also fetches those bytes before it settles, so every watcher it wakes finds them ready: one pass, and
// each watcher resumes once instead of waiting a second time on a fetch another request makes.
import type { BlockingParams, Indexed } from '../consul/common';
import { sharedAnswer } from '../http/shared-answers';
import { heldIndex } from './coalesce';

export interface HeldWatch {
  /** What identical watches share one call on (every variant of a read has the same index). */
  indexKey: string;
  /** The shared text of this variant of the read. */
  answerKey: string;
  /** Blocks in the object until the read's index passes `params.minIndex` or the wait ends. */
  index: (params: BlockingParams) => Promise<number>;
  /** The answer's text now (not blocking). */
  text: () => Promise<Indexed<string>>;
}

export async function heldAnswer(watch: HeldWatch, params: BlockingParams, keepAlive: (promise: Promise<unknown>) => void): Promise<Indexed<Uint8Array<ArrayBuffer>>> {
  const call = (p: BlockingParams) =>
    watch.index(p).then((index) => sharedAnswer(watch.answerKey, index, watch.text).then(() => index, () => index));
  const woke = await heldIndex(watch.indexKey, params, call, keepAlive);
  return sharedAnswer(watch.answerKey, woke, watch.text);
}
