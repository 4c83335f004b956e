// The central directory as an opened archive keeps it (issue 22): one row per entry in typed arrays
// and every decoded name in one UTF-8 byte table. An entry object is made only when one is asked for,
// and dies young; a row costs about 80 bytes beside its name, where an object per entry cost about
// 280 (its fields, its name string and the numbers V8 boxes).
import { ByteTable } from '../byte-table.js';
import { nameHashOfBytes } from '../name-hash.js';
import { describe, type ZipEntry, type ZipExtraField } from './entry.js';
import { NO_IDS, extendedMtime, fieldIds } from './extra-fields.js';
import { FLAG_UTF8, ZipFormatError } from './records.js';
import { decodeText } from './text.js';

/** Shared by every entry without a comment (most of them): nothing allocated per entry. */
export const NO_BYTES = new Uint8Array(0);
/** What bytes checked as they were read are decoded with: they are never refused again. */
const NO_LABEL = () => '';

/**
 * What the entries' comments and their distinct lists of extra field record IDs may take together.
 * Writers put a comment on few entries if any, and the same records on every entry (Info-ZIP's zip
 * UT and ux, zipfile none), but each header may hold 65,535 bytes of either: a 130 MB wheel of 2,000
 * entries of such comments took 327 MiB when nothing bounded them.
 */
export const MAX_KEPT_HEADER_BYTES = 16 << 20;
/** What a list of `n` record IDs takes as it is kept: about what V8 holds for the array, its key and its map entry. */
const idListBytes = (n: number): number => 64 + 16 * n;

/**
 * The distinct lists of extra field record IDs, each held once, numbered from 1 (0 is no records):
 * a row keeps its list's number. Keeping each entry's extra field as bytes, to split it again for
 * each entry object, cost 52 bytes an entry for Info-ZIP's UT and ux and 24 for its columns: a wheel
 * of 262,144 such entries, about the most a valid RECORD lists, took 162 MiB to `check`, and takes
 * 135 MiB with 4 bytes a row of list numbers and 4 of time.
 */
class IdLists {
  private readonly lists: (readonly number[])[] = [NO_IDS];
  private readonly numbers = new Map<string, number>();

  /** The number of the list of `ids`, kept first if it is new; `cost` is told its bytes then. */
  numberOf(ids: readonly number[], cost: (bytes: number) => void): number {
    if (ids.length === 0) return 0;
    const key = ids.join(',');
    let n = this.numbers.get(key);
    if (n === undefined) {
      cost(idListBytes(ids.length));
      n = this.lists.length;
      this.lists.push(Object.freeze(ids.slice()));
      this.numbers.set(key, n);
    }
    return n;
  }

  get(n: number): readonly number[] {
    return this.lists[n]!;
  }
}

/**
 * Each row's number of a list in IdLists: 16 bits a row, made at the first row that has a list, and
 * widened to 32 bits past 65,535 lists (only a made-up archive has that many).
 */
class ListNumbers {
  private numbers: Uint16Array | Uint32Array = new Uint16Array(0);

  constructor(private readonly rows: number) {}

  set(row: number, n: number): void {
    if (this.numbers.length === 0) this.numbers = new Uint16Array(this.rows);
    if (n > 0xffff && this.numbers instanceof Uint16Array) this.numbers = Uint32Array.from(this.numbers);
    this.numbers[row] = n;
  }

  get(row: number): number {
    return this.numbers[row] ?? 0;
  }
}

/**
 * The UT record's time of the rows that have one: 32 bits (the record's own width) and a bit saying
 * that it is there, made at the first row that has one.
 */
class ExtendedMtimes {
  private seconds = new Int32Array(0);
  private present = new Uint8Array(0);

  constructor(private readonly rows: number) {}

  set(row: number, seconds: number): void {
    if (this.seconds.length === 0) {
      this.seconds = new Int32Array(this.rows);
      this.present = new Uint8Array(Math.ceil(this.rows / 8));
    }
    this.seconds[row] = seconds;
    this.present[row >> 3]! |= 1 << (row & 7);
  }

