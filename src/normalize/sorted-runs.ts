// Sorted runs on disk (issue 22): records too many to hold at once are sorted a batch at a time and
// written to a scratch file as runs; the work that needs them all in order then reads the runs
// merged (a k-way merge, fan-in bounded by merging runs into longer ones first). Memory is one batch
// and a read buffer per run, whatever the record count; time is n log n. What a record holds, and
// its order, belong to the caller: a codec turns it into bytes and back.
import { closeSync, openSync, readSync, writeSync } from 'node:fs';
import { removeScratch, scratchPath } from './scratch.js';

/** Runs merged at once; more are first merged into longer runs, this many at a time. */
const MAX_FAN_IN = 64;
/** Bytes read at a time from one run. */
const READ_BYTES = 64 * 1024;
/** Bytes gathered before a write. */
const WRITE_BYTES = 256 * 1024;
/** Each record is framed by its length: a u32 before its bytes. */
const LENGTH_BYTES = 4;

/**
 * How a run holds a record: `encode` writes its `byteLength` bytes at `at`, and `decode` is given
 * exactly those bytes, in a buffer it must not keep.
 */
export interface RunCodec<R> {
  byteLength(record: R): number;
  encode(record: R, into: Buffer, at: number): void;
  decode(bytes: Buffer): R;
}

/** A scratch file of sorted runs; written run by run, then read merged (more than once). */
export class RunFile<R> {
  private readonly path: string;
  private readonly fd: number;
  private size = 0;
  /** Each run's [start, end) in the file. */
  private runs: [number, number][] = [];
  /** Records encoded and not yet written: `pendingBytes` of `pending`. */
  private pending = Buffer.allocUnsafe(WRITE_BYTES);
  private pendingBytes = 0;
  private disposed = false;

  /** A new scratch file in `workDir`, for runs of `codec`'s records sorted by `compare`. */
  constructor(
    workDir: string,
    private readonly codec: RunCodec<R>,
    private readonly compare: (a: R, b: R) => number,
    private readonly fanIn = MAX_FAN_IN,
  ) {
    this.path = scratchPath(workDir, 'spool');
    this.fd = openSync(this.path, 'wx+', 0o600);
  }

  get runCount(): number {
    return this.runs.length;
  }

  /** Appends a run: `records` must come in the file's order. */
  writeRun(records: Iterable<R>): void {
    const start = this.size;
    for (const record of records) this.append(record);
    this.flush();
    this.runs.push([start, this.size]);
  }

  /** Every record of every run, merged in the file's order; runs beyond the fan-in are merged into longer ones first. */
  *merged(): Generator<R> {
    while (this.runs.length > this.fanIn) {
      const group = this.runs.slice(0, this.fanIn);
      this.runs = this.runs.slice(this.fanIn);
      this.writeRun(mergeReaders(group.map(([start, end]) => new RunReader(this.fd, start, end, this.codec)), this.compare));
    }
    yield* mergeReaders(this.runs.map(([start, end]) => new RunReader(this.fd, start, end, this.codec)), this.compare);
  }

  /** Closes and removes the file. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    closeSync(this.fd);
    await removeScratch(this.path);
  }

  /** Encodes a record, framed by its length, after those pending; a record longer than the buffer gets a buffer of its own. */
  private append(record: R): void {
    const length = this.codec.byteLength(record);
    if (this.pendingBytes + LENGTH_BYTES + length > this.pending.length) this.flush();
    if (LENGTH_BYTES + length > this.pending.length) this.pending = Buffer.allocUnsafe(LENGTH_BYTES + length);
    this.pending.writeUInt32LE(length, this.pendingBytes);
    this.codec.encode(record, this.pending, this.pendingBytes + LENGTH_BYTES);
    this.pendingBytes += LENGTH_BYTES + length;
  }

  private flush(): void {
    const { pending: bytes, pendingBytes: length } = this;
    for (let at = 0; at < length;) at += writeSync(this.fd, bytes, at, length - at, this.size + at);
    this.size += length;
    this.pendingBytes = 0;
  }
}

