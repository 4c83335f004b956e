// The zip writer: writes exactly the fields it is given, in the order it is given them; it never
// sorts, picks timestamps or compresses (that is policy, in src/normalize/wheel/plan.ts).
import type { ByteSink } from '../sink.js';
import type { FileHandle } from 'node:fs/promises';
import { crc32 as zlibCrc32 } from 'node:zlib';
import type { SharedHeaderFields } from './entry.js';
import { CHUNK } from './io.js';
import { CENTRAL, EOCD, EXTRA_ZIP64, FLAG_DATA_DESCRIPTOR, FLAG_ENCRYPTED, FLAG_MASKED_HEADERS, FLAG_STRONG_ENCRYPTION, FLAG_UTF8, LOCAL, METHOD_DEFLATE, METHOD_STORED, SIG_CENTRAL, SIG_EOCD, SIG_LOCAL, SIG_ZIP64_EOCD, SIG_ZIP64_LOCATOR, U16_ZIP64, U32_ZIP64, VERSION_ZIP64, ZIP64_EOCD, ZIP64_LOCATOR, checkUint, hex16, hex32 } from './records.js';
import { utf8Decoder } from './text.js';
// ---------------------------------------------------------------------------------------------------
// Writer
// ---------------------------------------------------------------------------------------------------

/** Receives the archive's bytes in order. */
export type ZipSink = ByteSink;

/** One member to write. Every header field is the caller's; sizes and CRC-32 are known up front. */
export interface ZipWriterEntry {
  nameBytes: Uint8Array;
  /** General purpose flags. Bits 0, 3, 6 and 13 are refused: no encryption, no data descriptors. */
  flags: number;
  /** 0 (stored) or 8 (deflate); the data is written as given, never compressed here. */
  method: number;
  versionMadeBy: number;
  /** Raised to 45 in both headers when the member needs zip64 (APPNOTE 4.4.3.2). */
  versionNeeded: number;
  dosTime: number;
  dosDate: number;
  externalAttr: number;
  internalAttr: number;
  /** CRC-32 of the uncompressed data; checked against the data for stored members. */
  crc32: number;
  /** Length of `data`, which is checked. */
  compressedSize: number;
  uncompressedSize: number;
  /** The stored bytes: compressed for method 8, exactly `compressedSize` of them. */
  data: AsyncIterable<Uint8Array> | Uint8Array;
}

/**
 * Where the central directory waits for `finish()`, in pieces of about CHUNK bytes as the members are
 * added: in memory by default, or wherever the caller keeps it (a scratch file for a wheel of many
 * members, whose directory would otherwise be tens of bytes per member held to the end).
 */
export interface DirectoryStore {
  append(piece: Uint8Array): Promise<void>;
  /**
   * Every piece appended, in order, once: the store may let each go as it is read, and may reuse its
   * memory for the next, as the writer has given each to its sink, and keeps none, before it asks
   * for the next.
   */
  read(): AsyncIterable<Uint8Array>;
}

/** The default store: the pieces in memory, each let go once read. */
class PiecesInMemory implements DirectoryStore {
  private readonly pieces: Uint8Array[] = [];

  async append(piece: Uint8Array): Promise<void> {
    this.pieces.push(piece);
  }

  async *read(): AsyncGenerator<Uint8Array> {
    for (let piece = this.pieces.shift(); piece !== undefined; piece = this.pieces.shift()) yield piece;
  }
}

/** What `finish()` wrote. */
export interface ZipWriterSummary {
  entryCount: number;
  centralDirectoryOffset: number;
  centralDirectorySize: number;
  /** Total bytes written. */
  size: number;
  /** Whether a zip64 end of central directory record and locator were written. */
  zip64: boolean;
}

interface CentralRecord extends SharedHeaderFields {
  nameBytes: Uint8Array;
  versionMadeBy: number;
  internalAttr: number;
  externalAttr: number;
  localHeaderOffset: number;
  zip64Sizes: boolean;
}

