/** One kind of difference between an input and its normal form, with a count and a few examples. */
export interface Change {
  /** What differs, e.g. `tar mtime` or `gzip FNAME`. */
  field: string;
  /** How many members (or 1 for a whole-file field). */
  count: number;
  /** Up to MAX_EXAMPLES member names or values. */
  examples: string[];
}

const MAX_EXAMPLES = 3;

/** Collects changes by field, keeping counts exact and examples few. */
export class ChangeLog {
  private readonly byField = new Map<string, Change>();

  add(field: string, example: string): void {
    const change = this.byField.get(field) ?? { field, count: 0, examples: [] };
    change.count += 1;
    if (change.examples.length < MAX_EXAMPLES) change.examples.push(example);
    this.byField.set(field, change);
  }

  get size(): number {
    return this.byField.size;
  }

  list(): Change[] {
    return [...this.byField.values()];
  }
}
