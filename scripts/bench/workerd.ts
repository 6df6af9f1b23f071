// Builds Beacon and the bench worker with `wrangler deploy --dry-run`, writes one workerd config with
// three services (Beacon, the bench worker, a no-op worker), and runs plain `workerd serve` on it.
// Sockets listen on 127.0.0.1 port 0; workerd reports the ports it took on a control pipe.
import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { BEACON_NAMESPACE_BINDINGS, beaconNamespaces, bundle, compatibility, list, runWorkerd, str, stopProcess, textVars, WORKERD_BIN } from '../workerd-runtime';

export { WORKERD_BIN, stopProcess };

export const VARS = { DATACENTER: 'dc1', AGENT_NODE: 'beacon', AGENT_ADDRESS: '127.0.0.1', MAX_WAIT_MS: '600000' };
const SOCKETS = ['beacon', 'bench', 'noop'] as const;
export type SocketName = (typeof SOCKETS)[number];

export interface Workerd {
  urls: Record<SocketName, string>;
  pid: number;
  /** The last few KB workerd wrote (stdout and stderr: the workers' console), and whether it is still running. */
  diagnostics(): string;
  stop(): Promise<void>;
}

/** Bundles both workers: `<dir>/beacon/index.js` and `<dir>/bench/bare-worker.js` (wrangler names the output after the entry). */
export async function build(dir: string): Promise<void> {
  await Promise.all([bundle(join(dir, 'beacon')), bundle(join(dir, 'bench'), 'scripts/bench/bare-worker.ts', '--name', 'beacon-bench')]);
}

/** The capnp text: embedded paths are relative to the config file, which lives in `dir`. */
export async function configText(dir: string, bindingVars: Record<string, string> = VARS): Promise<string> {
  const { date, flags } = await compatibility();
  const vars = textVars(bindingVars);
  const worker = (module: string, bindings: string[], namespaces?: string) => `(
    modules = [(name = "index.js", esModule = embed ${str(module)})],
    compatibilityDate = ${str(date)},
    compatibilityFlags = ${list(flags.map(str))},
    bindings = ${list(bindings)},${namespaces ? `
    durableObjectNamespaces = ${namespaces},
    durableObjectStorage = (localDisk = "do-storage"),` : ''}
  )`;
  const ownNamespace = '(name = "DATACENTER_OBJECT", durableObjectNamespace = "Datacenter")';
  const beacon = worker('beacon/index.js', [...BEACON_NAMESPACE_BINDINGS, ...vars], beaconNamespaces('beacon-datacenter', 'beacon-agent-shard'));
  const bench = worker('bench/bare-worker.js', [
    ownNamespace,
    '(name = "BEACON_OBJECT", durableObjectNamespace = (className = "Datacenter", serviceName = "beacon"))',
    '(name = "BEACON_SHARD", durableObjectNamespace = (className = "AgentShard", serviceName = "beacon"))',
    ...vars,
  ], `[(className = "Datacenter", uniqueKey = "bench-datacenter", enableSql = true)]`);
  const noop = worker('noop.js', []);
  return `using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [
    (name = "beacon", worker = ${beacon}),
    (name = "bench", worker = ${bench}),
    (name = "noop", worker = ${noop}),
    (name = "do-storage", disk = (path = ${str(join(dir, 'do-storage'))}, writable = true)),
  ],
  sockets = ${list(SOCKETS.map((s) => `(name = ${str(s)}, address = "127.0.0.1:0", http = (), service = ${str(s)})`))},
);
`;
}

/** Writes the config (with `vars` as the workers' text vars) and the no-op worker into `dir` (after `build`), starts workerd (with `args` added), waits for its sockets. */
export async function startWorkerd(dir: string, vars: Record<string, string> = VARS, args: string[] = []): Promise<Workerd> {
  await mkdir(join(dir, 'do-storage'), { recursive: true });
  await writeFile(join(dir, 'noop.js'), "export default { fetch() { return new Response('ok'); } };\n");
  await writeFile(join(dir, 'config.capnp'), await configText(dir, vars));
  const workerd = await runWorkerd(join(dir, 'config.capnp'), { cwd: dir, sockets: SOCKETS, args });
  const urls = Object.fromEntries(SOCKETS.map((s) => [s, `http://127.0.0.1:${workerd.ports.get(s)}`])) as Record<SocketName, string>;
  return { urls, pid: workerd.pid, diagnostics: workerd.diagnostics, stop: workerd.stop };
}

export async function workerdVersion(): Promise<string> {
  const { stdout } = await promisify(execFile)(WORKERD_BIN, ['--version'], { timeout: 10_000 });
  return stdout.trim();
}