/**
 * Streams an archive: `addEntry()` for each member in order, then `finish()`. Writes local headers
 * without extra fields (a zip64 field only when a size reaches 0xFFFFFFFF), no data descriptors, a
 * central directory that repeats the local headers, no comments, and zip64 end records only when
 * the counts, sizes or offsets need them. Calls must not overlap. After any error the writer refuses
 * further use (the output is then incomplete). Names are the caller's to keep apart, as every other
 * field is: a set of the names written would cost memory per member, and the wheel handler's plan
 * has refused duplicates already, and the strict reader refuses them when the output is read back.
 */
export class ZipWriter {
  private readonly write: ZipSink;
  /**
   * The central directory so far, its headers made as each member is added and packed into pieces
   * of about CHUNK bytes: a few dozen bytes per member, not an object each.
   */
  private readonly directory: DirectoryStore;
  private directoryTail: Buffer[] = [];
  private directoryTailLength = 0;
  private entryCount = 0;
  private position = 0;
  private busy = false;
  private failed: unknown = undefined;
  private finished = false;

  /**
   * `target`: a FileHandle, written sequentially from its current position (offsets in the archive
   * count from the first byte written here), or a sink function. `directory`: where the central
   * directory waits (in memory if not given).
   */
  constructor(target: FileHandle | ZipSink, directory: DirectoryStore = new PiecesInMemory()) {
    this.directory = directory;
    if (typeof target === 'function') {
      this.write = target;
    } else {
      this.write = async (chunk) => {
        let done = 0;
        while (done < chunk.length) {
          const { bytesWritten } = await target.write(chunk, done, chunk.length - done, null);
          done += bytesWritten;
        }
      };
    }
  }

  /** Bytes written so far: the offset the next local header will get. */
  get offset(): number {
    return this.position;
  }

  async addEntry(entry: ZipWriterEntry): Promise<void> {
    await this.guard(async () => {
      const record = validateWriterEntry(entry, this.position);
      const header = localHeaderBytes(record);
      await this.emit(header);
      await this.writeData(entry, record);
      await this.addCentralHeader(centralHeaderBytes(record));
    });
  }

  async finish(): Promise<ZipWriterSummary> {
    return this.guard(async () => {
      const cdOffset = this.position;
      for await (const piece of this.directory.read()) await this.emit(piece);
      await this.emit(Buffer.concat(this.directoryTail));
      this.directoryTail = [];
      const cdSize = this.position - cdOffset;
      const count = this.entryCount;
      const zip64 = count >= U16_ZIP64 || cdSize >= U32_ZIP64 || cdOffset >= U32_ZIP64;
      if (zip64) {
        const z64At = this.position;
        const z = Buffer.alloc(ZIP64_EOCD.size);
        z.writeUInt32LE(SIG_ZIP64_EOCD, ZIP64_EOCD.signature); // zip64 end of central dir signature
        z.writeBigUInt64LE(BigInt(ZIP64_EOCD.size - 12), ZIP64_EOCD.recordSize); // size of this record after the first 12 bytes
        z.writeUInt16LE(VERSION_ZIP64, ZIP64_EOCD.versionMadeBy); // version made by
        z.writeUInt16LE(VERSION_ZIP64, ZIP64_EOCD.versionNeeded); // version needed to extract
        z.writeUInt32LE(0, ZIP64_EOCD.diskNumber); // number of this disk
        z.writeUInt32LE(0, ZIP64_EOCD.centralDirectoryDisk); // disk with the start of the central directory
        z.writeBigUInt64LE(BigInt(count), ZIP64_EOCD.entriesOnDisk); // entries on this disk
        z.writeBigUInt64LE(BigInt(count), ZIP64_EOCD.entriesTotal); // entries in total
        z.writeBigUInt64LE(BigInt(cdSize), ZIP64_EOCD.centralDirectorySize); // size of the central directory
        z.writeBigUInt64LE(BigInt(cdOffset), ZIP64_EOCD.centralDirectoryOffset); // offset of the central directory
        const l = Buffer.alloc(ZIP64_LOCATOR.size);
        l.writeUInt32LE(SIG_ZIP64_LOCATOR, ZIP64_LOCATOR.signature); // zip64 end of central dir locator signature
        l.writeUInt32LE(0, ZIP64_LOCATOR.zip64EocdDisk); // disk with the zip64 end record
        l.writeBigUInt64LE(BigInt(z64At), ZIP64_LOCATOR.zip64EocdOffset); // offset of the zip64 end record
        l.writeUInt32LE(1, ZIP64_LOCATOR.totalDisks); // total number of disks
        await this.emit(Buffer.concat([z, l]));
      }
      const e = Buffer.alloc(EOCD.size);
      e.writeUInt32LE(SIG_EOCD, EOCD.signature); // end of central dir signature
      e.writeUInt16LE(0, EOCD.diskNumber); // number of this disk
      e.writeUInt16LE(0, EOCD.centralDirectoryDisk); // disk with the start of the central directory
      e.writeUInt16LE(Math.min(count, U16_ZIP64), EOCD.entriesOnDisk); // entries on this disk (0xFFFF: see zip64)
      e.writeUInt16LE(Math.min(count, U16_ZIP64), EOCD.entriesTotal); // entries in total (0xFFFF: see zip64)
      e.writeUInt32LE(Math.min(cdSize, U32_ZIP64), EOCD.centralDirectorySize); // size of the central directory
      e.writeUInt32LE(Math.min(cdOffset, U32_ZIP64), EOCD.centralDirectoryOffset); // offset of the central directory
      e.writeUInt16LE(0, EOCD.commentLength); // .ZIP file comment length: no comment
      await this.emit(e);
      this.finished = true;
      return { entryCount: count, centralDirectoryOffset: cdOffset, centralDirectorySize: cdSize, size: this.position, zip64 };
    });
  }

