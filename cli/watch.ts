// `beacon watch -type …` (command/watch, api/watch): blocking queries on the last X-Consul-Index; the
// handler gets the JSON on stdin and CONSUL_INDEX, and runs again only when the result changed.
import { spawn } from 'node:child_process';
import { Command } from 'commander';
import { original } from './argv';
import { CliError, encodeKey, withHttpFlags, type Client } from './http';
import { action, io } from './run';

type Plan = { path: string; query: Record<string, string | boolean | undefined>; nullOn404?: boolean; events?: boolean };

function plan(opts: Record<string, any>): Plan {
  const need = (flag: string) => {
    if (!opts[flag]) throw new CliError(`Error: Must specify -${flag} for watch type "${opts.type}"`);
    return opts[flag] as string;
  };
  switch (opts.type) {
    case 'key': return { path: `/v1/kv/${encodeKey(need('key'))}`, query: {}, nullOn404: true };
    case 'keyprefix': return { path: `/v1/kv/${encodeKey(need('prefix'))}`, query: { recurse: true }, nullOn404: true };
    case 'services': return { path: '/v1/catalog/services', query: {} };
    case 'nodes': return { path: '/v1/catalog/nodes', query: {} };
    case 'service': return { path: `/v1/health/service/${encodeKey(need('service'))}`, query: { tag: opts.tag, passing: opts.passingonly === 'true' || undefined } };
    case 'checks':
      if (opts.service && opts.state) throw new CliError('Error: Cannot specify service and state');
      return opts.service ? { path: `/v1/health/checks/${encodeKey(opts.service)}`, query: {} } : { path: `/v1/health/state/${encodeKey(opts.state ?? 'any')}`, query: {} };
    case 'event': return { path: '/v1/event/list', query: { name: opts.name }, events: true };
    case undefined: throw new CliError('Error: Watch type must be specified');
    default: throw new CliError(`Error: Unsupported watch type: ${opts.type}`);
  }
}

/** KV pairs come back as the Go client decodes them: one object for `key`, uint64 Flags kept exact. */
function decode(text: string, type: string): { json: string } {
  if (!text) return { json: 'null' };
  const exact = text.replace(/"Flags":\s*(\d+)/g, '"Flags":"$1"');
  let value = JSON.parse(exact);
  if (type === 'key') value = Array.isArray(value) ? (value[0] ?? null) : value;
  if (type === 'keyprefix' && Array.isArray(value) && value.length === 0) value = null;
  if (type === 'key' && value) value = goPair(value);
  if (type === 'keyprefix' && value) value = value.map(goPair);
  return { json: JSON.stringify(value, null, 4).replace(/"Flags": "(\d+)"/g, '"Flags": $1') };
}

/** api.KVPair as the Go client marshals it: its struct's field order, Session always present. */
const goPair = (p: Record<string, unknown>) => ({
  Key: p.Key, CreateIndex: p.CreateIndex, ModifyIndex: p.ModifyIndex, LockIndex: p.LockIndex, Flags: p.Flags, Value: p.Value ?? null, Session: p.Session ?? '',
});

function runHandler(handler: string[], shell: boolean, input: string, index: string): Promise<number> {
  const [cmd, args] = shell ? ['/bin/sh', ['-c', handler.join(' ')]] : [handler[0], handler.slice(1)];
  const child = spawn(cmd, args, { stdio: ['pipe', 'inherit', 'inherit'], env: { ...process.env, CONSUL_INDEX: index } });
  child.stdin.on('error', () => {});
  child.stdin.end(`${input}\n`);
  return new Promise((resolve) => {
    child.on('error', () => resolve(127));
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

async function watch(client: Client, opts: Record<string, any>, handler: string[]): Promise<number> {
  const p = plan(opts);
  let index = '0';
  let last: string | undefined;
  const seen = new Set<string>();
  for (;;) {
    const res = await client.request('GET', p.path, { query: { ...p.query, index: index === '0' ? undefined : index }, allow404: p.nullOn404 });
    const next = res.headers.get('X-Consul-Index') ?? '0';
    let text = res.status === 404 ? '' : await res.text();
    if (p.events) {
      const events = JSON.parse(text || '[]') as { ID: string }[];
      const fresh = events.filter((e) => !seen.has(e.ID));
      fresh.forEach((e) => seen.add(e.ID));
      text = last === undefined || fresh.length ? JSON.stringify(fresh) : '';
      if (!text) { index = BigInt(next) < BigInt(index) ? '0' : next; continue; }
    }
    const { json } = decode(text, opts.type);
    if (BigInt(next) < BigInt(index)) index = '0';
    else index = next;
    if (last !== undefined && json === last && !p.events) continue;
    last = json;
    if (handler.length === 0) {
      io.out(json);
      return 0;
    }
    const code = await runHandler(handler, opts.shell !== 'false', json, index);
    if (code !== 0) {
      io.err(`Error executing handler: exit status ${code}`);
      return 1;
    }
  }
}

export function watchCommand(raw: string[]): Command {
  return withHttpFlags(new Command('watch').description('Watch for changes in Consul'))
    .argument('[handler...]').passThroughOptions()
    .option('--type <type>', 'Specifies the watch type: key, keyprefix, services, nodes, service, checks, event')
    .option('--key <key>', 'Specifies the key to watch (type key)').option('--prefix <prefix>', 'Specifies the key prefix to watch (type keyprefix)')
    .option('--service <name>', 'Specifies the service to watch (service, checks)').option('--tag <tag>', 'Specifies the service tag to filter on (service)')
    .option('--passingonly <bool>', 'Specifies if only hosts passing all checks are displayed (service)', 'false')
    .option('--state <state>', 'Specifies the states to watch (checks)').option('--name <name>', 'Specifies an event name to watch (event)')
    .option('--shell <bool>', 'Use a shell to run the handler', 'true')
    .action(action<[string[]]>('', async (client, opts, [handler]) => {
      await client.nodeName().catch((err: Error) => {
        throw new CliError(`Error querying Consul agent: ${err.message}`);
      });
      return watch(client, opts, original(raw, handler.length));
    }));
}
