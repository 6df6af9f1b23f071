// A process's resident set size in MB, read from /proc (Linux): what the soak and held-memory runs report for workerd.
import { readFileSync } from 'node:fs';

export const rssMb = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;
