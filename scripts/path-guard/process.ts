// Runs the guard (main.ts) as a child process in front of a runtime: its own event loop, so neither the
// launcher's work (or a test runner's, or a load generator's) nor a blocking call there ever stalls requests.
// Like workerd it runs in our process group with SIGKILL as its parent-death signal, so it cannot outlive us.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stopProcess } from '../workerd-runtime';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const MAIN = join(ROOT, 'scripts', 'path-guard', 'main.ts');

export interface GuardProcess {
  process: ChildProcess;
  port: number;
  stop(): Promise<void>;
}

/** Starts the guard on 127.0.0.1:`port` in front of `upstream` (127.0.0.1:port, or a Unix socket path); resolves once it listens (30 s at most). */
export function spawnGuard(port: number, upstream: number | string, policy: string): Promise<GuardProcess> {
  const args = ['--import', 'tsx', MAIN, String(port), String(upstream), policy];
  const setpriv = ['/usr/bin/setpriv', '/bin/setpriv'].find((p) => existsSync(p));
  const [command, argv] = setpriv ? [setpriv, ['--pdeathsig', 'KILL', '--', process.execPath, ...args]] : [process.execPath, args];
  const child = spawn(command, argv, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stderr.on('data', (chunk) => (output = (output + chunk).slice(-4000)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`path guard did not listen within 30 s: ${output}`)), 30_000);
    const fail = (err: Error) => {
      clearTimeout(timer);
      void stopProcess(child).then(() => reject(err));
    };
    child.once('exit', (code, signal) => fail(new Error(`path guard exited (${code ?? signal}): ${output}`)));
    let line = '';
    child.stdout.on('data', (chunk) => {
      line += chunk;
      const message = /\{"event":"listen","port":(\d+)\}\n/.exec(line);
      if (!message) return;
      clearTimeout(timer);
      child.removeAllListeners('exit');
      child.stdout.removeAllListeners('data');
      child.stdout.resume();
      resolve({ process: child, port: Number(message[1]), stop: () => stopProcess(child) });
    });
  });
}
