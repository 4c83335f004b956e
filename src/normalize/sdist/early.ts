// Writing while indexing. An sdist already in normal order (one that reprodist wrote, checked or
// normalized again) can be written as it is indexed, so that compression starts with the first
// member rather than after the last. Its output cannot go to the sink as it is made: the order may
// turn out not to be normal after all, or the input be refused, and a sink cannot take bytes back.
// So the compressed bytes go to a scratch file (`.spool`, ../scratch.ts), and from there to the sink
// once the index pass and the writing are both done; when a member turns out out of place, the
// writing stops and the input is written from the spool as any other.
//
// It runs only with a deflate pool: the writing then takes a core the index pass leaves idle. On one
// thread it would take its time from the index pass, wasted when the order is not normal. And it
// starts only once the members that hold the first EARLY_START_BYTES of data are known to be in
// order: most inputs that are not show it within their first members, and cost nothing then; an
// input that small is written the usual way, straight to the sink.
import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import type { ByteSink } from '../../formats/sink.js';
import type { NormalizeOptions } from '../options.js';
import { ChangeLog } from '../report.js';
import { removeScratch, scratchPath } from '../scratch.js';
import type { IndexFeed } from './feed.js';
import { InOrderPlan, NotInNormalOrder, inputOrder } from './plan.js';
import type { SdistIndex } from './read.js';
import { readSpool, spoolReadBuffer, writeAll } from './spool.js';
import { writeSdist } from './write.js';
import type { SdistWriteResult } from './write.js';

/** How much data must be seen in normal order before the writing starts (8 deflate blocks). */
const EARLY_START_BYTES = 8 << 20;

export class EarlyWrite {
  private readonly path: string;
  /** What the policy changes in the members' headers, noted as planSdist's writing would note them. */
  private readonly changes = new ChangeLog();
  private file: FileHandle | undefined;
  private size = 0;
  /** The result, or undefined once the input turned out not to be in normal order, or too small to start. */
  private readonly writing: Promise<SdistWriteResult | undefined>;

  /** Starts writing the members `feed` gives, in archive order, with their data from `spool`; verified as writeSdist verifies when `verify`. */
  constructor(feed: IndexFeed, spool: FileHandle, workDir: string, level: number, options: NormalizeOptions, verify: boolean) {
    this.path = scratchPath(workDir, 'spool');
    this.writing = this.write(feed, spool, level, options, verify).catch((error: unknown) => {
      if (error instanceof NotInNormalOrder) return undefined;
      throw error;
    });
    // A failure is reported by deliver (discard drops it): until then it must not be an unhandled one.
    this.writing.catch(() => undefined);
  }

  private async write(feed: IndexFeed, spool: FileHandle, level: number, options: NormalizeOptions, verify: boolean): Promise<SdistWriteResult | undefined> {
    const inOrder = new InOrderPlan(feed, this.changes, options);
    if (!(await inOrder.confirmed(EARLY_START_BYTES))) return undefined;
    const file = (this.file = await open(this.path, 'wx+', 0o600));
    const plan = { members: inOrder.members(), get dataBytes() { return feed.spooledSoFar; } };
    return writeSdist(plan, spool, async (bytes) => {
      await writeAll(file, bytes, this.size);
      this.size += bytes.length;
    }, level, options, verify ? inputOrder(feed.table) : undefined);
  }

  /**
   * Once the index pass is done: gives the bytes written to `sink` and notes the header changes in the
   * index's log, or gives nothing and returns undefined when the input was not in normal order.
   */
  async deliver(index: SdistIndex, sink: ByteSink): Promise<SdistWriteResult | undefined> {
    try {
      const written = await this.writing;
      if (!written) return undefined;
      index.changes.addFrom(this.changes);
      for await (const piece of readSpool(this.file!, 0, this.size, spoolReadBuffer())) await sink(piece);
      return written;
    } finally {
      await this.remove();
    }
  }

  /** After a failed index pass: waits for the writing to stop (it stops with the index's error) and removes its file. */
  async discard(): Promise<void> {
    await this.writing.catch(() => undefined);
    await this.remove();
  }

  private async remove(): Promise<void> {
    await this.file?.close();
    await removeScratch(this.path);
  }
}