  private async guard<T>(body: () => Promise<T>): Promise<T> {
    if (this.failed !== undefined) throw new Error('ZipWriter is unusable after an earlier error', { cause: this.failed });
    if (this.finished) throw new Error('ZipWriter is finished');
    if (this.busy) throw new Error('ZipWriter calls must not overlap: await each addEntry() before the next call');
    this.busy = true;
    try {
      return await body();
    } catch (err) {
      this.failed = err;
      throw err;
    } finally {
      this.busy = false;
    }
  }

  private async addCentralHeader(header: Buffer): Promise<void> {
    this.entryCount += 1;
    this.directoryTail.push(header);
    this.directoryTailLength += header.length;
    if (this.directoryTailLength >= CHUNK) {
      await this.directory.append(Buffer.concat(this.directoryTail));
      this.directoryTail = [];
      this.directoryTailLength = 0;
    }
  }

  private async emit(chunk: Uint8Array): Promise<void> {
    if (chunk.length === 0) return;
    await this.write(chunk);
    this.position += chunk.length;
  }

  private async writeData(entry: ZipWriterEntry, record: CentralRecord): Promise<void> {
    const label = `entry ${JSON.stringify(Buffer.from(record.nameBytes).toString('utf8'))}`;
    const stored = record.method === METHOD_STORED;
    let written = 0;
    let crc = 0;
    const chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array> = entry.data instanceof Uint8Array ? [entry.data] : entry.data;
    for await (const chunk of chunks) {
      if (written + chunk.length > record.compressedSize) {
        throw new Error(`${label}: data is longer than its declared compressedSize ${record.compressedSize} (got at least ${written + chunk.length} bytes)`);
      }
      if (stored) crc = zlibCrc32(chunk, crc);
      await this.emit(chunk);
      written += chunk.length;
    }
    if (written !== record.compressedSize) {
      throw new Error(`${label}: data is ${written} bytes, shorter than its declared compressedSize ${record.compressedSize}`);
    }
    if (stored && crc !== record.crc32) {
      throw new Error(`${label}: stored data has CRC-32 ${hex32(crc)}, but crc32 declares ${hex32(record.crc32)}`);
    }
  }
}

