// A short unified diff (the `diff -u` format) of two texts, for showing how a member's content
// differs. It only has to be readable and correct, not minimal on huge inputs: the common start and
// end are trimmed, the rest is diffed by longest common subsequence when that is small enough, and
// shown as replaced wholesale when it is not.

export interface UnifiedDiffOptions {
  /** Lines of context around each change (diff -u uses 3). */
  context?: number;
  /** The diff is cut after this many lines (headers included), with a last line saying so. */
  maxLines?: number;
}

type Op = { kind: ' ' | '-' | '+'; text: string };

/** Beyond this many cells (lines of A times lines of B, after trimming) the LCS table is not built. */
const MAX_LCS_CELLS = 4_000_000;

/** The lines of a unified diff from `a` to `b`, or [] when they are equal. */
export function unifiedDiff(a: string, b: string, labelA: string, labelB: string, options: UnifiedDiffOptions = {}): string[] {
  const context = options.context ?? 3;
  const maxLines = options.maxLines ?? 40;
  const linesA = splitLines(a);
  const linesB = splitLines(b);
  const ops = diffLines(linesA, linesB);
  if (ops.every((op) => op.kind === ' ')) return [];
  const out = [`--- ${labelA}`, `+++ ${labelB}`];
  for (const hunk of hunks(ops, context)) {
    for (const line of hunk) {
      if (out.length >= maxLines) {
        out.push(`... (diff cut at ${maxLines} lines)`);
        return out;
      }
      out.push(line);
    }
  }
  return out;
}

/** Lines without their terminators; a missing final newline is marked the way diff marks it. */
function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  else lines[lines.length - 1] += '\n\\ No newline at end of file';
  return lines;
}

function diffLines(a: string[], b: string[]): Op[] {
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start += 1;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA -= 1;
    endB -= 1;
  }
  const same = (lines: string[]) => lines.map((text): Op => ({ kind: ' ', text }));
  return [...same(a.slice(0, start)), ...diffMiddle(a.slice(start, endA), b.slice(start, endB)), ...same(a.slice(endA))];
}

function diffMiddle(a: string[], b: string[]): Op[] {
  const removed = a.map((text): Op => ({ kind: '-', text }));
  const added = b.map((text): Op => ({ kind: '+', text }));
  if (a.length === 0 || b.length === 0 || a.length * b.length > MAX_LCS_CELLS) return [...removed, ...added];
  // lcs[i][j] = length of the LCS of a[i..] and b[j..], in one flat array.
  const width = b.length + 1;
  const lcs = new Uint32Array((a.length + 1) * width);
  for (let i = a.length - 1; i >= 0; i -= 1) {
    for (let j = b.length - 1; j >= 0; j -= 1) {
      lcs[i * width + j] = a[i] === b[j] ? lcs[(i + 1) * width + j + 1]! + 1 : Math.max(lcs[(i + 1) * width + j]!, lcs[i * width + j + 1]!);
    }
  }
  const ops: Op[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      ops.push({ kind: ' ', text: a[i]! });
      i += 1;
      j += 1;
    } else if (lcs[(i + 1) * width + j]! >= lcs[i * width + j + 1]!) {
      ops.push({ kind: '-', text: a[i]! });
      i += 1;
    } else {
      ops.push({ kind: '+', text: b[j]! });
      j += 1;
    }
  }
  return [...ops, ...removed.slice(i), ...added.slice(j)];
}

/** Groups the edit script into hunks with `context` lines around changes, each with its @@ header. */
function hunks(ops: Op[], context: number): string[][] {
  const changed = ops.flatMap((op, index) => (op.kind === ' ' ? [] : [index]));
  const ranges: [number, number][] = [];
  for (const index of changed) {
    const from = Math.max(0, index - context);
    const to = Math.min(ops.length, index + context + 1);
    const last = ranges[ranges.length - 1];
    if (last && from <= last[1]) last[1] = Math.max(last[1], to);
    else ranges.push([from, to]);
  }
  // Line numbers (1-based) in A and B at the start of each op.
  const lineA: number[] = [];
  const lineB: number[] = [];
  let inA = 1;
  let inB = 1;
  for (const op of ops) {
    lineA.push(inA);
    lineB.push(inB);
    if (op.kind !== '+') inA += 1;
    if (op.kind !== '-') inB += 1;
  }
  return ranges.map(([from, to]) => {
    const slice = ops.slice(from, to);
    const countA = slice.filter((op) => op.kind !== '+').length;
    const countB = slice.filter((op) => op.kind !== '-').length;
    // An empty side is numbered by the line before it, as diff -u does.
    const header = `@@ -${range(lineA[from]!, countA)} +${range(lineB[from]!, countB)} @@`;
    return [header, ...slice.flatMap((op) => `${op.kind}${op.text}`.split('\n'))];
  });
}

function range(start: number, count: number): string {
  if (count === 1) return String(start);
  return `${count === 0 ? start - 1 : start},${count}`;
}
