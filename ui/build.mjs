// Builds the UI (ui/src, Preact) into ui/dist/ui/, which wrangler serves as static assets at /ui/.
// Run by wrangler's [build] command (wrangler dev/deploy, so `npm start` and the e2e Beacon) and by
// vitest.config.ts before the workerd project starts. Output is never committed. A file is written only
// when its content changed: several wrangler dev servers share the folder, and each reloads on a write.
import { build } from 'esbuild';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('.', import.meta.url));
const out = `${root}dist/ui`;

async function writeIfChanged(path, contents) {
  const before = await readFile(path).catch(() => null);
  if (before && Buffer.compare(before, Buffer.from(contents)) === 0) return;
  await writeFile(path, contents);
}

export async function buildUi() {
  await mkdir(out, { recursive: true });
  const result = await build({
    entryPoints: { app: `${root}src/main.tsx` },
    bundle: true, minify: true, format: 'esm', target: 'es2022', outdir: out, write: false,
    jsx: 'automatic', jsxImportSource: 'preact', logLevel: 'warning', legalComments: 'none',
  });
  for (const file of result.outputFiles) await writeIfChanged(file.path, file.contents);
  for (const name of ['index.html', 'style.css']) await writeIfChanged(`${out}/${name}`, await readFile(`${root}src/${name}`));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await buildUi();
