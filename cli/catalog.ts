// `beacon catalog datacenters|nodes|services` (command/catalog/list/*).
import { Command } from 'commander';
import { CliError, encodeKey, withHttpFlags } from './http';
import { action, collect, io, keyValue } from './run';
import { columnize, mapToKV } from './table';

interface Node { ID: string; Node: string; Address: string; Datacenter: string; TaggedAddresses: Record<string, string> | null; Meta: Record<string, string> | null }
interface CatalogService { ID: string; Node: string; Address: string; Datacenter: string; TaggedAddresses: Record<string, string> | null; NodeMeta: Record<string, string> | null }

const nodeMeta = (list: string[] = []) => list.map((v) => keyValue(v, '-node-meta').join(':'));

function datacenters(): Command {
  return withHttpFlags(new Command('datacenters').description('Lists all known datacenters'), { datacenter: false })
    .action(action('Error listing datacenters', async (client) => {
      const dcs = await client.get<string[]>('/v1/catalog/datacenters');
      if (dcs.length === 0) throw new CliError('No datacenters found');
      io.out(dcs.join('\n'));
    }));
}

function nodes(): Command {
  return withHttpFlags(new Command('nodes').description('Lists all nodes in the given datacenter'))
    .option('--detailed', 'Output detailed information about the nodes including their addresses and metadata')
    .option('--near <node>', 'Node name to sort the node list in ascending order based on estimated round-trip time')
    .option('--node-meta <key=value>', 'Metadata to filter nodes with the given key=value pairs', collect)
    .option('--service <id or name>', 'Service id or name to filter nodes')
    .option('--filter <expression>', 'Filter to use with the request')
    .action(action('Error listing nodes', async (client, opts) => {
      const query = { near: opts.near, filter: opts.filter, 'node-meta': undefined as string | undefined };
      const metas = nodeMeta(opts.nodeMeta);
      const base = opts.service ? `/v1/catalog/service/${encodeKey(opts.service)}` : '/v1/catalog/nodes';
      const qs = metas.length ? `?${metas.map((m) => `node-meta=${encodeURIComponent(m)}`).join('&')}` : '';
      let list: Node[];
      if (opts.service) {
        const entries = await client.get<CatalogService[]>(base + qs, query);
        list = entries.map((e) => ({ ID: e.ID, Node: e.Node, Address: e.Address, Datacenter: e.Datacenter, TaggedAddresses: e.TaggedAddresses, Meta: e.NodeMeta }));
      } else list = await client.get<Node[]>(base + qs, query);
      if (list.length === 0) {
        io.err('No nodes match the given query - try expanding your search.');
        return 0;
      }
      const header = opts.detailed ? ['Node', 'ID', 'Address', 'DC', 'TaggedAddresses', 'Meta'] : ['Node', 'ID', 'Address', 'DC'];
      const rows = list.map((n) =>
        opts.detailed
          ? [n.Node, n.ID, n.Address, n.Datacenter, mapToKV(n.TaggedAddresses), mapToKV(n.Meta)]
          : [n.Node, n.ID.split('-')[0], n.Address, n.Datacenter]);
      io.out(columnize([header, ...rows]));
    }));
}

function services(): Command {
  return withHttpFlags(new Command('services').description('Lists all registered services in a datacenter'))
    .option('--node <id or name>', 'Node id or name for which to list services')
    .option('--node-meta <key=value>', 'Metadata to filter nodes with the given key=value pairs', collect)
    .option('--tags', 'Display each service\'s tags as a comma-separated list beside each service entry')
    .action(action('Error listing services', async (client, opts) => {
      let services: Record<string, string[]>;
      if (opts.node) {
        const node = await client.get<{ Services: Record<string, { Service: string; Tags: string[] }> } | null>(`/v1/catalog/node/${encodeKey(opts.node)}`);
        services = {};
        for (const s of Object.values(node?.Services ?? {})) services[s.Service] = [...new Set([...(services[s.Service] ?? []), ...(s.Tags ?? [])])];
      } else {
        const metas = nodeMeta(opts.nodeMeta);
        services = await client.get(`/v1/catalog/services${metas.length ? `?${metas.map((m) => `node-meta=${encodeURIComponent(m)}`).join('&')}` : ''}`);
      }
      const names = Object.keys(services).sort();
      if (names.length === 0) {
        io.err('No services match the given query - try expanding your search.');
        return 0;
      }
      io.out(opts.tags ? columnize(names.map((n) => [n, [...(services[n] ?? [])].sort().join(',')])) : names.join('\n'));
    }));
}

export function catalogCommand(): Command {
  return new Command('catalog').description('Interact with the catalog').addCommand(datacenters()).addCommand(nodes()).addCommand(services());
}
