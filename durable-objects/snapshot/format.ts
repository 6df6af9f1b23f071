// Beacon's snapshot file (README "Snapshots"): gzip of one JSON header line, a newline, then the JSON body.
// The header names the format, version, datacenter and index, and carries the SHA-256 of the body bytes,
// so a truncated or altered file is refused before anything is parsed. Not Consul's tar of raft state.
import type { Outcome, Reason } from '../engine/outcome';

export const SNAPSHOT_FORMAT = 'beacon-snapshot';
export const SNAPSHOT_VERSION = 1;
/** The largest file a restore accepts (a Durable Object RPC argument stays under 32 MiB). */
export const MAX_SNAPSHOT_BYTES = 16 * 1024 * 1024;
/** The largest body once decompressed: a snapshot is held in the object's memory while it is applied. */
export const MAX_SNAPSHOT_JSON_BYTES = 64 * 1024 * 1024;

export interface SnapshotHeader {
  format: string;
  version: number;
  datacenter: string;
  index: number;
  createdAt: string;
  sha256: string;
}

/** Rows as arrays in `columns` order; a BLOB is `{ "base64": "…" }`. */
export interface SnapshotTable {
  columns: string[];
  rows: unknown[][];
}

export interface SnapshotBody {
  /** Index row names and values at save time (a restore moves them all past these). */
  indexes: Record<string, number>;
  tables: Record<string, SnapshotTable>;
}

export type Decoded = Outcome<{ header: SnapshotHeader; body: SnapshotBody }, Reason>;

const hex = (buf: ArrayBuffer) => [...new Uint8Array(buf)].map((b) => b.toString(16).padStart(2, '0')).join('');
const sha256 = async (bytes: Uint8Array) => hex(await crypto.subtle.digest('SHA-256', bytes));

export async function encodeSnapshot(header: Omit<SnapshotHeader, 'format' | 'version' | 'sha256'>, body: SnapshotBody): Promise<Uint8Array<ArrayBuffer>> {
  const bodyBytes = new TextEncoder().encode(JSON.stringify(body));
  const full: SnapshotHeader = { format: SNAPSHOT_FORMAT, version: SNAPSHOT_VERSION, ...header, sha256: await sha256(bodyBytes) };
  const head = new TextEncoder().encode(`${JSON.stringify(full)}\n`);
  const plain = new Uint8Array(head.length + bodyBytes.length);
  plain.set(head);
  plain.set(bodyBytes, head.length);
  return collect(new Blob([plain]).stream().pipeThrough(new CompressionStream('gzip')), Infinity);
}

export async function decodeSnapshot(file: Uint8Array): Promise<Decoded> {
  let plain: Uint8Array;
  try {
    plain = await collect(new Blob([file]).stream().pipeThrough(new DecompressionStream('gzip')), MAX_SNAPSHOT_JSON_BYTES);
  } catch (err) {
    return { ok: false, reason: `failed to decompress snapshot: ${(err as Error).message}` };
  }
  const newline = plain.indexOf(10);
  let header: SnapshotHeader;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(plain.subarray(0, newline < 0 ? plain.length : newline)));
  } catch {
    return { ok: false, reason: 'not a Beacon snapshot: no header line' };
  }
  if (header?.format !== SNAPSHOT_FORMAT) return { ok: false, reason: `not a Beacon snapshot: format ${JSON.stringify(header?.format ?? null)}` };
  if (header.version !== SNAPSHOT_VERSION) return { ok: false, reason: `unsupported snapshot version ${JSON.stringify(header.version)} (this Beacon reads version ${SNAPSHOT_VERSION})` };
  if (typeof header.datacenter !== 'string' || !Number.isSafeInteger(header.index) || typeof header.sha256 !== 'string') {
    return { ok: false, reason: 'not a Beacon snapshot: malformed header' };
  }
  const bodyBytes = plain.subarray(newline + 1);
  if ((await sha256(bodyBytes)) !== header.sha256) return { ok: false, reason: 'failed checking integrity of snapshot: hash check failed' };
  let body: SnapshotBody;
  try {
    body = JSON.parse(new TextDecoder().decode(bodyBytes));
  } catch (err) {
    return { ok: false, reason: `failed to parse snapshot: ${(err as Error).message}` };
  }
  if (!body || typeof body.indexes !== 'object' || typeof body.tables !== 'object') return { ok: false, reason: 'failed to parse snapshot: no tables' };
  return { ok: true, value: { header, body } };
}

async function collect(stream: ReadableStream<Uint8Array>, max: number): Promise<Uint8Array<ArrayBuffer>> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of stream as unknown as AsyncIterable<Uint8Array>) {
    size += chunk.length;
    if (size > max) throw new Error(`more than ${max} bytes once decompressed`);
    chunks.push(chunk);
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}
