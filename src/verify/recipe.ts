// A rebuild recipe: what to build a release with, inferred from the release itself, shown, written as
// TOML (--save-recipe) and replayed (--recipe) after a person has corrected it. The backend and its
// requirements come from the sdist's pyproject.toml (setuptools' legacy default without one); the
// versions that built the wheel from its WHEEL `Generator:` line where the backend records itself,
// else from clues in METADATA, else every version the index held at the upload time, newest first.
import { readFile, writeFile } from 'node:fs/promises';
import { satisfies, rcompare, valid } from '@renovatebot/pep440';
import { parse, stringify } from 'smol-toml';
import { normalizeProjectName } from '../normalize/index.js';

export type Route = 'sdist' | 'source';

export interface Recipe {
  name: string;
  version: string;
  /** ISO 8601: the index is seen as it stood then (the release's first upload). */
  uploadTime: string;
  /** Each route taken: `sdist`, the wheel from the published sdist; `source`, sdist and wheel from the repository. */
  routes: Route[];
  /** The repository of the source route. */
  source?: { url: string; ref?: string };
  /** `3.11`, or a path to an interpreter. */
  python: string;
  backend: string;
  backendPath: string[];
  /** build-system.requires. */
  requires: string[];
  /** Set in the build's environment (SOURCE_DATE_EPOCH, say). */
  env: Record<string, string>;
  /** One set of pins per attempt, tried in order: project name to exact version. */
  attempts: Record<string, string>[];
  /** Why the recipe is what it is, one line each. */
  evidence: string[];
}

/** setuptools' default for a project with no [build-system] (PEP 517's legacy fallback, as pip uses). */
export const LEGACY_BUILD_SYSTEM = { backend: 'setuptools.build_meta:__legacy__', requires: ['setuptools>=40.8.0', 'wheel'] };

/** The build-system table of a pyproject.toml (absent or without one: the legacy default). */
export function buildSystem(pyproject: string | undefined): { backend: string; backendPath: string[]; requires: string[] } {
  if (pyproject === undefined) return { ...LEGACY_BUILD_SYSTEM, backendPath: [] };
  const table = (parse(pyproject)['build-system'] ?? {}) as Record<string, unknown>;
  const strings = (value: unknown) => (Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : undefined);
  const backend = typeof table['build-backend'] === 'string' ? table['build-backend'] : undefined;
  if (!backend) return { ...LEGACY_BUILD_SYSTEM, requires: strings(table.requires) ?? LEGACY_BUILD_SYSTEM.requires, backendPath: [] };
  return { backend, backendPath: strings(table['backend-path']) ?? [], requires: strings(table.requires) ?? [] };
}

/** Each backend module's distribution. */
const BACKEND_PROJECTS: [RegExp, string][] = [
  [/^setuptools\b/, 'setuptools'],
  [/^hatchling\b/, 'hatchling'],
  [/^flit_core\b/, 'flit-core'],
  [/^poetry\.core\b/, 'poetry-core'],
  [/^pdm\.backend\b/, 'pdm-backend'],
  [/^maturin\b/, 'maturin'],
];

/** WHEEL `Generator:` lines that name the tool and its exact version. */
const GENERATORS: [RegExp, string][] = [
  [/^hatchling (\S+)$/, 'hatchling'],
  [/^flit (\S+)$/, 'flit-core'],
  [/^poetry-core (\S+)$/, 'poetry-core'],
  [/^pdm-backend \((\S+)\)$/, 'pdm-backend'],
  [/^maturin \((\S+)\)$/, 'maturin'],
  [/^setuptools \((\S+)\)$/, 'setuptools'],
  [/^bdist_wheel \((\S+)\)$/, 'wheel'],
];

export function backendProject(backend: string): string | undefined {
  return BACKEND_PROJECTS.find(([pattern]) => pattern.test(backend))?.[1];
}

