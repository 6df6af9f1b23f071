// Runs dnsperf (Debian's `dnsperf`) against 127.0.0.1:<port> for a fixed time and reads its summary, plus
// the CPU the server spent meanwhile (its process and its children: the gateway's workers; /proc/<pid>/stat), as
// time per query.
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';

const run = promisify(execFile);
const TICKS_PER_SECOND = 100;

export interface PerfResult {
  qps: number;
  completed: number;
  lost: number;
  rcodes: string;
  avgLatencyMs: number;
  cpuUsPerQuery: number;
}

async function cpuSeconds(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const children = (await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8')).trim().split(/\s+/).filter(Boolean);
  const theirs = await Promise.all(children.map((child) => cpuSeconds(Number(child)).catch(() => 0)));
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND + theirs.reduce((a, b) => a + b, 0);
}

export async function dnsperf(queryFile: string, port: number, seconds: number, serverPid: number): Promise<PerfResult> {
  const cpuBefore = await cpuSeconds(serverPid);
  const { stdout } = await run('dnsperf', ['-s', '127.0.0.1', '-p', String(port), '-d', queryFile, '-l', String(seconds), '-t', '2'], {
    timeout: (seconds + 30) * 1000,
  });
  const cpu = (await cpuSeconds(serverPid)) - cpuBefore;
  const num = (label: string) => Number(new RegExp(`${label}:\\s+([\\d.]+)`).exec(stdout)?.[1] ?? NaN);
  const completed = num('Queries completed');
  const result = {
    qps: num('Queries per second'),
    completed,
    lost: num('Queries lost'),
    rcodes: /Response codes:\s+(.*)/.exec(stdout)?.[1].trim() ?? '?',
    avgLatencyMs: num('Average Latency \\(s\\)') * 1000,
    cpuUsPerQuery: (cpu / completed) * 1e6,
  };
  if (!Number.isFinite(result.qps)) throw new Error(`bench: could not read dnsperf output:\n${stdout}`);
  return result;
}
