// ryanuber/columnize as Consul's commands use it: columns padded to their widest cell, joined by two
// spaces, the last column unpadded.
export function columnize(rows: string[][]): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]))).join('  ').trimEnd()).join('\n');
}

/** `k=v, k=v` sorted by key, as Consul's mapToKV prints maps. */
export function mapToKV(map: Record<string, string> | null | undefined, sep = ', '): string {
  return Object.keys(map ?? {}).sort().map((k) => `${k}=${map![k]}`).join(sep);
}

/** Go's tabwriter(minwidth 0, tabwidth 2, padding 6): `key` padded to the widest key plus 6. */
export function keyValueBlock(rows: [string, string][]): string {
  const width = Math.max(...rows.map(([k]) => k.length)) + 6;
  return rows.map(([k, v]) => `${k.padEnd(width)}${v}`).join('\n');
}
