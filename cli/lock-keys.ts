// The KV side of `beacon lock`: Consul's api/lock.go (one holder, `<prefix>/.lock`) and api/semaphore.go
// (N holders, contender keys plus a `.lock` coordination record), flags compared as exact uint64 strings.
import { setTimeout as sleep } from 'node:timers/promises';
import { CliError, encodeKey, type Client } from './http';
import { parsePairs, type Pair } from './kv-data';

export const LOCK_FLAG = '3304740253564472344';
export const SEMAPHORE_FLAG = '16210313421097356768';
const WAIT = '15000ms';

export async function readPair(client: Client, key: string, index = '0', signal?: AbortSignal): Promise<{ pair: Pair | null; index: string }> {
  const res = await client.request('GET', `/v1/kv/${encodeKey(key)}`, { query: { consistent: true, index: index === '0' ? undefined : index, wait: index === '0' ? undefined : WAIT }, allow404: true, signal });
  return { pair: res.status === 404 ? null : (parsePairs(await res.text())[0] ?? null), index: res.headers.get('X-Consul-Index') ?? '0' };
}

async function put(client: Client, key: string, query: Record<string, string>, body = ''): Promise<boolean> {
  const res = await client.request('PUT', `/v1/kv/${encodeKey(key)}`, { query, body });
  return (await res.text()).trim() === 'true';
}

export interface Held {
  /** Resolves when the lock is lost (another holder, or the key or session gone). */
  lost: Promise<void>;
  release(): Promise<void>;
}

/** Blocks until `<prefix>/.lock` is ours (or `signal` aborts, which throws AbortError). */
export async function acquireLock(client: Client, prefix: string, session: string, signal: AbortSignal): Promise<Held> {
  const key = `${prefix}/.lock`;
  let index = '0';
  for (;;) {
    signal.throwIfAborted();
    const read = await readPair(client, key, index, signal);
    if (read.pair && read.pair.Flags !== LOCK_FLAG) throw new CliError('Existing key does not match lock use');
    if (read.pair?.Session && read.pair.Session !== session) { index = read.index; continue; }
    if (await put(client, key, { acquire: session, flags: LOCK_FLAG })) break;
    await sleep(5000, undefined, { signal });
    index = '0';
  }
  const monitor = new AbortController();
  const lost = (async () => {
    let at = '0';
    let failures = 0;
    while (!monitor.signal.aborted) {
      try {
        const read = await readPair(client, key, at, monitor.signal);
        if (read.pair?.Session !== session) return;
        at = read.index;
        failures = 0;
      } catch (err) {
        if (monitor.signal.aborted || ++failures > 3) return;
        await sleep(1000);
      }
    }
  })();
  return {
    lost,
    async release() {
      monitor.abort();
      await put(client, key, { release: session, flags: LOCK_FLAG });
      const { pair } = await readPair(client, key);
      if (pair && !pair.Session) await client.request('DELETE', `/v1/kv/${encodeKey(key)}`, { query: { cas: String(pair.ModifyIndex) } });
    },
  };
}

interface Record_ { Limit: number; Holders: Record<string, boolean> }

/** Blocks until this session is one of the `limit` holders in `<prefix>/.lock`. */
export async function acquireSemaphore(client: Client, prefix: string, session: string, limit: number, signal: AbortSignal): Promise<Held> {
  const lockKey = `${prefix}/.lock`;
  if (!(await put(client, `${prefix}/${session}`, { acquire: session, flags: SEMAPHORE_FLAG }))) throw new CliError('failed to make contender entry');
  let index = '0';
  for (;;) {
    signal.throwIfAborted();
    const res = await client.request('GET', `/v1/kv/${encodeKey(prefix)}/`, { query: { recurse: true, consistent: true, index: index === '0' ? undefined : index, wait: index === '0' ? undefined : WAIT }, allow404: true, signal });
    const next = res.headers.get('X-Consul-Index') ?? '0';
    const pairs = res.status === 404 ? [] : parsePairs(await res.text());
    const lock = pairs.find((p) => p.Key === lockKey);
    if (lock && lock.Flags !== SEMAPHORE_FLAG) throw new CliError('lock key does not match semaphore use');
    const record: Record_ = lock?.Value ? JSON.parse(Buffer.from(lock.Value, 'base64').toString('utf8')) : { Limit: limit, Holders: {} };
    if (record.Limit !== limit) throw new CliError(`semaphore limit conflict (lock: ${record.Limit}, local: ${limit})`);
    const alive = new Set(pairs.filter((p) => p.Session && p.Key !== lockKey).map((p) => p.Session!));
    const holders = Object.keys(record.Holders).filter((h) => alive.has(h));
    if (holders.includes(session)) break;
    if (holders.length < limit) {
      const value = JSON.stringify({ Limit: limit, Holders: Object.fromEntries([...holders, session].map((h) => [h, true])) });
      if (await put(client, lockKey, { cas: String(lock?.ModifyIndex ?? 0), flags: SEMAPHORE_FLAG }, value)) break;
      index = '0';
      continue;
    }
    index = next;
  }
  const monitor = new AbortController();
  const lost = (async () => {
    let at = '0';
    while (!monitor.signal.aborted) {
      try {
        const read = await readPair(client, lockKey, at, monitor.signal);
        const holders = read.pair?.Value ? (JSON.parse(Buffer.from(read.pair.Value, 'base64').toString('utf8')) as Record_).Holders : {};
        if (!holders[session]) return;
        at = read.index;
      } catch {
        if (monitor.signal.aborted) return;
        await sleep(1000);
      }
    }
  })();
  return {
    lost,
    async release() {
      monitor.abort();
      for (let attempt = 0; attempt < 10; attempt++) {
        const { pair } = await readPair(client, lockKey);
        if (!pair?.Value) break;
        const record = JSON.parse(Buffer.from(pair.Value, 'base64').toString('utf8')) as Record_;
        if (!record.Holders[session]) break;
        delete record.Holders[session];
        if (await put(client, lockKey, { cas: String(pair.ModifyIndex), flags: SEMAPHORE_FLAG }, JSON.stringify(record))) break;
      }
      await client.request('DELETE', `/v1/kv/${encodeKey(`${prefix}/${session}`)}`);
      // Consul's Semaphore.Destroy: with no holders and no live contenders left, the .lock record goes.
      const res = await client.request('GET', `/v1/kv/${encodeKey(prefix)}/`, { query: { recurse: true, consistent: true }, allow404: true });
      const pairs = res.status === 404 ? [] : parsePairs(await res.text());
      const lock = pairs.find((p) => p.Key === lockKey);
      const record = lock?.Value ? (JSON.parse(Buffer.from(lock.Value, 'base64').toString('utf8')) as Record_) : null;
      const contenders = pairs.filter((p) => p.Key !== lockKey && p.Session);
      if (lock && record && Object.keys(record.Holders).length === 0 && contenders.length === 0) {
        await client.request('DELETE', `/v1/kv/${encodeKey(lockKey)}`, { query: { cas: String(lock.ModifyIndex) } });
      }
    },
  };
}
