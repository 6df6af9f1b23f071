// workerd's own cost of a held request, for scripts/held-memory.ts and scripts/held-heap.ts: a bare worker
// whose /hold awaits (a timer and a resolve of its own), whose /hold-rpc awaits a bare Durable Object RPC that
// awaits, and whose /release answers every parked one.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { compatibility, runWorkerd, str } from './workerd-runtime';

const BARE = `import { DurableObject } from 'cloudflare:workers';
const held = new Set();
// A pending timer as well: a request awaiting only another request's resolve() is cancelled by workerd's hang detection.
const park = (set) => new Promise((resolve) => { const t = setTimeout(resolve, 300000); set.add(() => { clearTimeout(t); resolve(1); }); });
export class Holder extends DurableObject {
  constructor(ctx, env) { super(ctx, env); this.held = new Set(); }
  hold() { return park(this.held); }
  release() { for (const r of this.held) r(); const n = this.held.size; this.held.clear(); return n; }
}
export default {
  async fetch(request, env) {
    const { pathname } = new URL(request.url);
    const stub = env.HOLDER.getByName('one');
    if (pathname === '/hold') { await park(held); return new Response('[]'); }
    if (pathname === '/hold-rpc') { await stub.hold(); return new Response('[]'); }
    if (pathname === '/release') { for (const r of held) r(); const n = held.size; held.clear(); return new Response(String(n + await stub.release())); }
    return new Response('ok');
  },
};
`;

/** The bare worker on its own workerd (`args`: more `workerd serve` arguments). */
export async function startBare(dir: string, args: readonly string[] = []) {
  const { date } = await compatibility();
  await writeFile(join(dir, 'bare.js'), BARE);
  await writeFile(join(dir, 'bare.capnp'), `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [(name = "bare", worker = (modules = [(name = "bare.js", esModule = embed "bare.js")], compatibilityDate = ${str(date)},
    bindings = [(name = "HOLDER", durableObjectNamespace = "Holder")], durableObjectNamespaces = [(className = "Holder", uniqueKey = "bare-holder")],
    durableObjectStorage = (inMemory = void)))],
  sockets = [(name = "http", address = "127.0.0.1:0", http = (), service = "bare")],
);
`);
  const workerd = await runWorkerd(join(dir, 'bare.capnp'), { cwd: dir, sockets: ['http'], args });
  return { url: `http://127.0.0.1:${workerd.ports.get('http')}`, pid: workerd.pid, stop: workerd.stop };
}
