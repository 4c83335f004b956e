// The central directory as an opened archive keeps it (issue 22): one row per entry in typed arrays
// and every decoded name in one UTF-8 byte table. An entry object is made only when one is asked for,
// and dies young; a row costs about 80 bytes beside its name, where an object per entry cost about
// 280 (its fields, its name string and the numbers V8 boxes).
import { ByteTable } from '../byte-table.js';
import { nameHashOfBytes } from '../name-hash.js';
import { describe, type ZipEntry } from './entry.js';
import { NO_FIELDS, parseExtraFields } from './extra-fields.js';
import { FLAG_UTF8, ZipFormatError } from './records.js';
import { decodeText } from './text.js';

/** Shared by every entry without a comment (most of them): nothing allocated per entry. */
export const NO_BYTES = new Uint8Array(0);
/** What bytes checked as they were read are decoded with: they are never refused again. */
const NO_LABEL = () => '';

/**
 * The entries' extra fields (central and local) and comments kept, all entries together. Writers put
 * a few dozen bytes on an entry, if any (Info-ZIP's UT and ux records: 24 central, 28 local, so
 * 262,144 entries, about the most a valid wheel's RECORD can list, keep 13.6 MB), but each header may
 * hold 65,535 bytes of either: a 260 MB wheel of 2,000 entries padded so took 445 MiB.
 */
export const MAX_KEPT_HEADER_BYTES = 16 << 20;

/**
 * Bytes that some entries have (an extra field, a comment, a name stored otherwise than as its
 * UTF-8), for the rows that have them: one byte table with a start and a length column, made at the
 * first row that has any. An array of objects and a copy per entry, in maps, cost about 1.8 KB an
 * entry with the two extra fields Info-ZIP's zip writes (589 MiB for a wheel of 262,144 such
 * entries); the columns cost 12 bytes a row beside the bytes.
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
  // What some entries have: their extra fields as stored (split into records for each entry object
  // made), their comment's bytes.
  private readonly extraFields: SparseBytes;
  private readonly localExtraFields: SparseBytes;
  private readonly comments: SparseBytes;
  /**
   * A name's stored bytes where they are not its decoded UTF-8 (CP437 names with bytes from 0x80):
   * UTF-8 names decode and encode back to their bytes (the decoder refuses what would not), and so
   * do ASCII names in either encoding.
   */
  private readonly storedNames: SparseBytes;
  private readonly names: ByteTable;
  private rows = 0;
  /** The bytes of extraFields, localExtraFields and comments, within MAX_KEPT_HEADER_BYTES. */
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
    this.extraFields = new SparseBytes(count);
    this.localExtraFields = new SparseBytes(count);
    this.comments = new SparseBytes(count);
    this.storedNames = new SparseBytes(count);
  }

  /**
   * Adds the next entry, as its central header says (its index is its place in the directory), with
   * its name and extra field as stored (the extra field checked, its records those of `entry`).
   */
  addCentral(entry: ZipEntry, storedName: Uint8Array, extraField: Uint8Array): void {
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
    this.keep(this.extraFields, i, extraField);
    this.keep(this.comments, i, entry.commentBytes);
    this.rows += 1;
  }

  /**
   * What the entry's local header (its extra field as stored, checked) and data descriptor add
   * (directory.ts walks them after the central directory).
   */
  setLocal(index: number, dataOffset: number, localExtraField: Uint8Array, dataDescriptorLength: number): void {
    this.dataOffset[index] = dataOffset;
    this.dataDescriptorLength[index] = dataDescriptorLength;
    this.keep(this.localExtraFields, index, localExtraField);
  }

  /** Keeps a row's extra field or comment; refused once they pass MAX_KEPT_HEADER_BYTES together. */
  private keep(column: SparseBytes, row: number, value: Uint8Array): void {
    this.keptHeaderBytes += value.length;
    if (this.keptHeaderBytes > MAX_KEPT_HEADER_BYTES) {
      const centralHeaderOffset = this.centralHeaderOffset[row]!;
      throw new ZipFormatError(
        `${describe({ name: this.name(row), index: row, centralHeaderOffset })}: the entries' extra fields and comments hold more than ` +
          `${MAX_KEPT_HEADER_BYTES} bytes together, over the limit of what is kept of them (docs/limits.md)`,
        centralHeaderOffset,
      );
    }
    column.set(row, value);
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
    const extraField = this.extraFields.get(index);
    const localExtraField = this.localExtraFields.get(index);
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
      // Checked as they were read: split again, never refused.
      extraFields: extraField ? parseExtraFields(extraField, 0, NO_LABEL) : NO_FIELDS,
      zip64: this.zip64[index] === 1,
      commentBytes: comment ?? NO_BYTES,
      comment: comment ? decodeText(comment, (this.flags[index]! & FLAG_UTF8) !== 0, NO_LABEL, 0) : '',
      centralHeaderOffset: this.centralHeaderOffset[index]!,
      localExtraFields: localExtraField ? parseExtraFields(localExtraField, 0, NO_LABEL) : NO_FIELDS,
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
