// The compact member index (issue 22): an archive's members as rows of typed arrays over one byte
// table of names, which the reader fills and the plan, the writer and the content view read. A
// member costs about 90 bytes beside its name, where objects, strings and maps per member cost
// kilobytes, and sorting sorts row numbers. Rows are added, never removed.
import type { ContentRecord, ContentType } from './content.js';
import { withRoom } from './grow.js';
import type { GrowableArray } from './grow.js';
import { MAX_NAME_BYTES } from './limits.js';
import { ByteTable } from '../formats/byte-table.js';
import { nameHashOfBytes } from '../formats/name-hash.js';

/** What a row is: a hard link shares the data (and mode) of the file row it points to. */
export type MemberKind = 'file' | 'directory' | 'symlink' | 'link';
const KINDS: readonly MemberKind[] = ['file', 'directory', 'symlink', 'link'];

/** The fields of a new row; `linkTarget` is a symlink's target, `linkRow` a hard link's file row. */
export interface MemberFields {
  name: string;
  kind: MemberKind;
  mode: number;
  mtime: number;
  size: number;
  /** Where the data is in the artefact or its spool. */
  dataOffset: number;
  linkTarget?: string;
  linkRow?: number;
  /** A directory the archive does not hold, which its normal form adds. */
  implied?: boolean;
}

const SHA256_BYTES = 32;
const NO_ROW = -1;
const FIRST_CAPACITY = 1024;
const FIRST_NAME_BYTES = 64 * 1024;

/** The columns that stay empty until a row sets a value other than 0 in them. */
type SparseColumn = 'targetStart' | 'targetLength' | 'mtime' | 'dataOffset' | 'linkRow';

/**
 * The growable columns; every array is replaced by one twice as long when the rows fill it. The
 * sparse ones are made only at their first value other than 0 (an empty one reads 0 for every
 * row): a wheel's rows have no mtime, data offset or link, and most sdists have no links; 100,000
 * rows are 2.9 MB of zeros otherwise.
 */
class Columns {
  nameStart: Float64Array;
  nameLength: Uint16Array;
  targetStart = new Float64Array(0);
  targetLength = new Uint16Array(0);
  kind: Uint8Array;
  implied: Uint8Array;
  mode: Uint16Array;
  mtime = new Float64Array(0);
  size: Float64Array;
  dataOffset = new Float64Array(0);
  /** The hard link's file row plus one: 0, what an empty column reads, is no row. */
  linkRow = new Int32Array(0);
  nameHash: Uint32Array;
  /**
   * 32 bytes a row, made at the first sha256 set: the tables of names that compare pairs metadata
   * by have none (32 MB a side at 1,000,000 members otherwise).
   */
  sha256 = new Uint8Array(0);

  constructor(capacity: number) {
    this.nameStart = new Float64Array(capacity);
    this.nameLength = new Uint16Array(capacity);
    this.kind = new Uint8Array(capacity);
    this.implied = new Uint8Array(capacity);
    this.mode = new Uint16Array(capacity);
    this.size = new Float64Array(capacity);
    this.nameHash = new Uint32Array(capacity);
  }

  /** Rows the columns have room for: those every row sets have exactly that length. */
  get capacity(): number {
    return this.kind.length;
  }

  grow(): void {
    const columns = this as unknown as Record<string, GrowableArray>;
    for (const [key, column] of Object.entries(columns)) if (column.length > 0) columns[key] = withRoom(column, column.length * 2);
  }

  /**
   * Sets a sparse column's value for `row`, making the column at its first value other than 0. A 0
   * is not written: a row's place in a column holds 0 until the row's value is set, once.
   */
  setSparse(key: SparseColumn, row: number, value: number): void {
    if (value === 0) return;
    (this[key] as GrowableArray) = withRoom(this[key], this.capacity);
    this[key][row] = value;
  }
}

export class MemberTable {
  private readonly columns: Columns;
  /** The rows' names and link targets. */
  private readonly nameTable: ByteTable;
  /** Open addressing over name hashes: a row number, or NO_ROW; at most half full. */
  private slots: Int32Array;
  private rows = 0;
  /** Where a name being looked up is encoded. */
  private readonly probe = Buffer.allocUnsafe(MAX_NAME_BYTES * 3);

  /**
   * `rows`: how many rows the table will hold, and `nameBytes` their names' length in UTF-8, when the
   * caller knows (a wheel's plan does): the columns then never grow, nor do the name bytes unless
   * link targets are added, and growing holds the old and the new arrays at once.
   */
  constructor(rows = FIRST_CAPACITY, nameBytes = FIRST_NAME_BYTES) {
    this.columns = new Columns(Math.max(1, rows));
    this.nameTable = new ByteTable(nameBytes);
    let slots = 2;
    while (slots < 2 * rows) slots *= 2;
    this.slots = new Int32Array(slots).fill(NO_ROW);
  }

  get count(): number {
    return this.rows;
  }

