// `beacon lock [-n N] PREFIX CHILD…` (command/lock): a 15 s session renewed every 7.5 s, the lock or
// semaphore from lock-keys.ts, the child run with CONSUL_LOCK_HELD=true and signalled when the lock is lost.
import { spawn, type ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { Command } from 'commander';
import { original } from './argv';
import { CliError, type Client, withHttpFlags } from './http';
import { acquireLock, acquireSemaphore, type Held } from './lock-keys';
import { action, io } from './run';
import { parseDuration } from './duration';

async function createSession(client: Client, name: string, semaphore: boolean): Promise<string> {
  const { value } = await client.json<{ ID: string }>('PUT', '/v1/session/create', { body: { Name: name, TTL: '15s', ...(semaphore ? { Behavior: 'delete' } : {}) } });
  return value.ID;
}

function killChild(child: ChildProcess, exited: Promise<unknown>): Promise<unknown> {
  if (child.exitCode !== null || child.signalCode !== null) return exited;
  child.kill('SIGTERM');
  const force = setTimeout(() => child.kill('SIGKILL'), 5000);
  return exited.finally(() => clearTimeout(force));
}

async function lock(client: Client, opts: Record<string, any>, prefix: string, childArgs: string[]): Promise<number> {
  const limit = Number(opts.n ?? 1);
  if (!Number.isInteger(limit) || limit < 1) throw new CliError('Command limit must be positive');
  if (childArgs.length === 0) throw new CliError('Key prefix and child command must be specified');
  prefix = prefix.replace(/^\/+|\/+$/g, '');
  await client.nodeName().catch((err: Error) => {
    throw new CliError(`Error querying Consul agent: ${err.message}`);
  });
  const command = childArgs.join(' ');
  const session = await createSession(client, opts.name || `Consul lock for '${command}' at '${prefix}'`, limit > 1);
  let sessionLost!: () => void;
  const sessionGone = new Promise<void>((resolve) => (sessionLost = resolve));
  const renew = setInterval(() => {
    client.request('PUT', `/v1/session/renew/${session}`).catch(() => sessionLost());
  }, 7500);
  const shutdown = new AbortController();
  let child: ChildProcess | undefined;
  const onSignal = (sig: NodeJS.Signals) => (child ? child.kill(sig) : shutdown.abort());
  process.on('SIGINT', onSignal).on('SIGTERM', onSignal);
  const timeout = opts.timeout ? setTimeout(() => shutdown.abort(), parseDuration(opts.timeout)) : undefined;
  try {
    let held: Held;
    try {
      held = limit > 1 ? await acquireSemaphore(client, prefix, session, limit, shutdown.signal) : await acquireLock(client, prefix, session, shutdown.signal);
    } catch (err) {
      if (shutdown.signal.aborted) throw new CliError('Shutdown triggered or timeout during lock acquisition');
      throw err instanceof CliError ? err : new CliError(`Lock acquisition failed: ${(err as Error).message}`);
    } finally {
      clearTimeout(timeout);
    }
    const shell = opts.shell !== 'false';
    child = spawn(shell ? '/bin/sh' : childArgs[0], shell ? ['-c', command] : childArgs.slice(1), {
      stdio: [opts.passStdin ? 'inherit' : 'ignore', 'inherit', 'inherit'], env: { ...process.env, CONSUL_LOCK_HELD: 'true' },
    });
    const exited = new Promise<number>((resolve) => {
      child!.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
      child!.on('error', () => resolve(127));
    });
    const first = await Promise.race([exited.then(() => 'exit' as const), held.lost.then(() => 'lost' as const), sessionGone.then(() => 'lost' as const)]);
    if (first === 'lost') {
      io.err('Lock lost, killing child');
      await killChild(child, exited);
    }
    const code = await exited;
    await held.release().catch((err: Error) => io.err(`Lock release failed: ${err.message}`));
    return code !== 0 && opts.childExitCode ? 2 : 0;
  } finally {
    clearInterval(renew);
    process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
    await client.request('PUT', `/v1/session/destroy/${session}`).catch(() => {});
    await sleep(0);
  }
}

export function lockCommand(raw: string[]): Command {
  return withHttpFlags(new Command('lock').description('Execute a command holding a lock'))
    .argument('[prefix]').argument('[child...]').passThroughOptions()
    .option('-n <limit>', 'Optional limit on the number of concurrent lock holders', '1')
    .option('--name <name>', 'Optional name to associate with the lock session')
    .option('--timeout <duration>', 'Maximum amount of time to wait to acquire the lock')
    .option('--monitor-retry <n>', 'Number of 500 errors tolerated while monitoring the lock', '3')
    .option('--pass-stdin', 'Pass stdin to the child process').option('--shell <bool>', 'Use a shell to run the command', 'true')
    .option('--child-exit-code', 'Exit 2 if the child process exited with an error')
    .action(action<[string | undefined, string[]]>('', async (client, opts, [prefix, child]) => {
      if (!prefix) throw new CliError('Key prefix and child command must be specified');
      return lock(client, opts, prefix, original(raw, child.length));
    }));
}
