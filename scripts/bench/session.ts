// What every benchmark script does around its measurements: a temp directory, Beacon built and served by
// `workerd serve`, and everything stopped and removed at the end, on an error, on Ctrl-C or at a time limit.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build, startWorkerd, VARS, type Workerd } from './workerd';

export interface BenchSession {
  server: Workerd;
  dir: string;
  /** Registers a clean-up (a child process to stop, say) run before workerd is stopped. */
  defer(cleanUp: () => Promise<void>): void;
}

/**
 * Whether the benchmark script `name` runs: with BENCH_ONLY set (a list of main.ts scenario keys, or
 * `dns`/`federation`), only the scripts it names do, so a quick subset never rewrites BENCHMARKS.md.
 */
export function benchSelected(name: string): boolean {
  const only = process.env.BENCH_ONLY?.split(',').filter(Boolean);
  if (!only || only.includes(name)) return true;
  console.log(`bench ${name}: skipped (BENCH_ONLY=${process.env.BENCH_ONLY})`);
  return false;
}

export async function benchSession<T>(
  name: string,
  limitMs: number,
  run: (session: BenchSession) => Promise<T>,
  vars: Record<string, string> = VARS,
  args: string[] = [],
): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), `beacon-bench-${name}-`));
  let server: Workerd | undefined;
  const deferred: (() => Promise<void>)[] = [];
  const cleanUp = async () => {
    for (const fn of deferred.reverse()) await fn();
    await server?.stop();
    await rm(dir, { recursive: true, force: true });
  };
  const abort = (why: string) => {
    console.error(`bench ${name}: ${why}; stopping workerd`);
    void cleanUp().finally(() => process.exit(1));
  };
  const watchdog = setTimeout(() => abort(`over the ${Math.round(limitMs / 1000)} s limit`), limitMs);
  const onSigint = () => abort('interrupted');
  process.once('SIGINT', onSigint);
  try {
    console.log(`bench ${name}: building Beacon and the bench worker (wrangler deploy --dry-run)…`);
    await build(dir);
    server = await startWorkerd(dir, vars, args);
    console.log(`bench ${name}: workerd serve running (pid ${server.pid})`);
    return await run({ server, dir, defer: (fn) => void deferred.push(fn) });
  } catch (err) {
    if (server) console.error(server.diagnostics());
    throw err;
  } finally {
    clearTimeout(watchdog);
    process.off('SIGINT', onSigint);
    await cleanUp();
  }
}
