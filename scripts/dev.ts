// `npm start`: Beacon's HTTP API on 127.0.0.1:8500 on plain workerd (`npm run dev`: wrangler dev, live reload),
// state kept in .beacon/state so a restart loses nothing, the services of `-config-dir DIR` registered, and
// the DNS gateway on 127.0.0.1:8600. Ctrl-C, SIGTERM, SIGHUP or the death of whatever started it stops
// everything it started.
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { configFromEnv } from '../dns-gateway/config';
import { startGateways } from '../dns-gateway/main';
import { configDirArg, startConfigDir } from './config-dir';
import { watchParent } from './parent-watch';
import { PROJECT_ROOT, startLocal } from './start-local';

const HTTP_PORT = Number(process.env.BEACON_HTTP_PORT ?? 8500);
const persistTo = process.env.BEACON_STATE_DIR ?? join(PROJECT_ROOT, '.beacon', 'state');

const runtime = process.argv.includes('--wrangler') ? 'wrangler' : 'workerd';
const dir = configDirArg(process.argv.slice(2).filter((arg) => arg !== '--wrangler'), process.env);
mkdirSync(persistTo, { recursive: true });
const configDir = dir ? await startConfigDir(resolve(dir), join(persistTo, 'config-dir.json'), () => server.url) : undefined;
const server = await startLocal({
  port: HTTP_PORT,
  persistTo,
  runtime,
  logRequests: process.env.BEACON_LOG === 'requests',
  vars: configDir ? { CONFIG_RELOAD_URL: configDir.reloadUrl } : {},
});
console.log(`Beacon HTTP API: ${server.url}  (state in ${persistTo})`);
if (configDir) {
  const errors = await configDir.sync();
  console.log(`Config dir ${dir}: loaded${errors.length ? ` with ${errors.length} bad file(s)` : ''}`);
}
// With BEACON_DNS_PROCESSES > 1, a gateway process that dies stops everything, as the runtime's exit does.
let failed = false;
const gateway = await startGateways({ ...configFromEnv(), workerUrl: process.env.BEACON_DNS_WORKER_URL ?? server.url }, (why) => {
  console.error(why);
  failed = true;
  void shutdown();
}).catch(async (err) => {
  await server.stop();
  throw err;
});
console.log(`Beacon DNS: ${gateway.host}:${gateway.port} (udp+tcp), e.g. dig @${gateway.host} -p ${gateway.port} web.service.consul`);

let stopping = false;
const shutdown = async () => {
  if (stopping) return;
  stopping = true;
  await gateway.stop();
  await server.stop();
  await configDir?.stop();
  process.exit(failed ? 1 : 0);
};
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
process.on('SIGHUP', shutdown);
watchParent(shutdown);
server.process.on('exit', (code) => {
  if (!stopping) {
    console.error(`${runtime} exited (${code})`);
    process.exit(code ?? 1);
  }
});