  /** Bytes of the rows' names and link targets. */
  get nameBytes(): number {
    return this.nameTable.length;
  }

  /** Adds a row and returns its number; the name must not be in the table yet. */
  add(fields: MemberFields): number {
    const row = this.rows;
    if (row === this.columns.capacity) this.columns.grow();
    const c = this.columns;
    const nameLength = this.probe.write(fields.name, 'utf8');
    const hash = nameHashOfBytes(this.probe, 0, nameLength);
    c.nameStart[row] = this.nameTable.append(this.probe, 0, nameLength);
    c.nameLength[row] = nameLength;
    c.nameHash[row] = hash;
    if (fields.linkTarget) this.setLinkTarget(row, fields.linkTarget);
    c.kind[row] = KINDS.indexOf(fields.kind);
    c.implied[row] = fields.implied ? 1 : 0;
    c.mode[row] = fields.mode & 0xffff;
    c.setSparse('mtime', row, fields.mtime);
    c.size[row] = fields.size;
    c.setSparse('dataOffset', row, fields.dataOffset);
    c.setSparse('linkRow', row, (fields.linkRow ?? NO_ROW) + 1);
    this.rows += 1;
    if (this.rows * 2 > this.slots.length) this.rehash();
    else this.place(row, hash);
    return row;
  }

  /** The row of `name`, or -1. */
  find(name: string): number {
    const length = this.probe.write(name, 'utf8');
    const hash = nameHashOfBytes(this.probe, 0, length);
    const mask = this.slots.length - 1;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const row = this.slots[slot]!;
      if (row === NO_ROW) return NO_ROW;
      if (this.columns.nameHash[row] === hash && this.columns.nameLength[row] === length && this.nameTable.bytes.compare(this.probe, 0, length, this.columns.nameStart[row]!, this.columns.nameStart[row]! + length) === 0) return row;
    }
  }

  /** The kind of the row of `name`, or undefined when no row has it. */
  kindOf(name: string): MemberKind | undefined {
    const row = this.find(name);
    return row < 0 ? undefined : this.kind(row);
  }

  name(row: number): string {
    const start = this.columns.nameStart[row]!;
    return this.nameTable.bytes.toString('utf8', start, start + this.columns.nameLength[row]!);
  }

  /** A symlink's target ('' for other rows). */
  linkTarget(row: number): string {
    const start = this.columns.targetStart[row] ?? 0;
    return this.nameTable.bytes.toString('utf8', start, start + (this.columns.targetLength[row] ?? 0));
  }

  kind(row: number): MemberKind {
    return KINDS[this.columns.kind[row]!]!;
  }

  isImplied(row: number): boolean {
    return this.columns.implied[row] === 1;
  }

  mode(row: number): number {
    return this.columns.mode[row]!;
  }

  mtime(row: number): number {
    return this.columns.mtime[row] ?? 0;
  }

  size(row: number): number {
    return this.columns.size[row]!;
  }

  dataOffset(row: number): number {
    return this.columns.dataOffset[row] ?? 0;
  }

  /** A hard link's file row (-1 for other rows). */
  linkRow(row: number): number {
    return (this.columns.linkRow[row] ?? 0) - 1;
  }

  /** Sets a symlink row's target: at `add`, or once its data is read (a wheel holds it as data). */
  setLinkTarget(row: number, target: string): void {
    const length = this.probe.write(target, 'utf8');
    this.columns.setSparse('targetStart', row, this.nameTable.append(this.probe, 0, length));
    this.columns.setSparse('targetLength', row, length);
  }

  setSha256(row: number, digest: Uint8Array): void {
    const c = this.columns;
    c.sha256 = withRoom(c.sha256, c.capacity * SHA256_BYTES);
    c.sha256.set(digest, row * SHA256_BYTES);
  }

  copySha256(row: number, from: number): void {
    this.setSha256(row, this.sha256Bytes(from));
  }

  sha256(row: number): string {
    return this.sha256Bytes(row).toString('hex');
  }

  /** The row's sha256, as a view of the table's bytes. */
  sha256Bytes(row: number): Buffer {
    const { sha256 } = this.columns;
    if (sha256.length === 0) return Buffer.alloc(SHA256_BYTES);
    return Buffer.from(sha256.buffer, sha256.byteOffset + row * SHA256_BYTES, SHA256_BYTES);
  }

  /** The content view's type: a hard link is a file with its target's content. */
  contentType(row: number): ContentType {
    const kind = this.kind(row);
    return kind === 'link' ? 'file' : kind;
  }

  /** The row as the content view has it. */
  contentRecord(row: number): ContentRecord {
    return memberContentRecord(this.name(row), this.kind(row), this.mode(row), this.sha256Bytes(row), this.linkTarget(row));
  }

  /** Byte order of two rows' names (locale-independent): the content view's order. */
  compareNames(a: number, b: number): number {
    return this.compareRowNames(a, false, b, false);
  }

  /**
   * Byte order of two rows' names as an archive stores them, a directory's with a `/` after it, so
   * that a directory's members follow it directly (`a.b`, `a/`, `a/x`): the normal forms' order.
   */
  compareStoredNames(a: number, b: number): number {
    return this.compareRowNames(a, this.kind(a) === 'directory', b, this.kind(b) === 'directory');
  }

  /**
   * Adds an implied directory row for every parent directory that has none, calling `onAdded`
   * after each (which may throw to stop).
   */
  addParentDirectories(onAdded: (name: string) => void = () => undefined): void {
    const members = this.rows;
    for (let row = 0; row < members; row++) {
      const name = this.name(row);
      for (let slash = name.lastIndexOf('/'); slash > 0; slash = name.lastIndexOf('/', slash - 1)) {
        const dir = name.slice(0, slash);
        if (this.find(dir) >= 0) break;
        this.add({ name: dir, kind: 'directory', mode: 0, mtime: 0, size: 0, dataOffset: 0, implied: true });
        onAdded(dir);
      }
    }
  }

  /** Each symlink's path and target. */
  symlinks(): Map<string, string> {
    const links = new Map<string, string>();
    for (let row = 0; row < this.rows; row++) if (this.kind(row) === 'symlink') links.set(this.name(row), this.linkTarget(row));
    return links;
  }

  /** The names of the rows, in row order. */
  names(): Iterable<string> {
    const table = this;
    return {
      *[Symbol.iterator]() {
        for (let row = 0; row < table.rows; row++) yield table.name(row);
      },
    };
  }

  /** Row numbers sorted with `compare`. */
  sortedRows(compare: (a: number, b: number) => number): Uint32Array {
    return allRows(this.rows).sort(compare);
  }

  /** The rows in content-view order (names as bytes). */
  contentOrder(): Uint32Array {
    return this.sortedRows((a, b) => this.compareNames(a, b));
  }

  /** The rows in stored-name order (compareStoredNames). */
  storedOrder(): Uint32Array {
    return this.sortedRows((a, b) => this.compareStoredNames(a, b));
  }

  /** The content view, record by record in name order, made as it is read. */
  contentView(): Iterable<ContentRecord> {
    const order = this.contentOrder();
    const table = this;
    return {
      *[Symbol.iterator]() {
        for (const row of order) yield table.contentRecord(row);
      },
    };
  }

  private compareRowNames(a: number, slashA: boolean, b: number, slashB: boolean): number {
    const c = this.columns;
    const names = this.nameTable.bytes;
    return compareNameBytes(names, c.nameStart[a]!, c.nameLength[a]!, slashA, names, c.nameStart[b]!, c.nameLength[b]!, slashB);
  }

  private place(row: number, hash: number): void {
    const mask = this.slots.length - 1;
    let slot = hash & mask;
    while (this.slots[slot] !== NO_ROW) slot = (slot + 1) & mask;
    this.slots[slot] = row;
  }

  private rehash(): void {
    this.slots = new Int32Array(this.slots.length * 2).fill(NO_ROW);
    for (let row = 0; row < this.rows; row++) this.place(row, this.columns.nameHash[row]!);
  }
}

