// Runs one real client program (go test, pytest, mvn, haproxy…) as a subprocess against the Beacon
// the node project started, and hands back its exit code and output for the vitest wrapper to assert.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

export interface ClientRun {
  code: number | null;
  output: string;
}

export interface ClientRunOptions {
  cwd: string;
  env?: Record<string, string>;
  /** Killed (the whole process group) after this long; the run then fails with code null. */
  timeoutMs: number;
}

/** Runs `command args…`; stdout and stderr are interleaved in `output`, printed on failure by the caller. */
export function runClient(command: string, args: string[], options: ClientRunOptions): Promise<ClientRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let output = '';
    const append = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-200_000));
    child.stdout.on('data', append);
    child.stderr.on('data', append);
    const timer = setTimeout(() => {
      output += `\n[run-client] killed after ${options.timeoutMs} ms`;
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
    }, options.timeoutMs);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

/** Extra `go test` flags and environment for one run (the default is the whole package, `.`). */
export interface GoTestOptions {
  /** Put before the package, e.g. `['-tags', 'acl', '-run', '^TestACL$']`. */
  args?: string[];
  env?: Record<string, string>;
}

/**
 * A Go client module's own suite, `go test -v -count=1 [args…] .` in the folder of `moduleUrl` (the
 * wrapper's `import.meta.url`), against the Beacon at `beaconUrl`. Asserts that it passed; its output is
 * the failure message otherwise. Returns the output for further assertions.
 */
export async function expectGoTestPasses(moduleUrl: string, beaconUrl: string, timeoutMs = 240_000, options: GoTestOptions = {}): Promise<string> {
  const run = await runClient('go', ['test', '-v', '-count=1', '-timeout', `${Math.floor(timeoutMs / 1000) - 10}s`, ...(options.args ?? []), '.'], {
    cwd: fileURLToPath(new URL('.', moduleUrl)),
    env: { CONSUL_HTTP_ADDR: new URL(beaconUrl).host, ...options.env },
    timeoutMs,
  });
  expect(run.code, run.output).toBe(0);
  expect(run.output).toMatch(/^ok\s/m);
  return run.output;
}
