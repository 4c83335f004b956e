// How two content views differ, member by member (members paired by role across versions), and
// for the first few members whose content differs, sizes, and for text a short unified diff.
import { inNameOrder, MEMBER_ROLE_ORDER, sortedContentDifferences } from '../normalize/index.js';
import type { ArtefactHandler, ContentDifferenceKind, ContentRecord, ContentDifference, ContentView, MemberHead, MemberPairing, MemberRole } from '../normalize/index.js';
import { unifiedDiff } from './unified-diff.js';

export type MemberDifferenceKind = ContentDifferenceKind;

/** A content difference, with what compare reads to explain a `content` one. */
export interface MemberDifference extends ContentDifference {
  /** The member's name in B, when B names its place differently (another version's top directory). */
  nameB?: string;
  /** What the member is to a reader (its kind's handler says): what reading order goes by. */
  role: MemberRole;
  /** `content`: each side's sha256 (hex). */
  sha256?: { a: string; b: string };
  /** `content`, when the data was read: each side's size in bytes, and whether it is text. */
  size?: { a: number; b: number };
  text?: boolean;
  /** `content` of a text member read whole: true when the only change is A's version string replaced by B's. */
  versionOnly?: boolean;
  /** `content` of a text member (the first few only): unified diff lines, cut to a few dozen. */
  diff?: string[];
}

/**
 * Every difference between two content views, B's members paired with A's by `pairing`: names are
 * A's (B's for a member only B has), with `nameB` where B's differs. The views are walked side by
 * side, a record at a time.
 */
export function memberDifferences(
  contentA: ContentView,
  contentB: ContentView,
  pairing: MemberPairing,
  roleInA: (name: string) => MemberRole,
  roleInB: (name: string) => MemberRole,
): MemberDifference[] {
  // Renaming B's top directories keeps the order under each, and nearly always between them.
  const bAsA = inNameOrder(renamed(contentB, pairing.toA));
  const differences = sortedContentDifferences(contentA, bAsA);
  // The hashes of the members whose content differs, not a map of every member's.
  const changed = new Set(differences.filter(({ difference }) => difference === 'content').map(({ name }) => name));
  const hashesOf = (records: Iterable<ContentRecord>) => {
    const hashes = new Map<string, string>();
    if (changed.size > 0) for (const { name, sha256 } of records) if (changed.has(name)) hashes.set(name, sha256);
    return hashes;
  };
  const hashA = hashesOf(contentA);
  const hashB = hashesOf(bAsA);
  return differences.map((difference): MemberDifference => {
    const nameB = pairing.toB(difference.name);
    if (difference.difference === 'only-in-b') return { ...difference, name: nameB, role: roleInB(nameB) };
    const member: MemberDifference = { ...difference, role: roleInA(difference.name) };
    if (nameB !== difference.name && difference.difference !== 'only-in-a') member.nameB = nameB;
    if (difference.difference === 'content') member.sha256 = { a: hashA.get(difference.name)!, b: hashB.get(difference.name)! };
    return member;
  });
}

/** The records, each under the name `rename` gives it, made as they are read (and readable again). */
function renamed(records: ContentView, rename: (name: string) => string): ContentView {
  return {
    *[Symbol.iterator]() {
      for (const record of records) {
        const name = rename(record.name);
        yield name === record.name ? record : { ...record, name };
      }
    },
  };
}

/**
 * What a reader of a release's changes looks at first: by role (core metadata, the importable
 * package, other files such as docs and tests, then files derived from others such as RECORD and
 * egg-info), and last those that changed only in the version string; otherwise in the order given.
 */
export function readingOrder(members: readonly MemberDifference[]): MemberDifference[] {
  const rank = (member: MemberDifference) => (member.versionOnly && member.role !== 'core-metadata' ? MEMBER_ROLE_ORDER.length : MEMBER_ROLE_ORDER.indexOf(member.role));
  return [...members].sort((x, y) => rank(x) - rank(y));
}

