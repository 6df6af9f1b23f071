// Calls `onGone` once whatever started this process is gone (it may have been SIGKILLed, so no signal comes):
// our parent changes when it dies; under `npm start` the parent is npm's `sh -c`, which outlives a killed npm,
// so npm (the shell's parent) is watched too. Linux reads the shell's parent from /proc; elsewhere only ours.
import { readFileSync } from 'node:fs';

function parentOf(pid: number): number | undefined {
  try {
    // /proc/<pid>/stat: "pid (comm) state ppid ..."; comm may hold spaces, so split after its last ')'.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined;
  }
}

export function watchParent(onGone: () => void, everyMs = 250): void {
  const parent = process.ppid;
  const underNpm = process.env.npm_lifecycle_event !== undefined;
  const grandparent = underNpm ? parentOf(parent) : undefined;
  const timer = setInterval(() => {
    const gone = process.ppid !== parent || (grandparent !== undefined && parentOf(parent) !== grandparent);
    if (gone) {
      clearInterval(timer);
      onGone();
    }
  }, everyMs);
  timer.unref();
}
