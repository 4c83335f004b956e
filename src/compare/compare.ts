// `compare`: are two artefacts (or two directories of them) byte-identical, and if not, is it only
// what reprodist normalizes (equal content views) or the content itself? Both the content verdict and
// the metadata differences come from the artefact's handler. Two releases of one project pair too:
// their files by project and kind (each kind's file-name grammar), their members by role (the
// roots each handler declares).
import { stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { RefusedInput, checkReadable, describeError, describeKinds, failureStatus, handlerFor, kindSuffixes, namingFile, pairMembers, parseArtefactName, sha256File, spilledContentView } from '../normalize/index.js';
import type { ArtefactHandler, ArtefactKind, ArtefactName, Change, ContentView, MemberPairing, RenamedRoot } from '../normalize/index.js';
import { artefactsIn } from '../settings/index.js';
import { addContentDiffs, DEFAULT_CONTENT_DIFF_OPTIONS, memberDifferences, readingOrder } from './members.js';
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
  /** Directories: `project` when the file names differ and the files pair as one project's sdist, or its wheel of the same tags. */
  pairedBy?: 'project';
  /** With `pairedBy`: how the kind's handler says what paired (`sdist`, `wheel for the same tags`). */
  pairedAs?: string;
  /** The version each side is of, from its file name (else its top or .dist-info directory), when both say. */
  version?: { a: string; b: string };
  status: PairStatus;
  verdict?: Verdict;
  /** Present once both files were read. */
  size?: { a: number; b: number };
  sha256?: { a: string; b: string };
  /** Directories paired by role whose names differ (`pkg-1.0` and `pkg-1.1`): members under them are named as in A. */
  renamedRoots?: RenamedRoot[];
  /** Content differences (empty unless `content-differs`), in reading order (MemberRole, then name). */
  members: MemberDifference[];
  /** How many member headers both archives have: what the metadata counts are out of. */
  commonMembers?: number;
  /** Metadata differences: fields named `gzip ...`, `tar ...` or `zip ...`, with counts and examples. */
  metadata: Change[];
  /**
   * `same-content`: the metadata fields the normal form keeps (an sdist's hard links against
   * copies), so that normalizing both does not make them equal; absent when it would.
   */
  keptByNormalForm?: string[];
  /** refused and error: one line saying what and why. */
  message?: string;
}

/** compare's document: `--json` prints it and the library's compare() resolves to it. */
export interface Comparison {
  command: 'compare';
  a: string;
  b: string;
  /** One per pair of files compared. */
  results: PairComparison[];
  /** Directories: artefact file names on one side only (no file of that name, nor of that project and kind). */
  onlyInA: string[];
  onlyInB: string[];
  /** Arguments that named nothing usable, one line each. */
  problems: string[];
  /** 0 every pair identical, 1 something differs (or is on one side only), 2 an error. */
  exitCode: number;
}

export type CompareOptions = Partial<Omit<ContentDiffOptions, 'versions'>>;

/**
 * Compares two artefacts, two directories (artefacts paired by file name, else by project and kind),
 * or an artefact with the one of the same name in a directory. Never throws for a bad input: it is in
 * `problems` or a pair's `message`.
 */
