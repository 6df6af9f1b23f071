// Runs one command's action: output through `out`, errors to stderr with Consul's exit codes.
import type { Command } from 'commander';
import { Client, CliError, type HttpFlags } from './http';

export interface Io {
  out(text: string): void;
  err(text: string): void;
}

export const io: Io = {
  out: (text) => void process.stdout.write(`${text}\n`),
  err: (text) => void process.stderr.write(`${text}\n`),
};

/** Wraps an action: builds the client from the command's flags, maps thrown errors to exit codes. */
export function action<A extends unknown[]>(
  prefix: string,
  fn: (client: Client, opts: Record<string, any> & HttpFlags, args: A, cmd: Command) => Promise<number | void>,
) {
  return async (...params: unknown[]) => {
    const cmd = params[params.length - 1] as Command;
    const args = params.slice(0, params.length - 2) as A;
    const opts = cmd.opts() as Record<string, any> & HttpFlags;
    let code: number;
    try {
      code = (await fn(new Client(opts), opts, args, cmd)) ?? 0;
    } catch (err) {
      if (!(err instanceof CliError)) throw err;
      io.err(prefix && !err.message.startsWith('Error!') ? `${prefix}: ${err.message}` : err.message);
      code = err.exitCode;
    }
    process.exitCode = code;
  };
}

/** `-node-meta k=v` and friends: repeatable flags collected into a list. */
export const collect = (value: string, previous: string[] = []) => [...previous, value];

export function keyValue(value: string, flag: string): [string, string] {
  const i = value.indexOf('=');
  if (i < 0) throw new CliError(`Error parsing ${flag}: must be of the form key=value`);
  return [value.slice(0, i), value.slice(i + 1)];
}
