// `npm start`: Beacon's HTTP API on 127.0.0.1:8500 under wrangler dev, state kept in .beacon/state so a
// restart loses nothing. Ctrl-C stops everything it started.
import { join } from 'node:path';
import { PROJECT_ROOT, startLocal } from './start-local';

const HTTP_PORT = Number(process.env.BEACON_HTTP_PORT ?? 8500);
const persistTo = process.env.BEACON_STATE_DIR ?? join(PROJECT_ROOT, '.beacon', 'state');

const server = await startLocal({ port: HTTP_PORT, persistTo });
console.log(`Beacon HTTP API: ${server.url}  (state in ${persistTo})`);

let stopping = false;
const shutdown = async () => {
  if (stopping) return;
  stopping = true;
  await server.stop();
  process.exit(0);
};
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
server.process.on('exit', (code) => {
  if (!stopping) {
    console.error(`wrangler dev exited (${code})`);
    process.exit(code ?? 1);
  }
});
