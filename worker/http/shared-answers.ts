// Blocking reads of one answer (one selection of it: the key names it), shared in the worker: the object
// tells each watcher only the index it woke at, and the answer's JSON text at that index crosses RPC once
// per isolate. An index names one content of one read in one datacenter (a change always moves it), so a
// cached text never goes stale. Least recently used first out, past MAX_ANSWERS or MAX_BYTES.
import type { Indexed } from '../consul/common';

const MAX_ANSWERS = 256;
const MAX_BYTES = 64 * 2 ** 20;
let bytes = 0;
const sizes = new Map<string, number>();
const answers = new Map<string, Promise<Indexed<Uint8Array<ArrayBuffer>>>>();
const encoder = new TextEncoder();

/**
 * The answer for `key` at `index`, fetched with `fetchText` when this isolate has none. The text fetched may
 * be newer than `index` (a write landed in between): it is then returned with its own index.
 */
export function sharedAnswer(key: string, index: number, fetchText: () => Promise<Indexed<string>>): Promise<Indexed<Uint8Array<ArrayBuffer>>> {
  const cacheKey = `${key}\u0000${index}`;
  const hit = answers.get(cacheKey);
  if (!hit) return remember(cacheKey, fetchText().then(encode));
  answers.delete(cacheKey);
  answers.set(cacheKey, hit);
  return hit;
}

/** A read that does not block: one fetch, kept for the watchers that may follow at its index. */
export async function freshAnswer(key: string, fetchText: () => Promise<Indexed<string>>): Promise<Indexed<Uint8Array<ArrayBuffer>>> {
  const answer = encode(await fetchText());
  remember(`${key}\u0000${answer.index}`, Promise.resolve(answer));
  return answer;
}

const encode = ({ index, value }: Indexed<string>) => ({ index, value: encoder.encode(value) as Uint8Array<ArrayBuffer> });

function remember(cacheKey: string, answer: Promise<Indexed<Uint8Array<ArrayBuffer>>>): Promise<Indexed<Uint8Array<ArrayBuffer>>> {
  forget(cacheKey);
  answers.set(cacheKey, answer);
  answer.then(
    ({ value }) => {
      if (answers.get(cacheKey) !== answer) return;
      sizes.set(cacheKey, value.byteLength);
      bytes += value.byteLength;
      trim();
    },
    () => answers.get(cacheKey) === answer && forget(cacheKey),
  );
  trim();
  return answer;
}

function trim(): void {
  for (const oldest of answers.keys()) {
    if (answers.size <= MAX_ANSWERS && bytes <= MAX_BYTES) return;
    forget(oldest);
  }
}

function forget(cacheKey: string): void {
  answers.delete(cacheKey);
  bytes -= sizes.get(cacheKey) ?? 0;
  sizes.delete(cacheKey);
}