export interface ContentDiffOptions {
  /** How many differing members get sizes and a diff (default 5). */
  maxDiffs: number;
  /** Lines per diff, headers included (default 40). */
  diffLines: number;
  /** Bytes of each member read for the diff (default 1 MiB); a diff of a longer text covers its start. */
  diffBytes: number;
  /** What the diff headers call the two sides (default `A` and `B`): `--- A/name`, `+++ B/name`. */
  labels: { a: string; b: string };
  /** Each side's version, when known and different: a text member that differs only in it has no diff. */
  versions?: { a: string; b: string };
}

export const DEFAULT_CONTENT_DIFF_OPTIONS: ContentDiffOptions = { maxDiffs: 5, diffLines: 40, diffBytes: 1 << 20, labels: { a: 'A', b: 'B' } };

/**
 * A member that differs only in the version string has no diff of its own: it leaves its place to the
 * next one, for at most this many reads of each archive (an sdist is read whole for each).
 */
const MAX_DIFF_ROUNDS = 3;

/**
 * Fills in sizes and diffs of the first `maxDiffs` members whose content differs, in reading order.
 * Members whose only difference is the version string get their size but take no place.
 */
export async function addContentDiffs(
  differences: MemberDifference[],
  handler: ArtefactHandler,
  pathA: string,
  pathB: string,
  options: ContentDiffOptions = DEFAULT_CONTENT_DIFF_OPTIONS,
): Promise<void> {
  const candidates = readingOrder(differences.filter((d) => d.difference === 'content'));
  let shown = 0;
  for (let round = 0, next = 0; round < MAX_DIFF_ROUNDS && shown < options.maxDiffs && next < candidates.length; round++) {
    const chosen = candidates.slice(next, next + options.maxDiffs - shown);
    next += chosen.length;
    const [bytesA, bytesB] = await Promise.all([
      handler.readMemberHeads(pathA, chosen.map((d) => d.name), options.diffBytes),
      handler.readMemberHeads(pathB, chosen.map((d) => d.nameB ?? d.name), options.diffBytes),
    ]);
    for (const difference of chosen) {
      const dataA = bytesA.get(difference.name);
      const dataB = bytesB.get(difference.nameB ?? difference.name);
      if (dataA && dataB && !describeContent(difference, dataA, dataB, options)) shown += 1;
    }
  }
}

/** Sets the member's size, and its diff when both sides are text; false when it differs only in the version. */
function describeContent(difference: MemberDifference, dataA: MemberHead, dataB: MemberHead, options: ContentDiffOptions): boolean {
  difference.size = { a: dataA.size, b: dataB.size };
  const textA = asText(dataA.head, dataA.size > dataA.head.length);
  const textB = asText(dataB.head, dataB.size > dataB.head.length);
  difference.text = textA !== undefined && textB !== undefined;
  if (textA === undefined || textB === undefined) return false;
  const whole = dataA.size === dataA.head.length && dataB.size === dataB.head.length;
  const { versions } = options;
  if (versions && whole && textA.replaceAll(versions.a, versions.b) === textB) {
    difference.versionOnly = true;
    // The core metadata's diff shows the version change once; the others would only repeat it.
    if (difference.role !== 'core-metadata') return true;
  }
  const lines = unifiedDiff(textA, textB, `${options.labels.a}/${difference.name}`, `${options.labels.b}/${difference.nameB ?? difference.name}`, { maxLines: options.diffLines });
  if (lines.length > 0) difference.diff = lines;
  return false;
}

const decoder = new TextDecoder('utf-8', { fatal: true });

/** The bytes as text when they are UTF-8 without NUL bytes; a cut head may end inside a character. */
function asText(head: Buffer, cut: boolean): string | undefined {
  if (head.includes(0)) return undefined;
  let bytes = head;
  if (cut) {
    // Drop a partial last line (and with it any partial character): the diff covers whole lines.
    const lastNewline = head.lastIndexOf(0x0a);
    bytes = lastNewline >= 0 ? head.subarray(0, lastNewline + 1) : head.subarray(0, 0);
  }
  try {
    return decoder.decode(bytes);
  } catch {
    return undefined;
  }
}