  get(row: number): number | undefined {
    return ((this.present[row >> 3] ?? 0) >> (row & 7)) & 1 ? this.seconds[row] : undefined;
  }
}

/**
 * Bytes that some entries have (a comment, a name stored otherwise than as its UTF-8), for the rows
 * that have them: one byte table with a start and a length column, made at the first row that has
 * any; the columns cost 12 bytes a row beside the bytes.
 */
class SparseBytes {
  private readonly bytes = new ByteTable();
  private start = new Float64Array(0);
  private length = new Uint32Array(0);

  constructor(private readonly rows: number) {}

  set(row: number, value: Uint8Array): void {
    if (value.length === 0) return;
    if (this.length.length === 0) {
      this.start = new Float64Array(this.rows);
      this.length = new Uint32Array(this.rows);
    }
    this.start[row] = this.bytes.append(value);
    this.length[row] = value.length;
  }

  /** The row's bytes, a view of the table; undefined when it has none. */
  get(row: number): Buffer | undefined {
    const length = this.length[row] ?? 0;
    return length === 0 ? undefined : this.bytes.view(this.start[row]!, length);
  }
}

/** The central directory's entries, as rows; filled while the archive is opened, then read only. */
export class EntryTable {
  readonly count: number;
  // APPNOTE 4.3.12's fixed fields, zip64 extended information applied (4.5.3).
  private readonly versionMadeBy: Uint16Array;
  private readonly versionNeeded: Uint16Array;
  private readonly flags: Uint16Array;
  private readonly method: Uint16Array;
  private readonly dosTime: Uint16Array;
  private readonly dosDate: Uint16Array;
  private readonly internalAttr: Uint16Array;
  private readonly crc32: Uint32Array;
  private readonly externalAttr: Uint32Array;
  private readonly compressedSize: Float64Array;
  private readonly uncompressedSize: Float64Array;
  private readonly localHeaderOffset: Float64Array;
  private readonly centralHeaderOffset: Float64Array;
  /** 1 when the central header carried a zip64 extended information field. */
  private readonly zip64: Uint8Array;
  // Where the decoded name is in `names`.
  private readonly nameStart: Float64Array;
  private readonly nameLength: Uint32Array;
  // From the local header and what follows the data, filled in once the members are walked.
  private readonly dataOffset: Float64Array;
  private readonly dataDescriptorLength: Uint8Array;
  // What some entries have: the numbers of their extra fields' lists of record IDs in `idLists`, the
  // UT record's time, their comment's bytes.
  private readonly idLists = new IdLists();
  private readonly centralIds: ListNumbers;
  private readonly localIds: ListNumbers;
  private readonly extendedMtimes: ExtendedMtimes;
  private readonly comments: SparseBytes;
  /**
   * A name's stored bytes where they are not its decoded UTF-8 (CP437 names with bytes from 0x80):
   * UTF-8 names decode and encode back to their bytes (the decoder refuses what would not), and so
   * do ASCII names in either encoding.
   */
  private readonly storedNames: SparseBytes;
  private readonly names: ByteTable;
  private rows = 0;
  /** What the comments and the lists of record IDs take, within MAX_KEPT_HEADER_BYTES. */
  private keptHeaderBytes = 0;

  /** `count` rows; `nameBytes` is a first guess of the decoded names' total length (the table grows past it). */
  constructor(count: number, nameBytes: number) {
    this.count = count;
    this.versionMadeBy = new Uint16Array(count);
    this.versionNeeded = new Uint16Array(count);
    this.flags = new Uint16Array(count);
    this.method = new Uint16Array(count);
    this.dosTime = new Uint16Array(count);
    this.dosDate = new Uint16Array(count);
    this.internalAttr = new Uint16Array(count);
    this.crc32 = new Uint32Array(count);
    this.externalAttr = new Uint32Array(count);
    this.compressedSize = new Float64Array(count);
    this.uncompressedSize = new Float64Array(count);
    this.localHeaderOffset = new Float64Array(count);
    this.centralHeaderOffset = new Float64Array(count);
    this.zip64 = new Uint8Array(count);
    this.nameStart = new Float64Array(count);
    this.nameLength = new Uint32Array(count);
    this.dataOffset = new Float64Array(count);
    this.dataDescriptorLength = new Uint8Array(count);
    this.names = new ByteTable(nameBytes);
    this.centralIds = new ListNumbers(count);
    this.localIds = new ListNumbers(count);
    this.extendedMtimes = new ExtendedMtimes(count);
    this.comments = new SparseBytes(count);
    this.storedNames = new SparseBytes(count);
  }

