// Changes and differences as reports show them: per field, an exact count and a few examples.
import { closeSync, readSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { cutText } from '../formats/errors.js';
import { withRoom } from './grow.js';
import { unnamedScratchFile } from './scratch.js';
/** One kind of difference between an input and its normal form, with a count and a few examples. */
export interface Change {
  /** What differs, e.g. `tar mtime` or `gzip FNAME`. */
  field: string;
  /** How many members (or 1 for a whole-file field). */
  count: number;
  /** The first MAX_EXAMPLES member names or values, what a summary shows. */
  examples: string[];
  /** Every member name or value, in the order found (`--json` and `--verbose` show them all). */
  all: string[];
}

/** How many examples a summary shows: the same for every list reprodist prints. */
export const MAX_EXAMPLES = 3;

/**
 * Examples are joined and deflated per this many, or once they reach PENDING_CHARACTERS: 100,000
 * members' examples are then a few hundred small buffers and a list of lengths, not a few hundred
 * thousand strings (issue 22). They repeat the same directories and values, so deflate keeps about
 * a tenth of their bytes.
 */
const EXAMPLES_PER_CHUNK = 512;
/**
 * Examples of 4 KB names waited 2 MiB a field for their chunk: a wheel of 4,000 such entries has
 * several fields of them.
 */
const PENDING_CHARACTERS = 256 * 1024;

/**
 * The longest example kept, in UTF-16 code units: room for a member's name (4,096 bytes at most) and
 * a value beside it. A header can hold longer values (a pax record or an owner's name, up to a MiB),
 * and every example waits whole until its chunk is deflated: a 1 MB sdist of 150 hard links with a
 * pax comment of a MiB each took 384 MiB (641 MiB and 160 MB of `--json`), to show lines that tell
 * no more than their start.
 */
const MAX_EXAMPLE_LENGTH = 8192;

/**
 * Deflated chunks one example list holds in memory; past this they go to a file of its own. Examples
 * deflate to about 7 bytes each, but random ones do not: 12,000 members with a pax comment of 9 KB of
 * random text held 98 MB of chunks, and `check --json` of that 85 MB sdist took 193 MiB. A wheel of
 * 262,144 entries has two fields of an example each (their time and their extra fields) at its peak.
 */
const HELD_CHUNK_BYTES = 256 << 10;

/** A chunk of examples: its deflated bytes, or where they are in its list's file, and how many examples it holds. */
interface Chunk {
  held: Buffer | undefined;
  at: number;
  length: number;
  count: number;
}

/**
 * Closes a list's file once the list is collected: a report's examples may be read at any time
 * after its run (the library's `all`), so nothing else tells when the file is done with.
 */
const filesOfLists = new FinalizationRegistry<number>((fd) => {
  try {
    closeSync(fd);
  } catch {
    // closed already
  }
});

/** One field's examples in the order added, held as deflated chunks (in memory, then in a file) and each example's length. */
class ExampleList {
  private readonly chunks: Chunk[] = [];
  private pendingCharacters = 0;
  private heldChunkBytes = 0;
  private file: { fd: number; end: number } | undefined;
  private pending: string[] = [];
  /**
   * Each example's length in UTF-16 code units, as slice() counts: 2 bytes an example, not a JS
   * array's 8 (an example is cut at MAX_EXAMPLE_LENGTH, and its note of what was cut is short).
   */
  private lengths = new Uint16Array(EXAMPLES_PER_CHUNK);
  private added = 0;

  add(added: string): void {
    const example = cutText(added, MAX_EXAMPLE_LENGTH);
    this.pending.push(example);
    this.pendingCharacters += example.length;
    this.lengths = withRoom(this.lengths, this.added + 1);
    this.lengths[this.added++] = example.length;
    if (this.pending.length === EXAMPLES_PER_CHUNK || this.pendingCharacters >= PENDING_CHARACTERS) {
      // A copy of its own size: what zlib gives is a view of a 16 KiB output buffer, which a
      // million members' examples would keep 32 MB of for each field.
      this.keepChunk(Buffer.from(deflateRawSync(this.pending.join(''), { level: 1 })), this.pending.length);
      this.pending = [];
      this.pendingCharacters = 0;
    }
  }

  private keepChunk(bytes: Buffer, count: number): void {
    if (this.heldChunkBytes + bytes.length <= HELD_CHUNK_BYTES) {
      this.chunks.push({ held: bytes, at: 0, length: bytes.length, count });
      this.heldChunkBytes += bytes.length;
      return;
    }
    if (!this.file) {
      this.file = { fd: unnamedScratchFile(tmpdir()), end: 0 };
      filesOfLists.register(this, this.file.fd);
    }
    for (let at = 0; at < bytes.length; ) at += writeSync(this.file.fd, bytes, at, bytes.length - at, this.file.end + at);
    this.chunks.push({ held: undefined, at: this.file.end, length: bytes.length, count });
    this.file.end += bytes.length;
  }

  private chunkBytes(chunk: Chunk): Buffer {
    if (chunk.held) return chunk.held;
    const bytes = Buffer.allocUnsafe(chunk.length);
    for (let at = 0; at < chunk.length; ) {
      const read = readSync(this.file!.fd, bytes, at, chunk.length - at, chunk.at + at);
      if (read === 0) throw new Error(`examples file ended at byte ${chunk.at + at}, before its chunk`);
      at += read;
    }
    return bytes;
  }

  get count(): number {
    return this.added;
  }

  /** The first `limit` examples, or every one, cut again from the chunks. */
  list(limit = this.count): string[] {
    const out: string[] = [];
    for (const example of this.each()) {
      if (out.length === limit) break;
      out.push(example);
    }
    return out;
  }

  /** Every example in order, one chunk inflated at a time. */
  *each(): Generator<string> {
    const lengths = this.lengths;
    let example = 0;
    function* cut(text: string, count: number): Generator<string> {
      let at = 0;
      for (let i = 0; i < count; i++) yield text.slice(at, (at += lengths[example++]!));
    }
    for (const chunk of this.chunks) yield* cut(inflateRawSync(this.chunkBytes(chunk)).toString('utf8'), chunk.count);
    yield* cut(this.pending.join(''), this.pending.length);
  }
}

/** Collects changes by field, keeping every example; the count and the first few follow from them. */
export class ChangeLog {
  private readonly byField = new Map<string, ExampleList>();

  add(field: string, example: string): void {
    const examples = this.byField.get(field);
    if (examples) examples.add(example);
    else {
      const first = new ExampleList();
      first.add(example);
      this.byField.set(field, first);
    }
  }

  get size(): number {
    return this.byField.size;
  }

  /** Adds every change of `other` after this log's own, field by field; `other` is not used again. */
  addFrom(other: ChangeLog): void {
    for (const [field, examples] of other.byField) {
      const mine = this.byField.get(field);
      if (!mine) this.byField.set(field, examples);
      else for (const example of examples.each()) mine.add(example);
    }
  }

  /**
   * The changes; each one's full list is made from the chunks each time it is read, and not kept (a
   * summary reads the first few). everyExample gives it an example at a time.
   */
  list(): Change[] {
    return [...this.byField].map(([field, examples]) => {
      const change = {
        field,
        count: examples.count,
        examples: examples.list(MAX_EXAMPLES),
        get all() {
          return examples.list();
        },
      };
      exampleLists.set(change, examples);
      return change;
    });
  }
}

/** The example lists of the changes ChangeLogs made. */
const exampleLists = new WeakMap<object, ExampleList>();

/**
 * A change's every example, an example at a time, when a ChangeLog made it (else undefined): what a
 * `--json` document writes rather than its `all`, which is every example made at once (100,000
 * members' examples of four fields were about 40 MB by the document's end).
 */
export function everyExample(change: object): Iterable<string> | undefined {
  const examples = exampleLists.get(change);
  return examples && { [Symbol.iterator]: () => examples.each() };
}

/** How a value changed from A to B, in compare's metadata lines. */
export function fromTo(from: string, to: string): string {
  return `${from} → ${to}`;
}

/** A field one side does not have. */
export const NONE = '(none)';

/** Notes where the members both archives have stand in a different order; examples name positions. */
export function noteOrderDifference(log: ChangeLog, field: string, paired: { orderDifferences(): Iterable<[position: number, inA: string, inB: string]> }): void {
  for (const [position, inA, inB] of paired.orderDifferences()) log.add(field, `#${position}: ${inA} | ${inB}`);
}

/** A Unix time as `2020-02-02T00:00:00Z`, or the number when it is not a date. */
export function isoSeconds(seconds: number): string {
  const date = new Date(seconds * 1000);
  return Number.isNaN(date.getTime()) ? String(seconds) : date.toISOString().replace('.000Z', 'Z');
}