/**
 * A member as the content view has it, from its fields wherever they are kept (a table's row, a
 * run's record): a hard link is a file with its target's content (`sha256`, its file's); only a
 * file has a digest and an executable bit, only a symlink a target.
 */
export function memberContentRecord(name: string, kind: MemberKind, mode: number, sha256: Buffer, linkTarget: string): ContentRecord {
  if (kind === 'directory') return { name, type: kind, executable: false, sha256: '', linkTarget: '' };
  if (kind === 'symlink') return { name, type: kind, executable: false, sha256: '', linkTarget };
  return { name, type: 'file', executable: (mode & 0o111) !== 0, sha256: sha256.toString('hex'), linkTarget: '' };
}

const SLASH = 0x2f;

/**
 * Byte order of two names, given as `length` bytes from `start` (locale-independent), each with a
 * `/` after it when its `slash` says so: a directory's name in the tar's normal order.
 */
export function compareNameBytes(
  bytesA: Uint8Array, startA: number, lengthA: number, slashA: boolean, bytesB: Uint8Array, startB: number, lengthB: number, slashB: boolean,
): number {
  const shared = Math.min(lengthA, lengthB);
  for (let i = 0; i < shared; i++) {
    const difference = bytesA[startA + i]! - bytesB[startB + i]!;
    if (difference !== 0) return difference;
  }
  const endA = lengthA > shared ? bytesA[startA + shared]! : slashA ? SLASH : -1;
  const endB = lengthB > shared ? bytesB[startB + shared]! : slashB ? SLASH : -1;
  if (endA !== endB) return endA - endB;
  // Equal to here: whichever has more left (a slash counts as one byte) sorts last.
  return lengthA + (slashA ? 1 : 0) - (lengthB + (slashB ? 1 : 0));
}

function allRows(count: number): Uint32Array {
  const rows = new Uint32Array(count);
  for (let i = 0; i < count; i++) rows[i] = i;
  return rows;
}

