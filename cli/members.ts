// `beacon members`, `info`, `reload`: the agent's view of itself (command/members, info, reload).
import { Command, Option } from 'commander';
import { withHttpFlags } from './http';
import { action, io } from './run';
import { columnize } from './table';

interface Member { Name: string; Addr: string; Port: number; Tags: Record<string, string>; Status: number }
const STATUS = ['none', 'alive', 'leaving', 'left', 'failed'];

export function membersCommand(): Command {
  const cmd = withHttpFlags(new Command('members').description('Lists the members of a Consul-compatible cluster'), { datacenter: false })
    .option('--detailed', 'Provides detailed information about nodes')
    .option('--wan', 'If the agent is in server mode, this can be used to return the other peers in the WAN pool')
    .option('--status <regexp>', 'If provided, output is filtered to only nodes matching the regular expression for status')
    .addOption(new Option('--segment <name>', '(Enterprise-only) network segment to list'));
  return cmd.action(action('Error retrieving members', async (client, opts) => {
    const members = await client.get<Member[]>('/v1/agent/members', opts.wan ? { wan: '1' } : { segment: '_all' });
    const status = opts.status ? new RegExp(opts.status) : null;
    const shown = members.filter((m) => !status || status.test(STATUS[m.Status] ?? 'unknown')).sort((a, b) => a.Name.localeCompare(b.Name));
    if (shown.length === 0) return 2;
    const rows = opts.detailed
      ? [['Node', 'Address', 'Status', 'Tags'], ...shown.map((m) => [m.Name, `${m.Addr}:${m.Port}`, STATUS[m.Status] ?? 'unknown', Object.keys(m.Tags).sort().map((k) => `${k}=${m.Tags[k]}`).join(',')])]
      : [['Node', 'Address', 'Status', 'Type', 'Build', 'Protocol', 'DC', 'Partition', 'Segment'], ...shown.map((m) => {
          const server = m.Tags.role === 'consul';
          return [m.Name, `${m.Addr}:${m.Port}`, STATUS[m.Status] ?? 'unknown', server ? 'server' : 'client', (m.Tags.build ?? '').split(':')[0],
            m.Tags.vsn ?? '', m.Tags.dc ?? '', m.Tags.ap ?? 'default', server ? '<all>' : (m.Tags.segment || '<default>')];
        })];
    io.out(columnize(rows));
  }));
}

export function infoCommand(): Command {
  return withHttpFlags(new Command('info').description('Provides debugging information for operators'), { datacenter: false })
    .action(action('Error querying agent', async (client) => {
      const self = await client.get<{ Stats?: Record<string, Record<string, unknown>> }>('/v1/agent/self');
      if (!self.Stats) throw new Error('agent response did not contain Stats key');
      const lines: string[] = [];
      for (const section of Object.keys(self.Stats).sort()) {
        lines.push(`${section}:`);
        const stats = self.Stats[section];
        for (const key of Object.keys(stats).sort()) lines.push(`\t${key} = ${stats[key]}`);
      }
      io.out(lines.join('\n'));
    }));
}

export function reloadCommand(): Command {
  return withHttpFlags(new Command('reload').description('Triggers the agent to reload configuration files'), { datacenter: false })
    .action(action('Error reloading', async (client) => {
      await client.request('PUT', '/v1/agent/reload');
      io.out('Configuration reload triggered');
    }));
}