export async function compare(a: string, b: string, options: CompareOptions = {}): Promise<Comparison> {
  const result: Comparison = { command: 'compare', a, b, results: [], onlyInA: [], onlyInB: [], problems: [], exitCode: 0 };
  const [infoA, infoB] = await Promise.all([statOrProblem(a, result.problems), statOrProblem(b, result.problems)]);
  if (infoA && infoB) {
    const pairs: FilePair[] = [];
    if (infoA.isDirectory() && infoB.isDirectory()) {
      const [namesA, namesB] = await Promise.all([artefactNames(a, result.problems), artefactNames(b, result.problems)]);
      if (namesA.length === 0 && namesB.length === 0) result.problems.push(`${a} and ${b} hold no ${kindSuffixes()} file`);
      const setB = new Set(namesB);
      const setA = new Set(namesA);
      const unpairedA = namesA.filter((name) => !setB.has(name));
      const unpairedB = namesB.filter((name) => !setA.has(name));
      const byProject = pairByProject(unpairedA, unpairedB);
      const pairedA = new Map(byProject.map(([nameA, nameB]) => [nameA, nameB]));
      const pairedB = new Set(pairedA.values());
      for (const name of namesA) {
        if (setB.has(name)) pairs.push([join(a, name), join(b, name)]);
        else if (pairedA.has(name)) pairs.push([join(a, name), join(b, pairedA.get(name)!), 'project']);
        else result.onlyInA.push(name);
      }
      result.onlyInB.push(...unpairedB.filter((name) => !pairedB.has(name)));
    } else if (infoA.isDirectory()) {
      pairs.push([join(a, basename(b)), b]);
    } else if (infoB.isDirectory()) {
      pairs.push([a, join(b, basename(a))]);
    } else {
      pairs.push([a, b]);
    }
    for (const [pathA, pathB, pairedBy] of pairs) {
      const pair = await compareFiles(pathA, pathB, options);
      result.results.push(pairedBy ? { ...pair, pairedBy, pairedAs: handlerFor(pathA)!.pairedAs } : pair);
    }
  }
  result.exitCode = exitCodeOf(result);
  return result;
}

type FilePair = [a: string, b: string, pairedBy?: 'project'];

/**
 * Files of two directories whose names differ but that are one project's sdist, or its wheel for
 * the same tags (two releases, or a local version such as `1.0+g2f4fe15`): paired when each side has
 * exactly one of that project and kind left, so that no pairing is a guess.
 */
function pairByProject(namesA: readonly string[], namesB: readonly string[]): [string, string][] {
  const byKey = (names: readonly string[]) => {
    const groups = new Map<string, string[]>();
    for (const name of names) {
      const parsed = parseArtefactName(name);
      if (parsed) groups.set(pairingKey(parsed), [...(groups.get(pairingKey(parsed)) ?? []), name]);
    }
    return groups;
  };
  const groupsB = byKey(namesB);
  const pairs: [string, string][] = [];
  for (const [key, group] of byKey(namesA)) {
    const partners = groupsB.get(key);
    if (group.length === 1 && partners?.length === 1) pairs.push([group[0]!, partners[0]!]);
  }
  return pairs;
}

/** What two releases' files of one project and kind share: their file names differ elsewhere only in the version. */
function pairingKey(name: ArtefactName): string {
  return [name.kind, name.project, name.tags ?? ''].join(' ');
}