/** One run read a buffer at a time; `current` is its next record, undefined past its end. */
class RunReader<R> {
  private buffer = Buffer.allocUnsafe(READ_BYTES);
  private bufferStart = 0;
  private bufferEnd = 0;
  private at: number;
  current: R | undefined;

  constructor(private readonly fd: number, start: number, private readonly end: number, private readonly codec: RunCodec<R>) {
    this.at = start;
    this.advance();
  }

  advance(): void {
    if (this.at >= this.end) {
      this.current = undefined;
      return;
    }
    const length = this.bytes(this.at, LENGTH_BYTES).readUInt32LE(0);
    this.current = this.codec.decode(this.bytes(this.at + LENGTH_BYTES, length));
    this.at += LENGTH_BYTES + length;
  }

  /** `length` bytes of the file from `position`, read into the buffer when they are not in it. */
  private bytes(position: number, length: number): Buffer {
    if (position < this.bufferStart || position + length > this.bufferEnd) {
      if (length > this.buffer.length) this.buffer = Buffer.allocUnsafe(length);
      const wanted = Math.min(this.buffer.length, this.end - position);
      let got = 0;
      while (got < wanted) {
        const read = readSync(this.fd, this.buffer, got, wanted - got, position + got);
        if (read === 0) throw new Error(`sorted runs: the scratch file ended at ${position + got}, before ${this.end}`);
        got += read;
      }
      this.bufferStart = position;
      this.bufferEnd = position + got;
    }
    return this.buffer.subarray(position - this.bufferStart, position - this.bufferStart + length);
  }
}

/** The readers' records in order: a binary heap of the readers by their current record. */
function* mergeReaders<R>(readers: RunReader<R>[], compare: (a: R, b: R) => number): Generator<R> {
  const heap = readers.filter((reader) => reader.current !== undefined);
  const less = (i: number, j: number) => compare(heap[i]!.current!, heap[j]!.current!) < 0;
  const swap = (i: number, j: number) => ([heap[i], heap[j]] = [heap[j]!, heap[i]!]);
  const down = (from: number) => {
    for (let i = from; ;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let least = i;
      if (left < heap.length && less(left, least)) least = left;
      if (right < heap.length && less(right, least)) least = right;
      if (least === i) return;
      swap(i, least);
      i = least;
    }
  };
  for (let i = (heap.length >> 1) - 1; i >= 0; i--) down(i);
  while (heap.length > 0) {
    const top = heap[0]!;
    yield top.current!;
    top.advance();
    if (top.current === undefined) {
      heap[0] = heap[heap.length - 1]!;
      heap.pop();
    }
    down(0);
  }
}

/**
 * Records gathered in a batch, sorted, and given back in order: a batch that fills (`rowsPerRun`
 * records or `batchBytes` of them encoded) is written to a RunFile in `workDir` as a run, so that
 * memory is one batch. Records that never fill a batch never touch the disk.
 */
export class SortedRecords<R> {
  private batch: R[] = [];
  private batchBytes = 0;
  private file: RunFile<R> | undefined;

  constructor(
    private readonly workDir: string,
    private readonly codec: RunCodec<R>,
    private readonly compare: (a: R, b: R) => number,
    private readonly limits: { rowsPerRun: number; batchBytes: number },
  ) {}

  add(record: R): void {
    this.batch.push(record);
    this.batchBytes += this.codec.byteLength(record);
    if (this.batch.length >= this.limits.rowsPerRun || this.batchBytes >= this.limits.batchBytes) this.spill();
  }

  /** Whether records went to disk. */
  get spilled(): boolean {
    return this.file !== undefined;
  }

  /** Every record added, in order; readable more than once, and nothing may be added after it. */
  *sorted(): Generator<R> {
    if (!this.file) {
      yield* this.batch.sort(this.compare);
      return;
    }
    if (this.batch.length > 0) this.spill();
    yield* this.file.merged();
  }

  async dispose(): Promise<void> {
    this.batch = [];
    await this.file?.dispose();
  }

  private spill(): void {
    this.file ??= new RunFile(this.workDir, this.codec, this.compare);
    this.file.writeRun(this.batch.sort(this.compare));
    this.batch = [];
    this.batchBytes = 0;
  }
}
