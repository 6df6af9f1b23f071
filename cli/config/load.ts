// Reads service definition files (`.json` and `.hcl`) as Consul's agent does: one file, or every such file
// of a config directory in lexical order. A file that fails to parse is reported with its name and
// contributes nothing.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { definitions, type Definitions } from './definitions';
import { parseHclValues } from '../../worker/hcl/values';

export interface FileResult { file: string; definitions?: Definitions; error?: string }

export function loadFile(file: string): FileResult {
  try {
    const text = readFileSync(file, 'utf8');
    let config: unknown;
    if (file.endsWith('.json')) {
      try {
        config = JSON.parse(text);
      } catch (err) {
        throw new Error(`invalid JSON: ${(err as Error).message}`);
      }
    } else config = parseHclValues(text);
    return { file, definitions: definitions(config) };
  } catch (err) {
    return { file, error: `Error loading ${file}: ${(err as Error).message}` };
  }
}

export function loadDir(dir: string): FileResult[] {
  if (!statSync(dir).isDirectory()) return [loadFile(dir)];
  return readdirSync(dir)
    .filter((name) => (name.endsWith('.json') || name.endsWith('.hcl')) && !basename(name).startsWith('.'))
    .sort()
    .map((name) => loadFile(join(dir, name)));
}
