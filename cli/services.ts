// `beacon services register|deregister` (command/services): files parsed locally with the agent's loader
// (config/), each service sent to PUT /v1/agent/service/register.
import { Command } from 'commander';
import { CliError, encodeKey, withHttpFlags } from './http';
import { loadFile } from './config/load';
import type { ServiceRegistration } from './config/definitions';
import { action, collect, io, keyValue } from './run';

function fromFiles(files: string[]): ServiceRegistration[] {
  return files.flatMap((file) => {
    const result = loadFile(file);
    if (result.error) throw new CliError(result.error);
    return result.definitions!.services;
  });
}

function register(): Command {
  return withHttpFlags(new Command('register').description('Register services with the local agent'), { datacenter: false })
    .argument('[files...]').option('--id <id>', 'ID of the service to register').option('--name <name>', 'Name of the service to register')
    .option('--address <addr>', 'Address of the service').option('--port <port>', 'Port of the service', (v) => Number(v))
    .option('--socket <path>', 'Path to the Unix domain socket').option('--kind <kind>', 'The services \'kind\'')
    .option('--tag <tag>', 'Tag to add to the service (repeatable)', collect)
    .option('--meta <key=value>', 'Metadata to set on the service (repeatable)', collect)
    .option('--tagged-address <key=value>', 'Tagged address to set on the service (repeatable)', collect)
    .action(action<[string[]]>('', async (client, opts, [files]) => {
      let services: ServiceRegistration[];
      if (files.length && opts.name) throw new CliError('Flags and files cannot be used together');
      if (files.length) services = fromFiles(files);
      else if (opts.name) {
        services = [{ body: {
          ID: opts.id, Name: opts.name, Address: opts.address, Port: opts.port, SocketPath: opts.socket, Kind: opts.kind, Tags: opts.tag ?? [],
          Meta: Object.fromEntries((opts.meta ?? []).map((m: string) => keyValue(m, '-meta'))),
          TaggedAddresses: Object.fromEntries((opts.taggedAddress ?? []).map((m: string) => {
            const [k, v] = keyValue(m, '-tagged-address');
            const [addr, port] = v.split(':');
            return [k, { Address: addr, Port: Number(port ?? 0) }];
          })),
        } }];
      } else throw new CliError('Service registration requires at least one argument or flags.');
      for (const s of services) {
        await client.request('PUT', '/v1/agent/service/register', { body: s.body, token: s.token }).catch((err: Error) => {
          throw new CliError(`Error registering service "${s.body.Name}": ${err.message}`);
        });
        io.out(`Registered service: ${s.body.Name}`);
      }
    }));
}

function deregister(): Command {
  return withHttpFlags(new Command('deregister').description('Deregister services with the local agent'), { datacenter: false })
    .argument('[files...]').option('--id <id>', 'ID to deregister')
    .action(action<[string[]]>('', async (client, opts, [files]) => {
      if (files.length && opts.id) throw new CliError('Only one of -id or a config file may be specified');
      const ids = files.length ? fromFiles(files).map((s) => String(s.body.ID ?? s.body.Name)) : opts.id ? [opts.id] : [];
      if (ids.length === 0) throw new CliError('Either a config file or -id must be specified');
      for (const id of ids) {
        await client.request('PUT', `/v1/agent/service/deregister/${encodeKey(id)}`).catch((err: Error) => {
          throw new CliError(`Error deregistering service "${id}": ${err.message}`);
        });
        io.out(`Deregistered service: ${id}`);
      }
    }));
}

export function servicesCommand(): Command {
  return new Command('services').description('Interact with services').addCommand(register()).addCommand(deregister());
}