function validateWriterEntry(entry: ZipWriterEntry, offset: number): CentralRecord {
  if (!(entry.nameBytes instanceof Uint8Array)) throw new TypeError('nameBytes must be a Uint8Array');
  checkUint(entry.nameBytes.length, 0xffff, 'nameBytes.length');
  checkUint(entry.flags, 0xffff, 'flags');
  checkUint(entry.method, 0xffff, 'method');
  checkUint(entry.versionMadeBy, 0xffff, 'versionMadeBy');
  checkUint(entry.versionNeeded, 0xffff, 'versionNeeded');
  checkUint(entry.dosTime, 0xffff, 'dosTime');
  checkUint(entry.dosDate, 0xffff, 'dosDate');
  checkUint(entry.internalAttr, 0xffff, 'internalAttr');
  checkUint(entry.externalAttr, 0xffffffff, 'externalAttr');
  checkUint(entry.crc32, 0xffffffff, 'crc32');
  checkUint(entry.compressedSize, Number.MAX_SAFE_INTEGER, 'compressedSize');
  checkUint(entry.uncompressedSize, Number.MAX_SAFE_INTEGER, 'uncompressedSize');
  const refused = entry.flags & (FLAG_ENCRYPTED | FLAG_DATA_DESCRIPTOR | FLAG_STRONG_ENCRYPTION | FLAG_MASKED_HEADERS);
  if (refused !== 0) {
    throw new RangeError(`flags ${hex16(entry.flags)}: bits ${hex16(refused)} (encryption or data descriptor) are not written by ZipWriter`);
  }
  if (entry.method !== METHOD_STORED && entry.method !== METHOD_DEFLATE) {
    throw new RangeError(`method ${entry.method}: only 0 (stored) and 8 (deflate) are supported`);
  }
  if ((entry.flags & FLAG_UTF8) !== 0) {
    try {
      utf8Decoder.decode(entry.nameBytes);
    } catch {
      throw new RangeError(`nameBytes are not valid UTF-8, but flag bit 11 (UTF-8) is set`);
    }
  }
  if (entry.method === METHOD_STORED && entry.compressedSize !== entry.uncompressedSize) {
    throw new RangeError(`stored entry: compressedSize ${entry.compressedSize} differs from uncompressedSize ${entry.uncompressedSize}`);
  }
  const zip64Sizes = entry.compressedSize >= U32_ZIP64 || entry.uncompressedSize >= U32_ZIP64;
  const zip64 = zip64Sizes || offset >= U32_ZIP64;
  return {
    nameBytes: entry.nameBytes,
    versionMadeBy: entry.versionMadeBy,
    versionNeeded: zip64 ? Math.max(entry.versionNeeded, VERSION_ZIP64) : entry.versionNeeded,
    flags: entry.flags,
    method: entry.method,
    dosTime: entry.dosTime,
    dosDate: entry.dosDate,
    crc32: entry.crc32,
    compressedSize: entry.compressedSize,
    uncompressedSize: entry.uncompressedSize,
    internalAttr: entry.internalAttr,
    externalAttr: entry.externalAttr,
    localHeaderOffset: offset,
    zip64Sizes,
  };
}

/**
 * APPNOTE 4.3.7, field by field in the order the record holds them. With zip64 sizes, both size
 * fields hold 0xFFFFFFFF and the 0x0001 extra field holds both sizes (4.5.3).
 */
