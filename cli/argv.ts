// Consul's CLI uses Go's flag package: `-http-addr=x`, `-recurse`, flags end at the first positional
// argument. commander wants `--http-addr`, so single-dash long flags are rewritten one for one (no
// insertions, so trailing child arguments can be recovered by position; see `original`).

/** `-name`, `-name=v` → `--name`, `--name=v`; `-h`, `-n` (one letter), `-`, `--x` and negative numbers stay. */
export function normaliseArg(arg: string): string {
  if (/^-[A-Za-z]=/.test(arg)) return `-${arg[1]}${arg.slice(3)}`; // `-n=2` → `-n2`
  return /^-[A-Za-z][A-Za-z0-9-]+(=.*)?$/s.test(arg) ? `-${arg}` : arg;
}

/** Rewrites everything up to the first `--`; Go's `-flag=true|false` booleans become `--flag` / `--no-flag`. */
export function normaliseArgv(args: string[], booleans: ReadonlySet<string>): string[] {
  const end = args.indexOf('--');
  return args.map((arg, i) => {
    if (end !== -1 && i >= end) return arg;
    const out = normaliseArg(arg);
    const m = /^--([A-Za-z0-9-]+)=(true|false|1|0|t|f|TRUE|FALSE|True|False)$/.exec(out);
    if (m && booleans.has(m[1])) return /^(true|1|t)$/i.test(m[2]) ? `--${m[1]}` : `--no-${m[1]}`;
    return out;
  });
}

/** The last `count` arguments as the user typed them (a child command's own `-flags` are not ours). */
export function original(raw: string[], count: number): string[] {
  return count === 0 ? [] : raw.slice(raw.length - count);
}