  /**
   * Adds the next entry, as its central header says (its index is its place in the directory), with
   * its name as stored.
   */
  addCentral(entry: ZipEntry, storedName: Uint8Array): void {
    const i = this.rows;
    if (entry.index !== i || i === this.count) throw new RangeError(`entry ${entry.index} added as row ${i} of ${this.count}`);
    this.versionMadeBy[i] = entry.versionMadeBy;
    this.versionNeeded[i] = entry.versionNeeded;
    this.flags[i] = entry.flags;
    this.method[i] = entry.method;
    this.dosTime[i] = entry.dosTime;
    this.dosDate[i] = entry.dosDate;
    this.internalAttr[i] = entry.internalAttr;
    this.crc32[i] = entry.crc32;
    this.externalAttr[i] = entry.externalAttr;
    this.compressedSize[i] = entry.compressedSize;
    this.uncompressedSize[i] = entry.uncompressedSize;
    this.localHeaderOffset[i] = entry.localHeaderOffset;
    this.centralHeaderOffset[i] = entry.centralHeaderOffset;
    this.zip64[i] = entry.zip64 ? 1 : 0;
    this.storeName(i, entry.name);
    if (!this.storedName(i).equals(storedName)) this.storedNames.set(i, storedName);
    if (entry.extraFieldIds.length > 0) this.centralIds.set(i, this.idLists.numberOf(entry.extraFieldIds, (bytes) => this.charge(i, bytes)));
    if (entry.extendedMtime !== undefined) this.extendedMtimes.set(i, entry.extendedMtime);
    if (entry.commentBytes.length > 0) {
      this.charge(i, entry.commentBytes.length);
      this.comments.set(i, entry.commentBytes);
    }
    this.rows += 1;
  }

  /**
   * What the entry's local header (its extra field's records, checked) and data descriptor add
   * (directory.ts walks them after the central directory).
   */
  setLocal(index: number, dataOffset: number, localExtraFields: readonly ZipExtraField[], dataDescriptorLength: number): void {
    this.dataOffset[index] = dataOffset;
    this.dataDescriptorLength[index] = dataDescriptorLength;
    if (localExtraFields.length === 0) return;
    this.localIds.set(index, this.idLists.numberOf(fieldIds(localExtraFields), (bytes) => this.charge(index, bytes)));
    const mtime = extendedMtime(localExtraFields);
    if (mtime !== undefined) this.extendedMtimes.set(index, mtime);
  }

  /**
   * Counts what a row adds to the comments and lists kept; the archive is refused once they pass
   * MAX_KEPT_HEADER_BYTES together.
   */
  private charge(row: number, bytes: number): void {
    this.keptHeaderBytes += bytes;
    if (this.keptHeaderBytes > MAX_KEPT_HEADER_BYTES) {
      const centralHeaderOffset = this.centralHeaderOffset[row]!;
      throw new ZipFormatError(
        `${describe({ name: this.name(row), index: row, centralHeaderOffset })}: the entries' comments and lists of extra field records take more than ` +
          `${MAX_KEPT_HEADER_BYTES} bytes together, over the limit of what is kept of them (docs/limits.md)`,
        centralHeaderOffset,
      );
    }
  }

  /** The decoded names' length in UTF-8, all entries together. */
  get nameBytes(): number {
    return this.names.length;
  }

  name(index: number): string {
    const start = this.nameStart[index]!;
    return this.names.bytes.toString('utf8', start, start + this.nameLength[index]!);
  }

  /** The name's bytes as the central header stores them. */
  storedName(index: number): Buffer {
    const start = this.nameStart[index]!;
    return this.storedNames.get(index) ?? this.names.view(start, this.nameLength[index]!);
  }

