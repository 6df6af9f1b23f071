// `beacon snapshot save|restore FILE` over GET/PUT /v1/snapshot (command/snapshot). The file is Beacon's
// snapshot format (durable-objects/snapshot/format.ts): written to `FILE.part`, checked as Consul's CLI checks
// its hashes, and renamed only once it verifies.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { Command } from 'commander';
import { decodeSnapshot } from '../durable-objects/snapshot/format';
import { CliError, withHttpFlags } from './http';
import { action, io } from './run';

function save(): Command {
  return withHttpFlags(new Command('save').description('Saves snapshot of Consul server state')).argument('[file]')
    .action(action<[string | undefined]>('', async (client, _opts, [file]) => {
      if (!file) throw new CliError('Missing FILE argument');
      const res = await client.request('GET', '/v1/snapshot').catch((err: Error) => {
        throw new CliError(`Error saving snapshot: ${err.message}`);
      });
      const data = new Uint8Array(await res.arrayBuffer());
      writeFileSync(`${file}.part`, data);
      const verified = await decodeSnapshot(data);
      if (!verified.ok) throw new CliError(`Error verifying snapshot file: ${verified.reason}`);
      renameSync(`${file}.part`, file);
      io.out(`Saved and verified snapshot to index ${res.headers.get('X-Consul-Index') ?? '0'}`);
    }));
}

function restore(): Command {
  return withHttpFlags(new Command('restore').description('Restores snapshot of Consul server state')).argument('[file]')
    .action(action<[string | undefined]>('', async (client, _opts, [file]) => {
      if (!file) throw new CliError('Missing FILE argument');
      let data: Buffer;
      try {
        data = readFileSync(file);
      } catch (err) {
        throw new CliError(`Error opening snapshot file: ${(err as Error).message}`);
      }
      await client.request('PUT', '/v1/snapshot', { body: new Uint8Array(data) }).catch((err: Error) => {
        throw new CliError(`Error restoring snapshot: ${err.message}`);
      });
      io.out('Restored snapshot');
    }));
}

export function snapshotCommand(): Command {
  return new Command('snapshot').description('Saves, restores and inspects snapshots of Consul server state').addCommand(save()).addCommand(restore());
}
