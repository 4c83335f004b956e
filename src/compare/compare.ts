// `compare`: are two artefacts (or two directories of them) byte-identical, and if not, is it only
// what reprodist normalizes (equal content views) or the content itself? Both the content verdict and
// the metadata differences come from the artefact's handler.
import { readdir, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { RefusedInput, contentDifferences, describeError, failureStatus, handlerFor, namingFile, sha256File } from '../normalize/index.js';
import type { ArtefactKind, Change } from '../normalize/index.js';
import { addContentDiffs, DEFAULT_CONTENT_DIFF_OPTIONS } from './members.js';
import type { ContentDiffOptions, MemberDifference } from './members.js';

export type PairStatus = 'identical' | 'differs' | 'refused' | 'error';

/**
 * For a pair that differs: `same-content` when the content views are equal (normalizing both makes
 * them byte-identical), else `content-differs`.
 */
export type Verdict = 'same-content' | 'content-differs';

export interface PairComparison {
  /** The file name (or `A name | B name` when the two are named differently). */
  name: string;
  a: string;
  b: string;
  kind?: ArtefactKind;
  status: PairStatus;
  verdict?: Verdict;
  /** Present once both files were read. */
  size?: { a: number; b: number };
  sha256?: { a: string; b: string };
  /** Content differences (empty unless `content-differs`). */
  members: MemberDifference[];
  /** How many member headers both archives have: what the metadata counts are out of. */
  commonMembers?: number;
  /** Metadata differences: fields named `gzip ...`, `tar ...` or `zip ...`, with counts and examples. */
  metadata: Change[];
  /** refused and error: one line saying what and why. */
  message?: string;
}

export interface Comparison {
  a: string;
  b: string;
  pairs: PairComparison[];
  /** Directories: artefact file names on one side only. */
  onlyInA: string[];
  onlyInB: string[];
  /** Arguments that named nothing usable, one line each. */
  problems: string[];
  /** 0 every pair identical, 1 something differs (or is on one side only), 2 an error. */
  exitCode: number;
}

export type CompareOptions = Partial<ContentDiffOptions>;

/**
 * Compares two artefacts, two directories (artefacts paired by file name), or an artefact with the
 * one of the same name in a directory. Never throws for a bad input: it is in `problems` or a pair's
 * `message`.
 */
export async function compare(a: string, b: string, options: CompareOptions = {}): Promise<Comparison> {
  const result: Comparison = { a, b, pairs: [], onlyInA: [], onlyInB: [], problems: [], exitCode: 0 };
  const [infoA, infoB] = await Promise.all([statOrProblem(a, result.problems), statOrProblem(b, result.problems)]);
  if (infoA && infoB) {
    const pairs: [string, string][] = [];
    if (infoA.isDirectory() && infoB.isDirectory()) {
      const [namesA, namesB] = await Promise.all([artefactNames(a, result.problems), artefactNames(b, result.problems)]);
      if (namesA.length === 0 && namesB.length === 0) result.problems.push(`${a} and ${b} hold no .tar.gz or .whl file`);
      const setB = new Set(namesB);
      const setA = new Set(namesA);
      for (const name of namesA) {
        if (setB.has(name)) pairs.push([join(a, name), join(b, name)]);
        else result.onlyInA.push(name);
      }
      result.onlyInB.push(...namesB.filter((name) => !setA.has(name)));
    } else if (infoA.isDirectory()) {
      pairs.push([join(a, basename(b)), b]);
    } else if (infoB.isDirectory()) {
      pairs.push([a, join(b, basename(a))]);
    } else {
      pairs.push([a, b]);
    }
    for (const [pathA, pathB] of pairs) result.pairs.push(await compareFiles(pathA, pathB, options));
  }
  result.exitCode = exitCodeOf(result);
  return result;
}

function exitCodeOf(result: Comparison): number {
  if (result.problems.length > 0 || result.pairs.some((p) => p.status === 'refused' || p.status === 'error')) return 2;
  if (result.onlyInA.length > 0 || result.onlyInB.length > 0 || result.pairs.some((p) => p.status === 'differs')) return 1;
  return 0;
}

async function statOrProblem(path: string, problems: string[]) {
  try {
    return await stat(path);
  } catch (error) {
    problems.push(describeError(error));
    return undefined;
  }
}

/** The artefact file names of a directory (not recursive), as `expandArtefactPaths` takes them. */
async function artefactNames(dir: string, problems: string[]): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    problems.push(describeError(error));
    return [];
  }
  return entries
    .filter((e) => (e.isFile() || e.isSymbolicLink()) && !e.name.startsWith('.') && handlerFor(e.name))
    .map((e) => e.name)
    .sort();
}

/** Compares two artefact files of the same kind. */
export async function compareFiles(a: string, b: string, options: CompareOptions = {}): Promise<PairComparison> {
  const name = basename(a) === basename(b) ? basename(a) : `${basename(a)} | ${basename(b)}`;
  let kind: ArtefactKind | undefined;
  try {
    const handler = handlerFor(a);
    const handlerB = handlerFor(b);
    if (!handler || !handlerB) throw new RefusedInput(`${handler ? b : a}: not an sdist (.tar.gz) or a wheel (.whl)`);
    if (handler.kind !== handlerB.kind) throw new RefusedInput(`${a} is an ${handler.kind} and ${b} a ${handlerB.kind}: compare artefacts of one kind`);
    kind = handler.kind;
    const [statA, statB, hashA, hashB] = await Promise.all([stat(a), stat(b), sha256File(a), sha256File(b)]);
    const files = { size: { a: statA.size, b: statB.size }, sha256: { a: hashA, b: hashB } };
    if (hashA === hashB) {
      // Equal bytes are an equal pair only when they are an artefact: one side is read through the
      // handler, so two copies of a corrupt file are an error, as one would be.
      await naming(a, handler.readContent(a));
      return { name, a, b, kind, status: 'identical', ...files, members: [], metadata: [] };
    }
    const [contentA, contentB] = await Promise.all([naming(a, handler.readContent(a)), naming(b, handler.readContent(b))]);
    const members: MemberDifference[] = contentDifferences(contentA, contentB);
    const verdict: Verdict = members.length === 0 ? 'same-content' : 'content-differs';
    await addContentDiffs(members, handler, a, b, { ...DEFAULT_CONTENT_DIFF_OPTIONS, ...options });
    const { changes: metadata, commonMembers } = await naming(`${a} or ${b}`, handler.compareMetadata(a, b, verdict === 'same-content'));
    return { name, a, b, kind, status: 'differs', verdict, ...files, members, commonMembers, metadata };
  } catch (error) {
    return { name, a, b, ...(kind ? { kind } : {}), status: failureStatus(error), members: [], metadata: [], message: describeError(error) };
  }
}

async function naming<T>(path: string, work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    throw namingFile(path, error);
  }
}
