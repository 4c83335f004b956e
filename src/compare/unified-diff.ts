// A short unified diff (the `diff -u` format) of two texts, for showing how a member's content
// differs. jsdiff finds the hunks; this module only writes them as lines and cuts them short.
import { structuredPatch } from 'diff';

export interface UnifiedDiffOptions {
  /** Lines of context around each change (diff -u uses 3). */
  context?: number;
  /** The diff is cut after this many lines (headers included), with a last line saying so. */
  maxLines?: number;
}

/**
 * Beyond this many added plus removed lines jsdiff gives up, so that two long texts that differ
 * throughout cost linear time rather than quadratic: its search is bounded by this times the lines.
 */
export const MAX_EDIT_LINES = 2000;

/** The lines of a unified diff from `a` to `b`, or [] when they are equal. */
export function unifiedDiff(a: string, b: string, labelA: string, labelB: string, options: UnifiedDiffOptions = {}): string[] {
  if (a === b) return [];
  const maxLines = options.maxLines ?? 40;
  const patch = structuredPatch(labelA, labelB, a, b, undefined, undefined, { context: options.context ?? 3, maxEditLength: MAX_EDIT_LINES });
  const out = [`--- ${labelA}`, `+++ ${labelB}`];
  if (!patch) return [...out, `... (more than ${MAX_EDIT_LINES} lines differ: no line diff)`];
  for (const hunk of patch.hunks) {
    const header = `@@ -${range(hunk.oldStart, hunk.oldLines)} +${range(hunk.newStart, hunk.newLines)} @@`;
    for (const line of [header, ...hunk.lines]) {
      if (out.length >= maxLines) return [...out, `... (diff cut at ${maxLines} lines)`];
      out.push(line);
    }
  }
  return out;
}

/** `start,count` as diff -u writes it: no count when it is 1, and an empty side numbered by the line before it. */
function range(start: number, count: number): string {
  if (count === 1) return String(start);
  return `${count === 0 ? start - 1 : start},${count}`;
}
