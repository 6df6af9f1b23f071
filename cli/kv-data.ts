// Where `kv put` and `kv import` read their data: the argument itself, `@file`, or `-` for stdin.
import { readFileSync } from 'node:fs';
import { CliError } from './http';

export async function readStdin(): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export async function dataArg(arg: string | undefined, stdin: boolean): Promise<Buffer> {
  if (arg === undefined) return Buffer.alloc(0);
  if (arg === '-' && stdin) return readStdin();
  if (arg.startsWith('@')) {
    try {
      return readFileSync(arg.slice(1));
    } catch (err) {
      throw new CliError(`Failed to read file: ${(err as Error).message}`);
    }
  }
  return Buffer.from(arg);
}

/** A KV pair from the API with its uint64 Flags kept exact (JSON.parse would round them). */
export interface Pair { Key: string; Flags: string; Value: string | null; Session?: string; CreateIndex: number; ModifyIndex: number; LockIndex: number }

export function parsePairs(text: string): Pair[] {
  const quoted = text.replace(/"Flags":\s*(\d+)/g, '"Flags":"$1"');
  return JSON.parse(quoted) as Pair[];
}