/** The tool and version a WHEEL file's Generator line names, if it names one exactly. */
export function generatorOf(wheelFile: string | undefined): { project: string; version: string; line: string } | undefined {
  const line = /^Generator: *(.+?)\s*$/m.exec(wheelFile ?? '')?.[1];
  if (!line) return undefined;
  for (const [pattern, project] of GENERATORS) {
    const version = pattern.exec(line)?.[1];
    if (version) return { project, version, line };
  }
  return undefined;
}

/**
 * What setuptools versions write into core metadata, measured on the fixture project built by each
 * (56.0.0, 58.1.0, 65.5.0, 67.6.1) and from the releases in the reference notes: each clue keeps
 * the candidates that write the same, tried before the others.
 */
const SETUPTOOLS_CLUES: { test: (metadata: string) => boolean; range: string; why: string }[] = [
  { test: (m) => /^(Platform|Home-page): UNKNOWN$/m.test(m), range: '<65.5.0', why: '"UNKNOWN" fields: written by setuptools 58.1.0, not by 65.5.0' },
  { test: (m) => /^License-File: /m.test(m), range: '>56.0.0', why: '"License-File": not written by setuptools 56.0.0, written by 58.1.0' },
  { test: (m) => /^Metadata-Version: 2\.4$/m.test(m), range: '>=77', why: 'Metadata-Version 2.4: setuptools 77 and later' },
];

/** What a published wheel tells about its build. */
export interface WheelEvidence {
  /** The wheel file name's tags: `py3-none-any`. */
  tags: string;
  wheelFile?: string;
  metadata?: string;
  entryPoints?: string;
}

