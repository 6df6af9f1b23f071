// `beacon`: Consul's command line for a Beacon datacenter. Go-style single-dash flags are normalised for
// commander (argv.ts); each command group lives in its own file.
import { Command, CommanderError } from 'commander';
import { aclCommand } from './acl';
import { eventCommand, maintCommand } from './agent-ops';
import { normaliseArgv } from './argv';
import { catalogCommand } from './catalog';
import { kvCommand } from './kv';
import { lockCommand } from './lock';
import { infoCommand, membersCommand, reloadCommand } from './members';
import { servicesCommand } from './services';
import { snapshotCommand } from './snapshot';
import { watchCommand } from './watch';

const raw = process.argv.slice(2);
const program = new Command('beacon').description('Consul\'s command line for Beacon').enablePositionalOptions()
  .addCommand(membersCommand()).addCommand(infoCommand()).addCommand(reloadCommand()).addCommand(catalogCommand())
  .addCommand(servicesCommand()).addCommand(kvCommand()).addCommand(watchCommand(raw)).addCommand(lockCommand(raw))
  .addCommand(maintCommand()).addCommand(eventCommand()).addCommand(aclCommand()).addCommand(snapshotCommand());

/** Boolean long flags of every command, so Go's `-recurse=true` / `-detailed=false` forms work. */
function booleans(cmd: Command, out = new Set<string>()): Set<string> {
  for (const o of cmd.options) if (!o.required && !o.optional && o.long) out.add(o.long.slice(2));
  for (const sub of cmd.commands) booleans(sub, out);
  return out;
}

// Every group exits 1 on a usage error (Consul's cli.RunResultHelp is 1 too); -h exits 0.
const configure = (cmd: Command) => {
  cmd.exitOverride().showHelpAfterError(false).configureOutput({ writeErr: (s) => process.stderr.write(s) });
  for (const sub of cmd.commands) {
    for (const o of sub.options) if (o.negate === false && !o.required && !o.optional) sub.option(`--no-${o.long!.slice(2)}`, undefined);
    configure(sub);
  }
};
configure(program);

try {
  await program.parseAsync(normaliseArgv(raw, booleans(program)), { from: 'user' });
} catch (err) {
  if (!(err instanceof CommanderError)) throw err;
  process.exitCode = err.code === 'commander.helpDisplayed' || err.code === 'commander.help' || err.code === 'commander.version' ? 0 : 1;
}
