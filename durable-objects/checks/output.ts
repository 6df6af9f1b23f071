// Check output is kept to OutputMaxSize (Consul's default 4096 bytes), saying how much was cut.
export const DEFAULT_OUTPUT_MAX_SIZE = 4096;

export function truncateOutput(output: string, max = DEFAULT_OUTPUT_MAX_SIZE): string {
  const bytes = new TextEncoder().encode(output);
  if (bytes.length <= max) return output;
  const kept = new TextDecoder().decode(bytes.slice(0, max)).replace(/\uFFFD$/, '');
  return `${kept} ... (captured ${max} of ${bytes.length} bytes)`;
}
