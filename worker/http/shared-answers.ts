// Unfiltered blocking reads of one answer, shared in the worker: the object tells each watcher only the
// index it woke at, and the answer's JSON text at that index crosses RPC once per isolate. An index names
// one content of one read in one datacenter (a change always moves it), so a cached text never goes stale.
import type { Indexed } from '../consul/common';

const MAX_ANSWERS = 64;
const answers = new Map<string, Promise<Indexed<Uint8Array<ArrayBuffer>>>>();
const encoder = new TextEncoder();

/**
 * The answer for `key` at `index`, fetched with `fetchText` when this isolate has none. The text fetched may
 * be newer than `index` (a write landed in between): it is then returned with its own index.
 */
export function sharedAnswer(key: string, index: number, fetchText: () => Promise<Indexed<string>>): Promise<Indexed<Uint8Array<ArrayBuffer>>> {
  return answers.get(`${key}\u0000${index}`) ?? remember(`${key}\u0000${index}`, fetchText().then(encode));
}

/** A read that does not block: one fetch, kept for the watchers that may follow at its index. */
export async function freshAnswer(key: string, fetchText: () => Promise<Indexed<string>>): Promise<Indexed<Uint8Array<ArrayBuffer>>> {
  const answer = encode(await fetchText());
  remember(`${key}\u0000${answer.index}`, Promise.resolve(answer));
  return answer;
}

const encode = ({ index, value }: Indexed<string>) => ({ index, value: encoder.encode(value) as Uint8Array<ArrayBuffer> });

function remember(cacheKey: string, answer: Promise<Indexed<Uint8Array<ArrayBuffer>>>): Promise<Indexed<Uint8Array<ArrayBuffer>>> {
  answers.set(cacheKey, answer);
  answer.catch(() => answers.delete(cacheKey));
  if (answers.size > MAX_ANSWERS) answers.delete(answers.keys().next().value!);
  return answer;
}