/** `3.9` from a `cp39`/`py39` tag, or from a `name3.9` console script as pip writes. */
export function pythonHint(evidence: WheelEvidence): { python: string; why: string } | undefined {
  const tag = /^(?:cp|py)3(\d+)$/.exec(evidence.tags.split('-')[0]!.split('.')[0]!);
  if (tag) return { python: `3.${tag[1]}`, why: `the wheel's tag ${evidence.tags}` };
  const script = /^\s*[A-Za-z_][\w.-]*?3\.(\d+)\s*=/m.exec(/\[console_scripts\]([^[]*)/.exec(evidence.entryPoints ?? '')?.[1] ?? '');
  if (script) return { python: `3.${script[1]}`, why: `a console script named for Python 3.${script[1]} in entry_points.txt` };
  return undefined;
}

/** Each CPython minor's first release: the newest one out at an upload is the likely builder. */
const CPYTHON_RELEASES: [string, string][] = [
  ['3.14', '2025-10-07'], ['3.13', '2024-10-07'], ['3.12', '2023-10-02'], ['3.11', '2022-10-24'], ['3.10', '2021-10-04'],
  ['3.9', '2020-10-05'], ['3.8', '2019-10-14'], ['3.7', '2018-06-27'], ['3.6', '2016-12-23'],
];

/** Of the Pythons at hand (`X.Y`), the newest released by `uploadTime` that `requiresPython` allows, else the oldest at hand it allows. */
export function pythonAt(uploadTime: string, available: readonly string[], requiresPython?: string): string | undefined {
  const allowed = available.filter((minor) => !requiresPython || satisfies(`${minor}.0`, requiresPython) || satisfies(`${minor}.99`, requiresPython));
  const released = new Map(CPYTHON_RELEASES);
  const out = allowed.filter((minor) => (released.get(minor) ?? '9999') <= uploadTime.slice(0, 10));
  const byVersion = (a: string, b: string) => rcompare(`${a}.0`, `${b}.0`);
  return [...out].sort(byVersion)[0] ?? [...allowed].sort(byVersion).reverse()[0];
}

export interface CandidateInput {
  requires: readonly string[];
  backend: string;
  evidence: WheelEvidence;
  /** The versions of a project the index held at the upload time. */
  versionsAt(project: string): Promise<string[]>;
  maxAttempts: number;
}

/** Requirement name and specifier of a PEP 508 string (markers and extras dropped). */
function requirement(text: string): { project: string; specifier: string } | undefined {
  const match = /^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*([^;]*)/.exec(text);
  return match ? { project: normalizeProjectName(match[1]!), specifier: match[2]!.trim().replace(/^\((.*)\)$/, '$1') } : undefined;
}

/**
 * The pins of each attempt: the exact versions the wheel records, and for the backend when it records
 * none, its versions at the upload time, those the metadata clues allow first, newest first.
 */
export async function inferAttempts(input: CandidateInput): Promise<{ attempts: Record<string, string>[]; evidence: string[] }> {
  const evidence: string[] = [];
  const backend = backendProject(input.backend);
  const specifiers = new Map<string, string>();
  for (const text of input.requires) {
    const parsed = requirement(text);
    if (parsed) specifiers.set(parsed.project, [specifiers.get(parsed.project), parsed.specifier].filter(Boolean).join(','));
  }
  // setuptools before 70 builds wheels with the `wheel` project, which it asks for at build time.
  const tools = [...new Set([backend, ...(backend === 'setuptools' ? ['wheel'] : [])].filter((p): p is string => p !== undefined))];
  const exact = generatorOf(input.evidence.wheelFile);
  const pinned: Record<string, string> = {};
  let varying: { project: string; versions: string[] } | undefined;
  for (const project of tools) {
    const specifier = specifiers.get(project) ?? '';
    const known = await input.versionsAt(project);
    const allowed = known.filter((v) => valid(v) && !/[a-z]/i.test(v) && (!specifier || satisfies(v, specifier))).sort(rcompare);
    if (exact?.project === project) {
      if (known.includes(exact.version)) {
        pinned[project] = exact.version;
        evidence.push(`${project} ${exact.version}: named by the wheel's WHEEL file (Generator: ${exact.line})`);
        continue;
      }
      evidence.push(`${project} ${exact.version}: named by WHEEL (Generator: ${exact.line}) but not on the index before the upload; trying what was`);
    }
    if (allowed.length === 0) {
      evidence.push(`${project}: no version${specifier ? ` matching ${specifier}` : ''} on the index before the upload; left to pip`);
      continue;
    }
    if (project === 'setuptools' && exact?.project !== 'setuptools') {
      const ordered = orderByClues(allowed, input.evidence.metadata ?? '', evidence);
      varying = { project, versions: ordered };
    } else if (!varying && project === backend) {
      varying = { project, versions: allowed };
      evidence.push(`${project}: not recorded in the wheel; its versions before the upload, newest first`);
    } else {
      pinned[project] = allowed[0]!;
      evidence.push(`${project} ${allowed[0]}: the newest before the upload`);
    }
  }
  const attempts = varying
    ? varying.versions.slice(0, input.maxAttempts).map((version) => ({ ...pinned, [varying.project]: version }))
    : [pinned];
  return { attempts: attempts.map(sortedKeys), evidence };
}

function orderByClues(versions: string[], metadata: string, evidence: string[]): string[] {
  let preferred = versions;
  for (const clue of SETUPTOOLS_CLUES.filter((c) => c.test(metadata))) {
    const kept = preferred.filter((v) => satisfies(v, clue.range));
    if (kept.length > 0) preferred = kept;
    evidence.push(`setuptools ${clue.range} first: ${clue.why}`);
  }
  if (preferred === versions) evidence.push('setuptools: not recorded in the wheel (bdist_wheel names only itself); its versions before the upload, newest first');
  return [...preferred, ...versions.filter((v) => !preferred.includes(v))];
}

function sortedKeys(pins: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(pins).sort(([a], [b]) => a.localeCompare(b)));
}

/** The recipe in a line: each route (at the commit checked out, once it is), the Python, the backend and its requirements. */
export function recipeSummary(recipe: Recipe, checkedOut?: { ref: string; commit: string }): string {
  const routes = recipe.routes.map((route) => {
    if (route === 'sdist') return 'the wheel from the published sdist';
    const at = checkedOut ? ` at ${checkedOut.ref} (${checkedOut.commit.slice(0, 12)})` : recipe.source!.ref ? ` at ${recipe.source!.ref}` : '';
    return `the sdist and the wheel from ${recipe.source!.url}${at}`;
  });
  return `${routes.join('; ')}; Python ${recipe.python}, ${recipe.backend} (${recipe.requires.join(', ') || 'no requirements'})`;
}

