// No import cycles, type-only imports included (docs/layout.md): what `npx madge --circular` checks, done
// with TypeScript's own import scanner so the suite needs no extra dependency. Each case is a folder set.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const FOLDERS = ['worker', 'durable-objects', 'dns-gateway', 'cli', 'scripts'];

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (name === 'node_modules' || name === 'dist') return [];
    if (statSync(full).isDirectory()) return sources(full);
    return /\.tsx?$/.test(name) && !name.endsWith('.d.ts') ? [full] : [];
  });
}

function resolve(from: string, spec: string): string | undefined {
  if (!spec.startsWith('.')) return undefined;
  const base = path.resolve(path.dirname(from), spec);
  for (const candidate of [base, `${base}.ts`, `${base}.tsx`, path.join(base, 'index.ts')]) {
    try {
      if (statSync(candidate).isFile()) return candidate;
    } catch {}
  }
  return undefined;
}

/** One cycle in the graph as a list of files, or undefined (depth-first search, colouring nodes). */
export function findCycle(graph: Map<string, string[]>): string[] | undefined {
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string): string[] | undefined => {
    if (state.get(node) === 'done') return undefined;
    if (state.get(node) === 'open') return [...stack.slice(stack.indexOf(node)), node];
    state.set(node, 'open');
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    stack.pop();
    state.set(node, 'done');
    return undefined;
  };
  for (const node of graph.keys()) {
    const cycle = visit(node);
    if (cycle) return cycle;
  }
  return undefined;
}

describe('findCycle', () => {
  it.each([
    ['a chain', { a: ['b'], b: ['c'], c: [] }, undefined],
    ['two files importing each other', { a: ['b'], b: ['a'] }, ['a', 'b', 'a']],
    ['a longer circle', { a: ['b'], b: ['c'], c: ['a'] }, ['a', 'b', 'c', 'a']],
    ['a diamond', { a: ['b', 'c'], b: ['d'], c: ['d'], d: [] }, undefined],
  ])('%s', (_, edges, cycle) => {
    expect(findCycle(new Map(Object.entries(edges)))).toEqual(cycle);
  });
});

it('finds no import cycle in the project', () => {
  const graph = new Map<string, string[]>();
  for (const file of FOLDERS.flatMap((f) => sources(path.join(ROOT, f)))) {
    const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    graph.set(file, importedFiles.map((i) => resolve(file, i.fileName)).filter((f): f is string => !!f));
  }
  expect(graph.size).toBeGreaterThan(200);
  expect(findCycle(graph)?.map((f) => path.relative(ROOT, f))).toBeUndefined();
});
