// An sdist's members in sorted runs (issue 22): an sdist of more members than one member table may
// hold within the memory target is indexed a table at a time. Each full table is sorted and written
// as a run (../sorted-runs.ts) of the fixed-layout records below; the work that needs every member
// in order then reads the runs merged.
import { compareNameBytes } from '../member-table.js';
import type { MemberKind, MemberTable } from '../member-table.js';
import type { RunCodec } from '../sorted-runs.js';

/** Rows per run: about 9 MB of table at the bench's names, far under the memory target. */
export const RUN_ROWS = 1 << 16;
/**
 * A table is also a run once its names and link targets hold this many bytes: each may be 4 KB, and
 * a 0.9 MB sdist of 40,000 members of 4 KB names (a 1 MB one of 40,000 symlinks to 4 KB targets)
 * held 160 MB of them in one table, 327 MiB (417 MiB) at the peak. The bench's 65,536 rows hold 4 MB.
 */
export const RUN_NAME_BYTES = 8 << 20;

/** Whether `table` is full: it has `rowsPerRun` rows, or RUN_NAME_BYTES of names and targets. */
export function runIsFull(table: MemberTable, rowsPerRun: number): boolean {
  return table.count >= rowsPerRun || table.nameBytes >= RUN_NAME_BYTES;
}

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

/** A member as a run holds it: the layout above, then the name's bytes, then the target's. */
export const RUN_RECORD_CODEC: RunCodec<RunRecord> = {
  byteLength: (record) => FIXED_BYTES + record.nameBytes.length + Buffer.byteLength(record.linkTarget, 'utf8'),
  encode(record, bytes, at) {
    const nameAt = at + FIXED_BYTES;
    const targetAt = nameAt + record.nameBytes.length;
    bytes.writeUInt16LE(record.nameBytes.length, at + NAME_LENGTH);
    bytes.writeUInt16LE(bytes.write(record.linkTarget, targetAt, 'utf8'), at + TARGET_LENGTH);
    bytes[at + KIND] = KINDS.indexOf(record.kind);
    bytes[at + KIND + 1] = 0;
    bytes.writeUInt16LE(record.mode & 0xffff, at + MODE);
    bytes.writeDoubleLE(record.mtime, at + MTIME);
    bytes.writeDoubleLE(record.size, at + SIZE);
    bytes.writeDoubleLE(record.dataOffset, at + DATA_OFFSET);
    bytes.writeDoubleLE(record.archiveIndex, at + ARCHIVE_INDEX);
    bytes.writeDoubleLE(record.rootIndex, at + ROOT_INDEX);
    record.sha256.copy(bytes, at + SHA256, 0, 32);
    record.nameBytes.copy(bytes, nameAt);
  },
  decode(bytes) {
    const nameLength = bytes.readUInt16LE(NAME_LENGTH);
    const targetLength = bytes.readUInt16LE(TARGET_LENGTH);
    const nameBytes = Buffer.from(bytes.subarray(FIXED_BYTES, FIXED_BYTES + nameLength));
    return {
      name: nameBytes.toString('utf8'),
      nameBytes,
      kind: KINDS[bytes[KIND]!]!,
      mode: bytes.readUInt16LE(MODE),
      mtime: bytes.readDoubleLE(MTIME),
      size: bytes.readDoubleLE(SIZE),
      dataOffset: bytes.readDoubleLE(DATA_OFFSET),
      archiveIndex: bytes.readDoubleLE(ARCHIVE_INDEX),
      rootIndex: bytes.readDoubleLE(ROOT_INDEX),
      sha256: Buffer.from(bytes.subarray(SHA256, SHA256 + 32)),
      linkTarget: bytes.toString('utf8', FIXED_BYTES + nameLength, FIXED_BYTES + nameLength + targetLength),
    };
  },
};

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
