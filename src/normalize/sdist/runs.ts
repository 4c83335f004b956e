// Sorted runs (issue 22): an sdist of more members than one member table may hold within the memory
// target is indexed a table at a time. Each full table is sorted and written to a scratch file as a
// run of fixed-layout records; the work that needs every member in order then reads the runs merged
// (a k-way merge, fan-in bounded by merging runs into longer ones first). Memory is one table and a
// read buffer per run, whatever the member count; time is n log n past the first run.
import { closeSync, openSync, readSync, writeSync } from 'node:fs';
import { compareNameBytes } from '../member-table.js';
import type { MemberKind, MemberTable } from '../member-table.js';
import { removeScratch, scratchPath } from '../scratch.js';

/** Rows per run: about 9 MB of table at the bench's names, far under the memory target. */
export const RUN_ROWS = 1 << 16;
/** Runs merged at once; more are first merged into longer runs, this many at a time. */
const MAX_FAN_IN = 64;
/** Bytes read at a time from one run. */
const READ_BYTES = 64 * 1024;
/** Bytes gathered before a write. */
const WRITE_BYTES = 256 * 1024;

const KINDS: readonly MemberKind[] = ['file', 'directory', 'symlink', 'link'];

/**
 * One member, as a run holds it. A hard link resolved in its own table carries its file's mode,
 * size, data offset and sha256, and that file's archive index as `rootIndex`; one whose target was
 * in an earlier run has `rootIndex` -1, and its target's name as `linkTarget`.
 */
export interface RunRecord {
  name: string;
  /** The name's UTF-8 bytes, which the order compares. */
  nameBytes: Buffer;
  kind: MemberKind;
  mode: number;
  mtime: number;
  size: number;
  dataOffset: number;
  /** The member's place in the input, from 0. */
  archiveIndex: number;
  rootIndex: number;
  sha256: Buffer;
  /** A symlink's target, or an unresolved hard link's target name ('' otherwise). */
  linkTarget: string;
}

// The record layout, in order: what decode reads and encode writes.
const NAME_LENGTH = 0; // u16: bytes of the name
const TARGET_LENGTH = 2; // u16: bytes of the link target
const KIND = 4; // u8: index into KINDS
const MODE = 6; // u16: permission bits (after one spare byte)
const MTIME = 8; // f64
const SIZE = 16; // f64
const DATA_OFFSET = 24; // f64: where the data is in the spool
const ARCHIVE_INDEX = 32; // f64
const ROOT_INDEX = 40; // f64: -1 for no root
const SHA256 = 48; // 32 bytes
const FIXED_BYTES = 80; // then the name's bytes, then the target's

/** The normal order of the tar (a directory's name with a `/` after it), which the index's runs are sorted in. */
export function compareRecords(a: RunRecord, b: RunRecord): number {
  const { nameBytes: x } = a;
  const { nameBytes: y } = b;
  return compareNameBytes(x, 0, x.length, a.kind === 'directory', y, 0, y.length, b.kind === 'directory');
}

/** The content view's order (names alone), which its runs are sorted in. */
export function compareContentRecords(a: RunRecord, b: RunRecord): number {
  const { nameBytes: x } = a;
  const { nameBytes: y } = b;
  return compareNameBytes(x, 0, x.length, false, y, 0, y.length, false);
}

/** A scratch file of sorted runs; written run by run, then read merged (more than once). */
export class RunFile {
  private readonly path: string;
  private readonly fd: number;
  private size = 0;
  /** Each run's [start, end) in the file. */
  private runs: [number, number][] = [];
  private pending: Buffer[] = [];
  private pendingBytes = 0;

  /** A new scratch file in `workDir`, for runs sorted by `compare`. */
  constructor(workDir: string, private readonly compare = compareRecords, private readonly fanIn = MAX_FAN_IN) {
    this.path = scratchPath(workDir, 'spool');
    this.fd = openSync(this.path, 'wx+', 0o600);
  }

  get runCount(): number {
    return this.runs.length;
  }

  /** Appends a run: `records` must come in the file's order. */
  writeRun(records: Iterable<RunRecord>): void {
    const start = this.size;
    for (const record of records) this.append(encode(record));
    this.flush();
    this.runs.push([start, this.size]);
  }

  /** Every record of every run, merged in the file's order; runs beyond the fan-in are merged into longer ones first. */
  *merged(): Generator<RunRecord> {
    while (this.runs.length > this.fanIn) {
      const group = this.runs.slice(0, this.fanIn);
      this.runs = this.runs.slice(this.fanIn);
      this.writeRun(mergeReaders(group.map(([start, end]) => new RunReader(this.fd, start, end)), this.compare));
    }
    yield* mergeReaders(this.runs.map(([start, end]) => new RunReader(this.fd, start, end)), this.compare);
  }

