// A real HTTP (and TCP) server for the workerd project's HTTP/TCP check tests, started once per run in
// Node (vitest globalSetup) and named to the tests by `inject('checkTarget')` as host:port. Its answers
// are set by the tests over HTTP, so each test's check sees the sequence of results it asks for:
//   GET  /status/<code>          answers <code> with the body `status <code>`
//   PUT  /switch/<name>?code=N    sets what GET /switch/<name> answers (200 until set)
//   GET  /count/<name>            200 with `run <n>`, n counting up: output that changes on every run
//   ANY  /echo                    200 with `<method> <X-Probe header> <body>`
import { createServer, type Server } from 'node:http';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    checkTarget: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const switches = new Map<string, number>();
  const counts = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://target');
      const [, kind, name = ''] = url.pathname.split('/');
      const answer = (code: number, text: string) => res.writeHead(code, { 'Content-Type': 'text/plain' }).end(text);
      if (kind === 'status') return answer(Number(name), `status ${name}`);
      if (kind === 'switch' && req.method === 'PUT') return (switches.set(name, Number(url.searchParams.get('code'))), answer(200, 'set'));
      if (kind === 'switch') return answer(switches.get(name) ?? 200, `${name} ${switches.get(name) ?? 200}`);
      if (kind === 'count') return (counts.set(name, (counts.get(name) ?? 0) + 1), answer(200, `run ${counts.get(name)}`));
      if (kind === 'echo') return answer(200, `${req.method} ${req.headers['x-probe'] ?? ''} ${body}`);
      answer(404, 'no such target');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  project.provide('checkTarget', `127.0.0.1:${(server.address() as { port: number }).port}`);
  return () => new Promise<void>((resolve) => server.close(() => resolve()));
}