  /**
   * The first entry (in directory order) whose decoded name an earlier one has, and that earlier
   * entry; undefined when every name is there once. Open addressing over the names' hashes, at most
   * half full: 8 bytes a slot for the search's length, where a Map of names made a string and an
   * entry per member (24 MB at 262,144 entries).
   */
  firstDuplicate(): { first: number; second: number } | undefined {
    let size = 2;
    while (size < 2 * this.rows) size *= 2;
    const mask = size - 1;
    const slotRow = new Int32Array(size).fill(-1);
    const slotHash = new Uint32Array(size);
    const names = this.names.bytes;
    for (let row = 0; row < this.rows; row++) {
      const start = this.nameStart[row]!;
      const length = this.nameLength[row]!;
      const hash = nameHashOfBytes(names, start, length);
      let slot = hash & mask;
      for (let other = slotRow[slot]!; other >= 0; slot = (slot + 1) & mask, other = slotRow[slot]!) {
        const otherStart = this.nameStart[other]!;
        if (slotHash[slot] === hash && this.nameLength[other] === length &&
          names.compare(names, otherStart, otherStart + length, start, start + length) === 0) return { first: other, second: row };
      }
      slotRow[slot] = row;
      slotHash[slot] = hash;
    }
    return undefined;
  }

  /** Where the entry's local header is: the order the members are walked in. */
  localHeaderAt(index: number): number {
    return this.localHeaderOffset[index]!;
  }

  /** The entry as an object of its own: made anew at each call. */
  entry(index: number): ZipEntry {
    if (!(index >= 0 && index < this.rows)) throw new RangeError(`no entry ${index} (the archive has ${this.rows})`);
    const comment = this.comments.get(index);
    // Every field named in one literal: V8 then keeps them all in the object, where a spread leaves
    // most in a property array of their own.
    return {
      index,
      // The stored length without a view of the bytes (storedName's) made for it.
      nameLength: this.storedNames.get(index)?.length ?? this.nameLength[index]!,
      name: this.name(index),
      versionMadeBy: this.versionMadeBy[index]!,
      versionNeeded: this.versionNeeded[index]!,
      flags: this.flags[index]!,
      method: this.method[index]!,
      dosTime: this.dosTime[index]!,
      dosDate: this.dosDate[index]!,
      crc32: this.crc32[index]!,
      compressedSize: this.compressedSize[index]!,
      uncompressedSize: this.uncompressedSize[index]!,
      // An archive with another start disk is refused.
      diskNumberStart: 0,
      internalAttr: this.internalAttr[index]!,
      externalAttr: this.externalAttr[index]!,
      localHeaderOffset: this.localHeaderOffset[index]!,
      extraFieldIds: this.idLists.get(this.centralIds.get(index)),
      zip64: this.zip64[index] === 1,
      commentBytes: comment ?? NO_BYTES,
      comment: comment ? decodeText(comment, (this.flags[index]! & FLAG_UTF8) !== 0, NO_LABEL, 0) : '',
      centralHeaderOffset: this.centralHeaderOffset[index]!,
      localExtraFieldIds: this.idLists.get(this.localIds.get(index)),
      extendedMtime: this.extendedMtimes.get(index),
      dataOffset: this.dataOffset[index]!,
      dataDescriptorLength: this.dataDescriptorLength[index]!,
    };
  }

  /** Whether `entry` is this table's entry of its index in every field that says where and what its data is. */
  holds(entry: ZipEntry): boolean {
    const i = entry.index;
    return i >= 0 && i < this.rows && entry.dataOffset === this.dataOffset[i] && entry.compressedSize === this.compressedSize[i] &&
      entry.uncompressedSize === this.uncompressedSize[i] && entry.crc32 === this.crc32[i] && entry.method === this.method[i];
  }

  private storeName(index: number, name: string): void {
    // Past the first guess only where CP437 names decode to more UTF-8 bytes than they store.
    const length = Buffer.byteLength(name, 'utf8');
    this.nameStart[index] = this.names.appendText(name, length);
    this.nameLength[index] = length;
  }
}
