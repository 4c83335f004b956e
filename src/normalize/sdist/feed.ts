// How far an index pass has got, for a writer that follows it (./early.ts): the member table's rows
// indexed so far and the spool bytes written so far, with a wait for more.
import type { MemberTable } from '../member-table.js';

export class IndexFeed {
  private rows = 0;
  private spooledBytes = 0;
  private ended = false;
  private failure: { error: unknown } | undefined;
  private stopped: Error | undefined;
  private wake: (() => void) | undefined;

  constructor(private first: MemberTable | undefined) {}

  /** The table the rows are in; once stopped, it is let go, and asking for it throws the reason. */
  get table(): MemberTable {
    if (!this.first) throw this.stopped;
    return this.first;
  }

  /** The indexer added the row of the next input member. */
  rowAdded(): void {
    this.rows += 1;
    this.notify();
  }

  /** The spool holds its first `bytes` bytes. */
  spooled(bytes: number): void {
    this.spooledBytes = bytes;
    this.notify();
  }

  /**
   * No row past those given will be: the indexer has moved on to another table (./runs.ts). A wait
   * for a later row, or for the table, throws `reason`.
   */
  stop(reason: Error): void {
    this.stopped = reason;
    this.first = undefined;
    this.notify();
  }

  /** The index pass is over: with an error when it failed, else every input member's row and data are in. */
  end(failure?: { error: unknown }): void {
    this.ended = true;
    this.failure = failure;
    this.notify();
  }

  /** Waits for input member `row`; false when the index pass ended with fewer members (it throws the index's error when that failed). */
  async hasRow(row: number): Promise<boolean> {
    return this.until(() => row < this.rows);
  }

  /** Waits until the spool holds its first `bytes` bytes. */
  async hasSpooled(bytes: number): Promise<void> {
    if (!(await this.until(() => this.spooledBytes >= bytes))) throw new Error(`spool file ended early (${this.spooledBytes} of ${bytes} bytes)`);
  }

  /** The spool bytes written so far (all of the members' data once the index pass is over). */
  get spooledSoFar(): number {
    return this.spooledBytes;
  }

  private async until(ready: () => boolean): Promise<boolean> {
    for (;;) {
      if (ready()) return true;
      if (this.failure) throw this.failure.error;
      if (this.stopped) throw this.stopped;
      if (this.ended) return false;
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}
