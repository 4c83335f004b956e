// How two content views differ, member by member, and for the first few text files whose content
// differs, a short unified diff of their first differing lines.
import type { ArtefactKind } from '../normalize/artefact.js';
import type { ContentRecord } from '../normalize/content.js';
import { readMemberBytes } from './member-data.js';
import { unifiedDiff } from './unified-diff.js';

export type MemberDifferenceKind = 'only-in-a' | 'only-in-b' | 'type' | 'content' | 'executable' | 'link-target';

export interface MemberDifference {
  /** The member path as in the content view (no trailing slash). */
  name: string;
  difference: MemberDifferenceKind;
  /**
   * The value on each side: for `type` the member types, for `executable` "yes"/"no", for
   * `link-target` the targets; for `only-in-a`/`only-in-b` the member's type on the side that has it.
   */
  a?: string;
  b?: string;
  /** `content`, when the data was read: each side's size in bytes, and whether it is text. */
  size?: { a: number; b: number };
  text?: boolean;
  /** `content` of a text member (the first few only): unified diff lines, cut to a few dozen. */
  diff?: string[];
}

/** Every difference between the two views: one entry per member and aspect, in name order. */
export function memberDifferences(a: readonly ContentRecord[], b: readonly ContentRecord[]): MemberDifference[] {
  const out: MemberDifference[] = [];
  const byNameB = new Map(b.map((r) => [r.name, r]));
  const namesA = new Set(a.map((r) => r.name));
  for (const ra of a) {
    const rb = byNameB.get(ra.name);
    if (!rb) {
      out.push({ name: ra.name, difference: 'only-in-a', a: ra.type });
      continue;
    }
    if (ra.type !== rb.type) {
      out.push({ name: ra.name, difference: 'type', a: ra.type, b: rb.type });
      continue;
    }
    if (ra.sha256 !== rb.sha256) out.push({ name: ra.name, difference: 'content' });
    if (ra.executable !== rb.executable) out.push({ name: ra.name, difference: 'executable', a: yesNo(ra.executable), b: yesNo(rb.executable) });
    if (ra.linkTarget !== rb.linkTarget) out.push({ name: ra.name, difference: 'link-target', a: ra.linkTarget, b: rb.linkTarget });
  }
  for (const rb of b) {
    if (!namesA.has(rb.name)) out.push({ name: rb.name, difference: 'only-in-b', b: rb.type });
  }
  return out.sort((x, y) => Buffer.compare(Buffer.from(x.name), Buffer.from(y.name)));
}

function yesNo(value: boolean): string {
  return value ? 'yes' : 'no';
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
  kind: ArtefactKind,
  pathA: string,
  pathB: string,
  options: ContentDiffOptions = DEFAULT_CONTENT_DIFF_OPTIONS,
): Promise<void> {
  const chosen = differences.filter((d) => d.difference === 'content').slice(0, options.maxDiffs);
  const names = chosen.map((d) => d.name);
  const [bytesA, bytesB] = await Promise.all([
    readMemberBytes(pathA, kind, names, options.diffBytes),
    readMemberBytes(pathB, kind, names, options.diffBytes),
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
