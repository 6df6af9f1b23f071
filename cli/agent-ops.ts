// `beacon maint` and `beacon event` (command/maint, command/event).
import { Command } from 'commander';
import { CliError, encodeKey, withHttpFlags } from './http';
import { action, io } from './run';

interface Check { CheckID: string; ServiceID: string; Notes: string }

export function maintCommand(): Command {
  return withHttpFlags(new Command('maint').description('Controls node or service maintenance mode'), { datacenter: false })
    .option('--enable', 'Enable maintenance mode').option('--disable', 'Disable maintenance mode')
    .option('--reason <text>', 'Text string describing the maintenance reason', '')
    .option('--service <id>', 'Control maintenance mode for a specific service ID')
    .action(action('', async (client, opts) => {
      if (opts.enable && opts.disable) throw new CliError('Only one of -enable or -disable may be provided');
      if (!opts.enable && opts.reason) throw new CliError('Reason may only be provided with -enable');
      if (!opts.enable && !opts.disable && opts.service) throw new CliError('Service requires either -enable or -disable');
      const node = await client.nodeName().catch((err: Error) => {
        throw new CliError(`Error querying Consul agent: ${err.message}`);
      });
      if (!opts.enable && !opts.disable) {
        const checks = await client.get<Record<string, Check>>('/v1/agent/checks');
        const lines: string[] = [];
        for (const c of Object.values(checks)) {
          if (c.CheckID === '_node_maintenance') lines.push('Node:', `  Name:   ${node}`, `  Reason: ${c.Notes}`, '');
          else if (c.CheckID.startsWith('_service_maintenance:')) lines.push('Service:', `  ID:     ${c.ServiceID}`, `  Reason: ${c.Notes}`, '');
        }
        if (lines.length) io.out(lines.join('\n'));
        return;
      }
      const enable = Boolean(opts.enable);
      const query = { enable: String(enable), reason: enable ? opts.reason || undefined : undefined };
      if (opts.service) {
        await client.request('PUT', `/v1/agent/service/maintenance/${encodeKey(opts.service)}`, { query }).catch((err: Error) => {
          if (/404/.test(err.message)) throw new CliError(`No service registered with ID "${opts.service}"`);
          throw new CliError(`Error ${enable ? 'enabling' : 'disabling'} service maintenance mode: ${err.message}`);
        });
        io.out(`Service maintenance is now ${enable ? 'enabled' : 'disabled'} for "${opts.service}"`);
        return;
      }
      await client.request('PUT', '/v1/agent/maintenance', { query }).catch((err: Error) => {
        throw new CliError(`Error ${enable ? 'enabling' : 'disabling'} node maintenance mode: ${err.message}`);
      });
      io.out(`Node maintenance is now ${enable ? 'enabled' : 'disabled'}`);
    }));
}

export function eventCommand(): Command {
  return withHttpFlags(new Command('event').description('Fire a new event'))
    .argument('[payload]').option('--name <name>', 'Name of the event').option('--node <regexp>', 'Regular expression to filter on node names')
    .option('--service <regexp>', 'Regular expression to filter on service instances').option('--tag <regexp>', 'Regular expression to filter on service tags (with -service)')
    .action(action<[string | undefined]>('', async (client, opts, [payload]) => {
      if (!opts.name) throw new CliError('Event name must be specified');
      if (opts.tag && !opts.service) throw new CliError('Cannot provide tag filter without service filter.');
      for (const [flag, re] of [['node', opts.node], ['service', opts.service], ['tag', opts.tag]]) {
        try {
          if (re) new RegExp(re);
        } catch (err) {
          throw new CliError(`Failed to compile ${flag} filter regexp: ${(err as Error).message}`);
        }
      }
      await client.nodeName().catch((err: Error) => {
        throw new CliError(`Error querying Consul agent: ${err.message}`);
      });
      const { value } = await client.json<{ ID: string }>('PUT', `/v1/event/fire/${encodeKey(opts.name)}`, {
        query: { node: opts.node, service: opts.service, tag: opts.tag }, body: payload ?? '',
      }).catch((err: Error) => {
        throw new CliError(`Error firing event: ${err.message}`);
      });
      io.out(`Event ID: ${value.ID}`);
    }));
}
