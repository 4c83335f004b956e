// How two content views differ, member by member, and for the first few text files whose content
// differs, a short unified diff of their first differing lines.
import type { ArtefactHandler, ContentDifference, ContentDifferenceKind } from '../normalize/index.js';
import { unifiedDiff } from './unified-diff.js';

export type MemberDifferenceKind = ContentDifferenceKind;

/** A content difference, with what compare reads to explain a `content` one. */
export interface MemberDifference extends ContentDifference {
  /** `content`, when the data was read: each side's size in bytes, and whether it is text. */
  size?: { a: number; b: number };
  text?: boolean;
  /** `content` of a text member (the first few only): unified diff lines, cut to a few dozen. */
  diff?: string[];
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
}

export const DEFAULT_CONTENT_DIFF_OPTIONS: ContentDiffOptions = { maxDiffs: 5, diffLines: 40, diffBytes: 1 << 20, labels: { a: 'A', b: 'B' } };

/** Fills in sizes and diffs of the first `maxDiffs` members whose content differs. */
export async function addContentDiffs(
  differences: MemberDifference[],
  handler: ArtefactHandler,
  pathA: string,
  pathB: string,
  options: ContentDiffOptions = DEFAULT_CONTENT_DIFF_OPTIONS,
): Promise<void> {
  const chosen = differences.filter((d) => d.difference === 'content').slice(0, options.maxDiffs);
  const names = chosen.map((d) => d.name);
  const [bytesA, bytesB] = await Promise.all([
    handler.readMemberHeads(pathA, names, options.diffBytes),
    handler.readMemberHeads(pathB, names, options.diffBytes),
  ]);
  for (const difference of chosen) {
    const dataA = bytesA.get(difference.name);
    const dataB = bytesB.get(difference.name);
    if (!dataA || !dataB) continue;
    difference.size = { a: dataA.size, b: dataB.size };
    const textA = asText(dataA.head, dataA.size > dataA.head.length);
    const textB = asText(dataB.head, dataB.size > dataB.head.length);
    difference.text = textA !== undefined && textB !== undefined;
    if (textA === undefined || textB === undefined) continue;
    const lines = unifiedDiff(textA, textB, `${options.labels.a}/${difference.name}`, `${options.labels.b}/${difference.name}`, { maxLines: options.diffLines });
    if (lines.length > 0) difference.diff = lines;
  }
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
