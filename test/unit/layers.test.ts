// The layering of docs/architecture.md, held against the code: every relative import in src/ must go
// to the same layer or one below, nothing outside src/normalize/ may import src/formats/, src/cli.ts
// imports only src/commands/, no file imports itself round a cycle, and no file is over 600 lines.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { REPO_ROOT } from '../helpers/tools.js';

const SRC = join(REPO_ROOT, 'src');

/** From the top down. A layer may import its own folder and any layer after it, except where noted. */
const LAYERS = ['cli.ts', 'index.ts', 'commands', 'verify', 'compare', 'settings', 'normalize', 'formats'] as const;
type Layer = (typeof LAYERS)[number];

/** Imports allowed beyond "same layer or below": narrower rules for the top and for the codecs. */
const ALLOWED: Partial<Record<Layer, readonly Layer[]>> = {
  'cli.ts': ['commands'],
  'index.ts': ['commands', 'verify', 'compare', 'settings', 'normalize'],
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

function layerOf(file: string): Layer {
  const first = relative(SRC, file).split('/')[0]!;
  const layer = LAYERS.find((l) => l === first);
  assert.ok(layer, `${relative(REPO_ROOT, file)} is in no layer of docs/architecture.md`);
  return layer;
}

/** Relative imports (static, dynamic and type-only) of a file, resolved to .ts paths. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specifiers = [...text.matchAll(/(?:^|\n)\s*(?:import|export)\b[^'"]*?from\s+'(\.[^']+)'|import\(\s*'(\.[^']+)'\s*\)/g)].map((m) => m[1] ?? m[2]!);
  return specifiers.map((spec) => resolve(dirname(file), spec.replace(/\.js$/, '.ts')));
}

const files = sourceFiles(SRC);
const graph = new Map(files.map((file) => [file, importsOf(file)]));

test('every import goes to the same layer or one below; formats only from normalize; cli only to commands', () => {
  const wrong: string[] = [];
  for (const [file, imports] of graph) {
    const from = layerOf(file);
    for (const target of imports) {
      const to = layerOf(target);
      const allowed = ALLOWED[from] ?? LAYERS.slice(LAYERS.indexOf(from));
      const formatsFromOutside = to === 'formats' && from !== 'normalize' && from !== 'formats';
      if (!allowed.includes(to) || formatsFromOutside) wrong.push(`${relative(SRC, file)} -> ${relative(SRC, target)}`);
    }
  }
  assert.deepEqual(wrong, []);
});

test('the layering test sees the imports it judges', () => {
  // A guard against a regular expression that silently matches nothing.
  assert.ok(graph.get(join(SRC, 'cli.ts'))!.includes(join(SRC, 'commands', 'index.ts')));
  assert.ok(graph.get(join(SRC, 'normalize', 'sdist', 'read.ts'))!.includes(join(SRC, 'formats', 'tar', 'index.ts')));
  assert.ok([...graph.values()].flat().length > 100);
});

test('no import cycle between source files', () => {
  const state = new Map<string, 'open' | 'done'>();
  const cycles: string[] = [];
  const visit = (file: string, path: string[]) => {
    if (state.get(file) === 'done') return;
    if (state.get(file) === 'open') {
      cycles.push([...path.slice(path.indexOf(file)), file].map((f) => relative(SRC, f)).join(' -> '));
      return;
    }
    state.set(file, 'open');
    for (const target of graph.get(file) ?? []) visit(target, [...path, file]);
    state.set(file, 'done');
  };
  for (const file of files) visit(file, []);
  assert.deepEqual(cycles, []);
});

test('no source file is over 600 lines', () => {
  const long = files.map((file) => [relative(SRC, file), readFileSync(file, 'utf8').split('\n').length] as const).filter(([, lines]) => lines > 600);
  assert.deepEqual(long, []);
});