/** The pins of an attempt as a constraints file for pip. */
export function constraintsText(pins: Record<string, string>): string {
  return Object.entries(pins).map(([project, version]) => `${project}==${version}\n`).join('');
}

// --- TOML ---------------------------------------------------------------------------------------

export class RecipeError extends Error {
  override name = 'RecipeError';
}

const HEADER = '# A reprodist rebuild recipe (docs/rebuild.md#recipes). Edit it and replay it with --recipe.\n';

export function recipeToToml(recipe: Recipe): string {
  const document = {
    release: { name: recipe.name, version: recipe.version, 'upload-time': recipe.uploadTime },
    build: {
      routes: recipe.routes,
      python: recipe.python,
      backend: recipe.backend,
      'backend-path': recipe.backendPath,
      requires: recipe.requires,
      env: recipe.env,
      evidence: recipe.evidence,
    },
    ...(recipe.source ? { source: recipe.source } : {}),
    attempt: recipe.attempts,
  };
  return HEADER + stringify(document) + '\n';
}

export async function saveRecipe(path: string, recipe: Recipe): Promise<void> {
  await writeFile(path, recipeToToml(recipe));
}

export async function loadRecipe(path: string): Promise<Recipe> {
  let document: Record<string, unknown>;
  try {
    document = parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new RecipeError(`${path}: ${(error as Error).message.split('\n')[0]}`);
  }
  const table = (name: string) => (document[name] ?? {}) as Record<string, unknown>;
  const text = (from: Record<string, unknown>, key: string, where: string): string => {
    const value = from[key];
    if (typeof value !== 'string' || value === '') throw new RecipeError(`${path}: [${where}] ${key} must be a string`);
    return value;
  };
  const list = (from: Record<string, unknown>, key: string): string[] => {
    const value = from[key] ?? [];
    if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) throw new RecipeError(`${path}: [build] ${key} must be a list of strings`);
    return value as string[];
  };
  const strings = (value: unknown, where: string): Record<string, string> => {
    if (typeof value !== 'object' || value === null || Object.values(value).some((v) => typeof v !== 'string')) throw new RecipeError(`${path}: ${where} must map names to strings`);
    return value as Record<string, string>;
  };
  const release = table('release');
  const build = table('build');
  const source = document.source === undefined ? undefined : table('source');
  const routes = list(build, 'routes');
  if (routes.length === 0 || routes.some((route) => route !== 'sdist' && route !== 'source')) throw new RecipeError(`${path}: [build] routes must list "sdist", "source" or both`);
  if (routes.includes('source') && !source) throw new RecipeError(`${path}: the "source" route needs a [source] table with the repository's url`);
  const uploadTime = text(release, 'upload-time', 'release');
  if (Number.isNaN(Date.parse(uploadTime))) throw new RecipeError(`${path}: [release] upload-time is not a date: ${uploadTime}`);
  const attempts = document.attempt ?? [{}];
  if (!Array.isArray(attempts) || attempts.length === 0) throw new RecipeError(`${path}: [[attempt]] must be tables of pins`);
  return {
    name: text(release, 'name', 'release'),
    version: text(release, 'version', 'release'),
    uploadTime: new Date(uploadTime).toISOString(),
    routes: [...new Set(routes)] as Route[],
    ...(source ? { source: { url: text(source, 'url', 'source'), ...(typeof source.ref === 'string' ? { ref: source.ref } : {}) } } : {}),
    python: text(build, 'python', 'build'),
    backend: text(build, 'backend', 'build'),
    backendPath: list(build, 'backend-path'),
    requires: list(build, 'requires'),
    env: strings(build.env ?? {}, '[build] env'),
    attempts: attempts.map((pins, i) => strings(pins, `[[attempt]] ${i + 1}`)),
    evidence: list(build, 'evidence'),
  };
}