function localHeaderBytes(r: CentralRecord): Buffer {
  const extra = r.zip64Sizes ? zip64Extra([r.uncompressedSize, r.compressedSize]) : Buffer.alloc(0);
  const h = Buffer.alloc(LOCAL.size + r.nameBytes.length + extra.length);
  h.writeUInt32LE(SIG_LOCAL, LOCAL.signature); // local file header signature
  h.writeUInt16LE(r.versionNeeded, LOCAL.versionNeeded); // version needed to extract
  h.writeUInt16LE(r.flags, LOCAL.flags); // general purpose bit flag
  h.writeUInt16LE(r.method, LOCAL.method); // compression method
  h.writeUInt16LE(r.dosTime, LOCAL.dosTime); // last mod file time
  h.writeUInt16LE(r.dosDate, LOCAL.dosDate); // last mod file date
  h.writeUInt32LE(r.crc32, LOCAL.crc32); // crc-32
  h.writeUInt32LE(r.zip64Sizes ? U32_ZIP64 : r.compressedSize, LOCAL.compressedSize); // compressed size
  h.writeUInt32LE(r.zip64Sizes ? U32_ZIP64 : r.uncompressedSize, LOCAL.uncompressedSize); // uncompressed size
  h.writeUInt16LE(r.nameBytes.length, LOCAL.nameLength); // file name length
  h.writeUInt16LE(extra.length, LOCAL.extraLength); // extra field length
  h.set(r.nameBytes, LOCAL.size); // file name
  extra.copy(h, LOCAL.size + r.nameBytes.length); // extra field
  return h;
}

/**
 * APPNOTE 4.3.12, field by field in the order the record holds them: the local header's fields
 * again, and the 0x0001 extra field holds only the values that overflow their u32 field.
 */
function centralHeaderBytes(r: CentralRecord): Buffer {
  const zip64Offset = r.localHeaderOffset >= U32_ZIP64;
  const values: number[] = [];
  if (r.zip64Sizes) values.push(r.uncompressedSize, r.compressedSize);
  if (zip64Offset) values.push(r.localHeaderOffset);
  const extra = values.length > 0 ? zip64Extra(values) : Buffer.alloc(0);
  const h = Buffer.alloc(CENTRAL.size + r.nameBytes.length + extra.length);
  h.writeUInt32LE(SIG_CENTRAL, CENTRAL.signature); // central file header signature
  h.writeUInt16LE(r.versionMadeBy, CENTRAL.versionMadeBy); // version made by
  h.writeUInt16LE(r.versionNeeded, CENTRAL.versionNeeded); // version needed to extract
  h.writeUInt16LE(r.flags, CENTRAL.flags); // general purpose bit flag
  h.writeUInt16LE(r.method, CENTRAL.method); // compression method
  h.writeUInt16LE(r.dosTime, CENTRAL.dosTime); // last mod file time
  h.writeUInt16LE(r.dosDate, CENTRAL.dosDate); // last mod file date
  h.writeUInt32LE(r.crc32, CENTRAL.crc32); // crc-32
  h.writeUInt32LE(r.zip64Sizes ? U32_ZIP64 : r.compressedSize, CENTRAL.compressedSize); // compressed size
  h.writeUInt32LE(r.zip64Sizes ? U32_ZIP64 : r.uncompressedSize, CENTRAL.uncompressedSize); // uncompressed size
  h.writeUInt16LE(r.nameBytes.length, CENTRAL.nameLength); // file name length
  h.writeUInt16LE(extra.length, CENTRAL.extraLength); // extra field length
  h.writeUInt16LE(0, CENTRAL.commentLength); // file comment length: no comments
  h.writeUInt16LE(0, CENTRAL.diskNumberStart); // disk number start: one disk
  h.writeUInt16LE(r.internalAttr, CENTRAL.internalAttr); // internal file attributes
  h.writeUInt32LE(r.externalAttr, CENTRAL.externalAttr); // external file attributes
  h.writeUInt32LE(zip64Offset ? U32_ZIP64 : r.localHeaderOffset, CENTRAL.localHeaderOffset); // relative offset of local header
  h.set(r.nameBytes, CENTRAL.size); // file name
  extra.copy(h, CENTRAL.size + r.nameBytes.length); // extra field
  return h;
}

/** APPNOTE 4.5.3: header ID 0x0001, data size, then the u64 values in the order given. */
function zip64Extra(values: number[]): Buffer {
  const b = Buffer.alloc(4 + 8 * values.length);
  b.writeUInt16LE(EXTRA_ZIP64, 0);
  b.writeUInt16LE(8 * values.length, 2);
  values.forEach((v, i) => b.writeBigUInt64LE(BigInt(v), 4 + 8 * i));
  return b;
}
