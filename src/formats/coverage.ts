// Byte coverage: which byte ranges of an input a strict reader interpreted (read as installers read
// them) or checked (required to be what writers put there). The readers take an optional
// ByteCoverage and mark every range they account for; the tests run them with one over every input
// they accept and require the marks to cover the whole input, so a byte no reader looked at (block
// padding, an unused field, record slack) is found by the tests instead of by an attacker. Without a
// coverage object the readers do no extra work.

/** One accounted-for range, [start, end) in the reader's own offsets, and what it was. */
export interface CoveredRange {
  start: number;
  end: number;
  /** The structure it belongs to, for the failure message: `tar header 3 (pkg/a.py): mtime`. */
  what: string;
}

/** A range no reader accounted for, with the structures on either side of it. */
export interface CoverageGap {
  start: number;
  end: number;
  after?: string;
  before?: string;
}

export class ByteCoverage {
  readonly ranges: CoveredRange[] = [];

  /** Records that [start, end) was interpreted or checked as `what`. An empty range records nothing. */
  mark(start: number, end: number, what: string): void {
    if (end > start) this.ranges.push({ start, end, what });
  }

  /** The ranges of [0, total) that nothing marked, in order. */
  gaps(total: number): CoverageGap[] {
    const sorted = [...this.ranges].sort((a, b) => a.start - b.start || a.end - b.end);
    const gaps: CoverageGap[] = [];
    let reached = 0;
    let last: CoveredRange | undefined;
    for (const range of sorted) {
      if (range.start > reached) gaps.push({ start: reached, end: range.start, after: last?.what, before: range.what });
      if (range.end > reached) {
        reached = range.end;
        last = range;
      }
    }
    if (reached < total) gaps.push({ start: reached, end: total, after: last?.what });
    return gaps;
  }

  /** One line per gap, for a test's failure message. */
  describeGaps(total: number): string[] {
    return this.gaps(total).map((gap) => `bytes ${gap.start}-${gap.end - 1} not accounted for (after ${gap.after ?? 'the start'}, before ${gap.before ?? 'the end'})`);
  }
}