  /** Closes and removes the file. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    closeSync(this.fd);
    await removeScratch(this.path);
  }

  private disposed = false;

  private append(bytes: Buffer): void {
    this.pending.push(bytes);
    this.pendingBytes += bytes.length;
    if (this.pendingBytes >= WRITE_BYTES) this.flush();
  }

  private flush(): void {
    if (this.pendingBytes === 0) return;
    const bytes = Buffer.concat(this.pending, this.pendingBytes);
    for (let at = 0; at < bytes.length;) at += writeSync(this.fd, bytes, at, bytes.length - at, this.size + at);
    this.size += bytes.length;
    this.pending = [];
    this.pendingBytes = 0;
  }
}

function encode(record: RunRecord): Buffer {
  const target = Buffer.from(record.linkTarget, 'utf8');
  const bytes = Buffer.allocUnsafe(FIXED_BYTES + record.nameBytes.length + target.length);
  bytes.writeUInt16LE(record.nameBytes.length, NAME_LENGTH);
  bytes.writeUInt16LE(target.length, TARGET_LENGTH);
  bytes[KIND] = KINDS.indexOf(record.kind);
  bytes[KIND + 1] = 0;
  bytes.writeUInt16LE(record.mode & 0xffff, MODE);
  bytes.writeDoubleLE(record.mtime, MTIME);
  bytes.writeDoubleLE(record.size, SIZE);
  bytes.writeDoubleLE(record.dataOffset, DATA_OFFSET);
  bytes.writeDoubleLE(record.archiveIndex, ARCHIVE_INDEX);
  bytes.writeDoubleLE(record.rootIndex, ROOT_INDEX);
  record.sha256.copy(bytes, SHA256, 0, 32);
  record.nameBytes.copy(bytes, FIXED_BYTES);
  target.copy(bytes, FIXED_BYTES + record.nameBytes.length);
  return bytes;
}

/** One run read a buffer at a time; `current` is its next record, undefined past its end. */
class RunReader {
  private buffer = Buffer.allocUnsafe(READ_BYTES);
  private bufferStart = 0;
  private bufferEnd = 0;
  private at: number;
  current: RunRecord | undefined;

  constructor(private readonly fd: number, start: number, private readonly end: number) {
    this.at = start;
    this.advance();
  }

  advance(): void {
    if (this.at >= this.end) {
      this.current = undefined;
      return;
    }
    const fixed = this.bytes(this.at, FIXED_BYTES);
    const nameLength = fixed.readUInt16LE(NAME_LENGTH);
    const targetLength = fixed.readUInt16LE(TARGET_LENGTH);
    const record = this.bytes(this.at, FIXED_BYTES + nameLength + targetLength);
    const nameBytes = Buffer.from(record.subarray(FIXED_BYTES, FIXED_BYTES + nameLength));
    this.current = {
      name: nameBytes.toString('utf8'),
      nameBytes,
      kind: KINDS[record[KIND]!]!,
      mode: record.readUInt16LE(MODE),
      mtime: record.readDoubleLE(MTIME),
      size: record.readDoubleLE(SIZE),
      dataOffset: record.readDoubleLE(DATA_OFFSET),
      archiveIndex: record.readDoubleLE(ARCHIVE_INDEX),
      rootIndex: record.readDoubleLE(ROOT_INDEX),
      sha256: Buffer.from(record.subarray(SHA256, SHA256 + 32)),
      linkTarget: record.toString('utf8', FIXED_BYTES + nameLength, FIXED_BYTES + nameLength + targetLength),
    };
    this.at += record.length;
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
function* mergeReaders(readers: RunReader[], compare: (a: RunRecord, b: RunRecord) => number): Generator<RunRecord> {
  const heap = readers.filter((reader) => reader.current);
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
    if (!top.current) {
      heap[0] = heap[heap.length - 1]!;
      heap.pop();
    }
    down(0);
  }
}

/**
 * The records of `table`'s rows in `order`, each made as it is read; the rows' archive indexes
 * start at `firstIndex`. A hard link resolved in the table takes its file's size, data offset and
 * archive index; its mode and sha256 are its file's already.
 */
export function* tableRecords(table: MemberTable, order: Iterable<number>, firstIndex: number): Generator<RunRecord> {
  for (const row of order) {
    const kind = table.kind(row);
    const root = kind === 'link' ? table.linkRow(row) : -1;
    const data = root >= 0 ? root : row;
    const name = table.name(row);
    yield {
      name, nameBytes: Buffer.from(name, 'utf8'), kind, mode: table.mode(row), mtime: table.mtime(row), size: table.size(data),
      dataOffset: table.dataOffset(data), archiveIndex: firstIndex + row, rootIndex: root >= 0 ? firstIndex + root : -1,
      sha256: table.sha256Bytes(row), linkTarget: table.linkTarget(row),
    };
  }
}
