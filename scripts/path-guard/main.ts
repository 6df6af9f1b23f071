// The guard as a process of its own (started by start-local.ts through process.ts):
//   node --import tsx scripts/path-guard/main.ts <port> <upstream port or Unix socket path> <policy>
// Prints {"event":"listen","port":N} once listening; stops on SIGTERM/SIGINT, or when its parent is gone
// (start-local.ts also gives it SIGKILL as its parent-death signal where `setpriv` exists).
import { startGuard } from './guard';

const [port, upstream, policy] = process.argv.slice(2);
const guard = await startGuard({ port: Number(port), upstream: /^\d+$/.test(upstream) ? Number(upstream) : upstream, policy });
process.stdout.write(`${JSON.stringify({ event: 'listen', port: guard.port })}\n`);

const parent = process.ppid;
const stop = () => void guard.close().finally(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
setInterval(() => process.ppid !== parent && stop(), 500).unref();
// Keeps the process alive while the server listens (the interval above is unref'd).
