// `beacon kv get|put|delete|export|import` (command/kv/*): Consul's outputs and messages word for word.
import { Command } from 'commander';
import { CliError, encodeKey, withHttpFlags, type Client } from './http';
import { dataArg, parsePairs, type Pair } from './kv-data';
import { action, io } from './run';
import { keyValueBlock } from './table';

const stripSlash = (key = '') => key.replace(/^\//, '');
const value = (pair: Pair, base64: boolean) => {
  const raw = Buffer.from(pair.Value ?? '', 'base64');
  return base64 ? raw.toString('base64') : raw.toString('utf8');
};

async function pairs(client: Client, key: string, query: Record<string, string | boolean | undefined>): Promise<Pair[] | null> {
  const res = await client.request('GET', `/v1/kv/${encodeKey(key)}`, { query, allow404: true });
  return res.status === 404 ? null : parsePairs(await res.text());
}

function detailed(pair: Pair, base64: boolean): string {
  return keyValueBlock([
    ['CreateIndex', String(pair.CreateIndex)], ['Flags', pair.Flags], ['Key', pair.Key], ['LockIndex', String(pair.LockIndex)],
    ['ModifyIndex', String(pair.ModifyIndex)], ['Session', pair.Session || '-'], ['Value', value(pair, base64)],
  ]);
}

function get(): Command {
  return withHttpFlags(new Command('get').description('Retrieves the value from Consul\'s key-value store at the given key name'))
    .argument('[key]').option('--base64', 'Base64 encode the value').option('--detailed', 'Provide additional metadata about the key')
    .option('--keys', 'List keys which start with the given prefix, but not their values').option('--recurse', 'Recursively look at all keys prefixed with the given path')
    .option('--separator <string>', 'String to use as a separator between keys (with -keys)', '/')
    .action(action<[string | undefined]>('', async (client, opts, [raw]) => {
      const key = stripSlash(raw);
      if (raw === undefined && !opts.keys && !opts.recurse) throw new CliError('Error! Missing KEY argument');
      if (opts.keys) {
        const res = await client.request('GET', `/v1/kv/${encodeKey(key)}`, { query: { keys: true, separator: opts.separator }, allow404: true });
        const keys = res.status === 404 ? [] : ((await res.json()) as string[]);
        if (keys.length) io.out(keys.join('\n'));
        return;
      }
      if (opts.recurse) {
        const list = (await pairs(client, key, { recurse: true })) ?? [];
        if (list.length) io.out(list.map((p) => (opts.detailed ? detailed(p, opts.base64) : `${p.Key}:${value(p, opts.base64)}`)).join(opts.detailed ? '\n\n' : '\n'));
        return;
      }
      const [pair] = (await pairs(client, key, {})) ?? [];
      if (!pair) throw new CliError(`Error! No key exists at: ${key}`);
      io.out(opts.detailed ? detailed(pair, opts.base64) : value(pair, opts.base64));
    }));
}

function put(): Command {
  return withHttpFlags(new Command('put').description('Writes the data to the given path in the key-value store'))
    .argument('[key]').argument('[data]').option('--acquire', 'Obtain a lock on the key').option('--base64', 'Treat the data as base 64 encoded')
    .option('--cas', 'Perform a Check-And-Set operation').option('--flags <uint64>', 'Unsigned integer value to assign to this key-value pair', '0')
    .option('--modify-index <index>', 'Unsigned integer representing the ModifyIndex of the key (with -cas)').option('--release', 'Forfeit the lock on the key')
    .option('--session <id>', 'User-defined identifier for this session as a string')
    .action(action<[string | undefined, string | undefined]>('', async (client, opts, [raw, data]) => {
      if (raw === undefined) throw new CliError('Error! Missing KEY argument');
      const key = stripSlash(raw);
      if (opts.cas && opts.modifyIndex === undefined) throw new CliError('Must specify -modify-index with -cas!');
      if ((opts.acquire || opts.release) && !opts.session) throw new CliError('Error! Missing -session (required with -acquire and -release)');
      if (!/^\d+$/.test(opts.flags)) throw new CliError(`invalid value "${opts.flags}" for flag -flags: parse error`);
      let body: Buffer = await dataArg(data, true);
      if (opts.base64) body = Buffer.from(body.toString('utf8'), 'base64');
      const query = {
        flags: opts.flags === '0' ? undefined : opts.flags, cas: opts.cas ? String(opts.modifyIndex) : undefined,
        acquire: opts.acquire ? opts.session : undefined, release: opts.release ? opts.session : undefined,
      };
      const res = await client.request('PUT', `/v1/kv/${encodeKey(key)}`, { query, body: new Uint8Array(body) }).catch((err: Error) => {
        throw new CliError(`Error! Failed writing data: ${err.message}`);
      });
      const ok = (await res.text()).trim() === 'true';
      if (opts.acquire) return ok ? io.out(`Success! Lock acquired on: ${key}`) : fail('Error! Did not acquire lock');
      if (opts.release) return ok ? io.out(`Success! Lock released on: ${key}`) : fail('Error! Did not release lock');
      if (!ok) return fail(`Error! Did not write to ${key}: CAS failed`);
      io.out(`Success! Data written to: ${key}`);
    }));
}

function fail(message: string): number {
  io.err(message);
  return 1;
}

function del(): Command {
  return withHttpFlags(new Command('delete').description('Removes the value from Consul\'s key-value store at the given path'))
    .argument('[key]').option('--cas', 'Perform a Check-And-Set operation').option('--modify-index <index>', 'ModifyIndex of the key (with -cas)')
    .option('--recurse', 'Recursively delete all keys with the path')
    .action(action<[string | undefined]>('', async (client, opts, [raw]) => {
      if (raw === undefined && !opts.recurse) throw new CliError('Error! Missing KEY argument');
      const key = stripSlash(raw);
      if (opts.cas && opts.recurse) throw new CliError('Cannot specify both -cas and -recurse!');
      if (opts.cas && opts.modifyIndex === undefined) throw new CliError('Must specify -modify-index with -cas!');
      const query = { recurse: Boolean(opts.recurse), cas: opts.cas ? String(opts.modifyIndex) : undefined };
      const res = await client.request('DELETE', `/v1/kv/${encodeKey(key)}`, { query }).catch((err: Error) => {
        throw new CliError(`Error! Did not delete key${opts.recurse ? 's with prefix' : ''} ${key}: ${err.message}`);
      });
      if ((await res.text()).trim() !== 'true') return fail(`Error! Did not delete key ${key}: CAS failed`);
      io.out(opts.recurse ? `Success! Deleted keys with prefix: ${key}` : `Success! Deleted key: ${key}`);
    }));
}

function exportCmd(): Command {
  return withHttpFlags(new Command('export').description('Exports a tree from the KV store as JSON')).argument('[prefix]')
    .action(action<[string | undefined]>('Error querying Consul agent', async (client, _opts, [prefix = '']) => {
      const list = (await pairs(client, stripSlash(prefix), { recurse: true })) ?? [];
      const lines = list.map((p) => `\t{\n\t\t"key": ${JSON.stringify(p.Key)},\n\t\t"flags": ${p.Flags},\n\t\t"value": ${JSON.stringify(p.Value ?? '')}\n\t}`);
      io.out(lines.length ? `[\n${lines.join(',\n')}\n]` : '[]');
    }));
}

function importCmd(): Command {
  return withHttpFlags(new Command('import').description('Imports a tree stored as JSON to the KV store')).argument('[data]')
    .option('--prefix <prefix>', 'Key prefix for imported data', '')
    .action(action<[string | undefined]>('', async (client, opts, [data]) => {
      if (data === undefined) throw new CliError('Error! Missing DATA argument');
      const text = (await dataArg(data, true)).toString('utf8');
      let entries: { key: string; flags: string; value: string }[];
      try {
        entries = JSON.parse(text.replace(/"flags":\s*(\d+)/g, '"flags":"$1"'));
        if (!Array.isArray(entries)) throw new Error('expected an array');
      } catch (err) {
        throw new CliError(`Cannot unmarshal data: ${(err as Error).message}`);
      }
      for (const entry of entries) {
        const key = opts.prefix ? joinKey(opts.prefix, entry.key) : entry.key;
        await client.request('PUT', `/v1/kv/${encodeKey(key)}`, {
          query: { flags: entry.flags && entry.flags !== '0' ? entry.flags : undefined }, body: new Uint8Array(Buffer.from(entry.value ?? '', 'base64')),
        }).catch((err: Error) => {
          throw new CliError(`Error! Failed writing data for key ${key}: ${err.message}`);
        });
        io.out(`Imported: ${key}`);
      }
    }));
}

/** Go's path.Join, keeping a trailing `/` (a "folder" key) as Consul's import does. */
function joinKey(prefix: string, key: string): string {
  const joined = `${prefix}/${key}`.replace(/\/+/g, '/').replace(/^\//, '');
  return key.endsWith('/') ? joined.replace(/\/?$/, '/') : joined.replace(/\/$/, '');
}

export function kvCommand(): Command {
  return new Command('kv').description('Interact with the key-value store')
    .addCommand(get()).addCommand(put()).addCommand(del()).addCommand(exportCmd()).addCommand(importCmd());
}
