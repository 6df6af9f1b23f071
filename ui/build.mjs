// Builds the UI (ui/src, Preact) into ui/dist/ui/, which wrangler serves as static assets at /ui/.
// Run by wrangler's [build] command (wrangler dev/deploy, so `npm start` and the e2e Beacon) and by
// vitest.config.ts before the workerd project starts. Output is never committed.
import { build } from 'esbuild';
import { copyFile, mkdir, rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('.', import.meta.url));
const out = `${root}dist/ui`;

export async function buildUi() {
  await rm(`${root}dist`, { recursive: true, force: true });
  await mkdir(out, { recursive: true });
  await build({
    entryPoints: { app: `${root}src/main.tsx` },
    bundle: true, minify: true, format: 'esm', target: 'es2022', outdir: out,
    jsx: 'automatic', jsxImportSource: 'preact', logLevel: 'warning', legalComments: 'none',
  });
  await copyFile(`${root}src/index.html`, `${out}/index.html`);
  await copyFile(`${root}src/style.css`, `${out}/style.css`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await buildUi();
