// Command-line paths to artefact files: what a directory, a glob or no path at all means. Each file
// comes with the handler of its kind, found once here by its file name (normalize's handler table).
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describeKinds, fileTypeName, handlerFor, kindSuffixes } from '../normalize/index.js';
import type { ArtefactHandler } from '../normalize/index.js';

/** Where `python -m build` puts its artefacts, and so where reprodist looks by default. */
export const DEFAULT_DIST_DIR = 'dist';

/** An artefact file and the handler of its kind. */
export interface Artefact {
  path: string;
  handler: ArtefactHandler;
}

export interface ResolvedArtefacts {
  artefacts: Artefact[];
  /** One line per argument that named nothing usable. */
  problems: string[];
}

/** The artefact files directly in `dir` (not recursive, no dot files), sorted: every kind's `*{suffix}`. */
export async function artefactsIn(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((name) => !name.startsWith('.') && handlerFor(name)).sort();
}

/**
 * What opens every glob pattern fast-glob knows (wildcards, classes, braces, extglobs and groups):
 * fast-glob, a good part of what a run would load, is loaded only for an argument that holds one,
 * and decides there whether it is a pattern. (A local version's `+` is not one.)
 */
const GLOB_CHARACTERS = /[*?[{(]/;

/** The pattern's matches when `arg` is a glob pattern, else undefined. */
async function globMatches(arg: string): Promise<string[] | undefined> {
  if (!GLOB_CHARACTERS.test(arg)) return undefined;
  const { default: fg } = await import('fast-glob');
  return fg.isDynamicPattern(arg) ? fg(arg, { onlyFiles: false, dot: false }) : undefined;
}

/**
 * Turns command-line paths into artefacts: a directory means its artefact files (not recursive), a
 * pattern with glob characters is expanded, anything else must be a file. Every artefact is checked
 * with stat (which opens nothing, so a FIFO or a device cannot block it) and must be a regular file,
 * or a symbolic link to one; a file named twice (by two paths, or through a link) is taken once.
 * No paths means `dist/`.
 */
export async function resolveArtefacts(args: readonly string[]): Promise<ResolvedArtefacts> {
  const candidates: string[] = [];
  const problems: string[] = [];
  for (const arg of args.length > 0 ? args : [DEFAULT_DIST_DIR]) {
    if (arg === '-') {
      problems.push('-: reading an artefact from standard input is not supported; name the file (a file called "-" is ./-)');
      continue;
    }
    const globbed = await globMatches(arg);
    if (globbed) {
      const matches = globbed.filter((p) => handlerFor(p)).sort();
      if (matches.length === 0) problems.push(`${arg}: the pattern matches no ${kindSuffixes()} file`);
      candidates.push(...matches);
      continue;
    }
    let info;
    try {
      info = await stat(arg);
    } catch {
      problems.push(`${arg}: no such file or directory`);
      continue;
    }
    if (info.isDirectory() && !handlerFor(arg)) {
      const matches = (await artefactsIn(arg)).map((name) => join(arg, name));
      if (matches.length === 0) problems.push(`${arg}: the directory holds no ${kindSuffixes()} file`);
      candidates.push(...matches);
    } else if (!handlerFor(arg)) {
      problems.push(`${arg}: not ${describeKinds()}`);
    } else {
      candidates.push(arg);
    }
  }
  const artefacts: Artefact[] = [];
  const seen = new Set<string>();
  for (const path of new Set(candidates)) {
    let info;
    try {
      info = await stat(path);
    } catch {
      problems.push(`${path}: no such file (a broken symbolic link?)`);
      continue;
    }
    if (!info.isFile()) {
      problems.push(`${path}: not a regular file (${fileTypeName(info)}); only files are read`);
      continue;
    }
    const identity = `${info.dev}:${info.ino}`;
    if (seen.has(identity)) continue;
    seen.add(identity);
    artefacts.push({ path, handler: handlerFor(path)! });
  }
  return { artefacts, problems };
}
