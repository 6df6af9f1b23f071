// Check output is kept to OutputMaxSize (Consul's default 4096 bytes), saying how much was cut.
export const DEFAULT_OUTPUT_MAX_SIZE = 4096;

const encoder = new TextEncoder();

export function truncateOutput(output: string, max = DEFAULT_OUTPUT_MAX_SIZE): string {
  // A UTF-16 code unit never takes more than 3 bytes of UTF-8: short output needs no encoding (heartbeats).
  if (output.length * 3 <= max) return output;
  const bytes = encoder.encode(output);
  if (bytes.length <= max) return output;
  const kept = new TextDecoder().decode(bytes.slice(0, max)).replace(/\uFFFD$/, '');
  return `${kept} ... (captured ${max} of ${bytes.length} bytes)`;
}
