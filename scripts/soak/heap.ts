// The soak's heap sampling (SOAK_HEAP=1): V8 heap in use per workerd isolate, read over the inspector
// (`Runtime.getHeapUsage`), and heap snapshots summarised by constructor, to tell Beacon's JavaScript heap
// from workerd's native memory when RSS grows.
import { createWriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { CdpSession, inspectorTargets } from '../cdp';

export interface HeapSample {
  t: number;
  /** MB of V8 heap in use, per isolate (target title). */
  usedMb: Record<string, number>;
}

export class HeapSampler {
  readonly samples: HeapSample[] = [];
  private sessions = new Map<string, CdpSession>();

  constructor(private port: number) {}

  /** Opens a session to every isolate not yet attached (objects' isolates may appear after the first requests). */
  async attach(): Promise<void> {
    for (const target of await inspectorTargets(this.port)) {
      const title = `${target.title} ${target.id}`.trim();
      if (!this.sessions.has(title)) this.sessions.set(title, await CdpSession.open(target.webSocketDebuggerUrl));
    }
  }

  async sample(t: number): Promise<HeapSample> {
    await this.attach();
    const usedMb: Record<string, number> = {};
    for (const [title, session] of this.sessions) {
      const { usedSize } = await session.send<{ usedSize: number }>('Runtime.getHeapUsage');
      usedMb[title] = usedSize / 2 ** 20;
    }
    const sample = { t, usedMb };
    this.samples.push(sample);
    return sample;
  }

  /** A heap snapshot of every isolate, written to `<prefix>-<n>.heapsnapshot`; the paths written. */
  async snapshot(prefix: string): Promise<string[]> {
    const paths: string[] = [];
    let n = 0;
    for (const session of this.sessions.values()) {
      const path = `${prefix}-${n++}.heapsnapshot`;
      const out = createWriteStream(path);
      session.on('HeapProfiler.addHeapSnapshotChunk', (p) => out.write(p.chunk as string));
      await session.send('HeapProfiler.takeHeapSnapshot', { reportProgress: false });
      await new Promise((resolve) => out.end(resolve));
      paths.push(path);
    }
    return paths;
  }

  close(): void {
    for (const s of this.sessions.values()) s.close();
  }
}

export interface ConstructorTotals {
  count: number;
  bytes: number;
}

/** A snapshot's objects grouped by node type and constructor (or V8's internal name): count and self size. */
export async function summarise(path: string): Promise<Map<string, ConstructorTotals>> {
  const snap = JSON.parse(await readFile(path, 'utf8')) as {
    snapshot: { meta: { node_fields: string[]; node_types: [string[]] } };
    nodes: number[];
    strings: string[];
  };
  const fields = snap.snapshot.meta.node_fields;
  const types = snap.snapshot.meta.node_types[0];
  const [typeAt, nameAt, sizeAt] = ['type', 'name', 'self_size'].map((f) => fields.indexOf(f));
  const named = new Set(['object', 'closure', 'native', 'array', 'hidden', 'code', 'synthetic', 'object shape']);
  const totals = new Map<string, ConstructorTotals>();
  for (let i = 0; i < snap.nodes.length; i += fields.length) {
    const type = types[snap.nodes[i + typeAt]];
    const key = named.has(type) ? `${type} ${snap.strings[snap.nodes[i + nameAt]].slice(0, 60)}` : type;
    const t = totals.get(key) ?? { count: 0, bytes: 0 };
    t.count++;
    t.bytes += snap.nodes[i + sizeAt];
    totals.set(key, t);
  }
  return totals;
}

/** The groups that grew most between two summaries, by bytes: lines of `+bytes +count key`. */
export function diff(before: Map<string, ConstructorTotals>, after: Map<string, ConstructorTotals>, top = 25): string[] {
  const rows = [...after].map(([key, a]) => {
    const b = before.get(key) ?? { count: 0, bytes: 0 };
    return { key, bytes: a.bytes - b.bytes, count: a.count - b.count, total: a.bytes };
  });
  rows.sort((x, y) => y.bytes - x.bytes);
  return rows.slice(0, top).map((r) => `${(r.bytes / 1024).toFixed(0).padStart(8)} KB ${String(r.count).padStart(8)} objects  ${r.key} (now ${(r.total / 1024).toFixed(0)} KB)`);
}