function exitCodeOf(result: Comparison): number {
  if (result.problems.length > 0 || result.results.some((p) => p.status === 'refused' || p.status === 'error')) return 2;
  if (result.onlyInA.length > 0 || result.onlyInB.length > 0 || result.results.some((p) => p.status === 'differs')) return 1;
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

/** The artefact file names of a directory (not recursive), as the paths of every verb take them. */
async function artefactNames(dir: string, problems: string[]): Promise<string[]> {
  try {
    return await artefactsIn(dir);
  } catch (error) {
    problems.push(describeError(error));
    return [];
  }
}

/** Compares two artefact files of the same kind. */
export async function compareFiles(a: string, b: string, options: CompareOptions = {}): Promise<PairComparison> {
  const name = basename(a) === basename(b) ? basename(a) : `${basename(a)} | ${basename(b)}`;
  let kind: ArtefactKind | undefined;
  try {
    const handler = handlerFor(a);
    const handlerB = handlerFor(b);
    if (!handler || !handlerB) throw new RefusedInput(`${handler ? b : a}: not ${describeKinds()}`);
    if (handler.kind !== handlerB.kind) throw new RefusedInput(`${a} is an ${handler.kind} and ${b} a ${handlerB.kind}: compare artefacts of one kind`);
    kind = handler.kind;
    const [statA, statB, hashA, hashB] = await Promise.all([stat(a), stat(b), sha256File(a), sha256File(b)]);
    const files = { size: { a: statA.size, b: statB.size }, sha256: { a: hashA, b: hashB } };
    if (hashA === hashB) {
      // Equal bytes are an equal pair only when they are an artefact: one side is read through the
      // handler, so two copies of a corrupt file are an error, as one would be.
      await naming(a, checkReadable(handler.readContent(a)));
      return { name, a, b, kind, status: 'identical', ...files, members: [], metadata: [] };
    }
    const { members, pairing } = await compareMembers(handler, a, b);
    const roots = pairing.renamedRoots;
    const verdict: Verdict = members.length === 0 ? 'same-content' : 'content-differs';
    const version = versionsOf(a, b, roots);
    const versions = version && version.a !== version.b ? { versions: version } : {};
    await addContentDiffs(members, handler, a, b, { ...DEFAULT_CONTENT_DIFF_OPTIONS, ...versions, ...options });
    const { changes: metadata, commonMembers } = await naming(`${a} or ${b}`, handler.compareMetadata(a, b, verdict === 'same-content', pairing));
    const renamedRoots = roots.length > 0 ? { renamedRoots: roots } : {};
    const kept = verdict === 'same-content' ? metadata.filter((change) => handler.preservedFields.includes(change.field)).map((change) => change.field) : [];
    const keptByNormalForm = kept.length > 0 ? { keptByNormalForm: kept } : {};
    return { name, a, b, kind, ...(version ? { version } : {}), status: 'differs', verdict, ...files, ...renamedRoots, members: readingOrder(members), commonMembers, metadata, ...keptByNormalForm };
  } catch (error) {
    return { name, a, b, ...(kind ? { kind } : {}), status: failureStatus(error), members: [], metadata: [], message: describeError(error) };
  }
}

/**
 * How the two sides' members differ, and how they pair (the pairing the metadata comparison uses
 * too). Each side's content view is read a record at a time, several times over (for pairing, roles
 * and differences), and its member table is dropped when this returns, before the metadata views are
 * read.
 */
async function compareMembers(handler: ArtefactHandler, a: string, b: string): Promise<{ members: MemberDifference[]; pairing: MemberPairing }> {
  const views: ContentView[] = [];
  try {
    // One after the other, and a big view of A in a scratch file while B is read: two archives'
    // tables at once while both were read was the peak, and with A's table held as B was read, two
    // wheels of 262,144 members took 142 MiB.
    views.push(await spilledContentView(await naming(a, handler.readContent(a))));
    views.push(await naming(b, handler.readContent(b)));
    const [contentA, contentB] = views as [ContentView, ContentView];
    const [namesA, namesB] = [namesOf(contentA), namesOf(contentB)];
    const pairing = pairMembers(handler.roots, namesA, namesB);
    const members = memberDifferences(contentA, contentB, pairing, handler.memberRoles(namesA), handler.memberRoles(namesB));
    return { members, pairing };
  } finally {
    for (const view of views) await view.release?.();
  }
}

/** The members' names, read from the view as they are asked for. */
function namesOf(content: ContentView): Iterable<string> {
  return {
    *[Symbol.iterator]() {
      for (const record of content) yield record.name;
    },
  };
}

/** Each side's version: from the file names, else from the directories paired by role. */
function versionsOf(a: string, b: string, roots: readonly RenamedRoot[]): { a: string; b: string } | undefined {
  const fromFiles = [parseArtefactName(a), parseArtefactName(b)];
  if (fromFiles[0] && fromFiles[1]) return { a: fromFiles[0].version, b: fromFiles[1].version };
  return roots.find((root) => root.version)?.version;
}

async function naming<T>(path: string, work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    throw namingFile(path, error);
  }
}
