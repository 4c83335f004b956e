// The zip container, byte for byte (PKWARE APPNOTE.TXT 6.3.x): a strict reader and a plain writer.
//
// This module is a codec, not a policy: it never sorts, never picks timestamps, never compresses. The
// reader accepts only archives that every mainstream reader must understand the same way and refuses
// the rest with a ZipFormatError that names the offending record and its byte offset. The writer
// writes exactly the fields it is given, in the order it is given them.
//
// Layout of an archive as this module reads and writes it (APPNOTE 4.3.6):
//
//   [local file header 1][file data 1][data descriptor 1 (reader only, optional)]
//   ...
//   [local file header n][file data n][data descriptor n]
//   [central directory header 1] ... [central directory header n]
//   [zip64 end of central directory record][zip64 end of central directory locator]   (only if needed)
//   [end of central directory record]
//
// Nothing else: no bytes before the first local header, between members, between the last member
// and the central directory, or after the end record, and every member is listed exactly once.
//
// Numbers are JavaScript numbers; zip64 values above Number.MAX_SAFE_INTEGER (8 PiB) are refused.
import { FormatError } from './errors.js';
import type { FileHandle } from 'node:fs/promises';
import { open } from 'node:fs/promises';
import { once } from 'node:events';
import { Readable } from 'node:stream';
import { createInflateRaw, crc32 as zlibCrc32, inflateRawSync } from 'node:zlib';

// ---------------------------------------------------------------------------------------------------
// Record layouts. Each field is named once, with the APPNOTE section that defines it; the reader and
// the writer both use these offsets. All integers are little-endian (APPNOTE 4.4.1.1).
// ---------------------------------------------------------------------------------------------------

/** APPNOTE 4.3.7: local file header. 30 bytes, then the name and the extra field. */
const LOCAL = {
  /** 4.3.7: local file header signature, 0x04034b50 ("PK\3\4"). */
  signature: 0,
  /** 4.4.3: version needed to extract (u16). */
  versionNeeded: 4,
  /** 4.4.4: general purpose bit flag (u16). */
  flags: 6,
  /** 4.4.5: compression method (u16). */
  method: 8,
  /** 4.4.6: last mod file time, MS-DOS format (u16). */
  dosTime: 10,
  /** 4.4.6: last mod file date, MS-DOS format (u16). */
  dosDate: 12,
  /** 4.4.7: CRC-32 of the uncompressed data (u32). */
  crc32: 14,
  /** 4.4.8: compressed size (u32; 0xFFFFFFFF means "see the zip64 extra field"). */
  compressedSize: 18,
  /** 4.4.9: uncompressed size (u32; 0xFFFFFFFF means "see the zip64 extra field"). */
  uncompressedSize: 22,
  /** 4.4.10: file name length (u16). */
  nameLength: 26,
  /** 4.4.11: extra field length (u16). */
  extraLength: 28,
  /** Size of the fixed part; the name (4.4.17) and the extra field (4.4.28) follow. */
  size: 30,
} as const;

/** APPNOTE 4.3.12: central directory file header. 46 bytes, then name, extra field and comment. */
const CENTRAL = {
  /** 4.3.12: central file header signature, 0x02014b50 ("PK\1\2"). */
  signature: 0,
  /** 4.4.2: version made by (u16): high byte host system (4.4.2.2), low byte spec version × 10. */
  versionMadeBy: 4,
  /** 4.4.3: version needed to extract (u16). */
  versionNeeded: 6,
  /** 4.4.4: general purpose bit flag (u16). */
  flags: 8,
  /** 4.4.5: compression method (u16). */
  method: 10,
  /** 4.4.6: last mod file time (u16). */
  dosTime: 12,
  /** 4.4.6: last mod file date (u16). */
  dosDate: 14,
  /** 4.4.7: CRC-32 (u32). */
  crc32: 16,
  /** 4.4.8: compressed size (u32, 0xFFFFFFFF: zip64). */
  compressedSize: 20,
  /** 4.4.9: uncompressed size (u32, 0xFFFFFFFF: zip64). */
  uncompressedSize: 24,
  /** 4.4.10: file name length (u16). */
  nameLength: 28,
  /** 4.4.11: extra field length (u16). */
  extraLength: 30,
  /** 4.4.12: file comment length (u16). */
  commentLength: 32,
  /** 4.4.13: disk number start (u16, 0xFFFF: zip64). */
  diskNumberStart: 34,
  /** 4.4.14: internal file attributes (u16); bit 0: "apparently text". */
  internalAttr: 36,
  /** 4.4.15: external file attributes (u32), host-dependent (Unix: st_mode << 16; DOS: low byte). */
  externalAttr: 38,
  /** 4.4.16: relative offset of local header (u32, 0xFFFFFFFF: zip64). */
  localHeaderOffset: 42,
  /** Size of the fixed part; name (4.4.17), extra field (4.4.28) and comment (4.4.18) follow. */
  size: 46,
} as const;

/** APPNOTE 4.3.9: data descriptor, after the data when flag bit 3 is set. */
const DESCRIPTOR = {
  /** 4.3.9.3: the optional signature 0x08074b50 ("PK\7\8"). */
  signature: 0x08074b50,
  /** crc-32 (u32), then compressed and uncompressed size: u32 each, or u64 each in zip64 (4.3.9.2). */
  sizesWithSignature32: 16,
  sizesWithoutSignature32: 12,
  sizesWithSignature64: 24,
  sizesWithoutSignature64: 20,
} as const;

/** APPNOTE 4.3.16: end of central directory record. 22 bytes, then the archive comment. */
const EOCD = {
  /** 4.3.16: end of central dir signature, 0x06054b50 ("PK\5\6"). */
  signature: 0,
  /** 4.4.19: number of this disk (u16). */
  diskNumber: 4,
  /** 4.4.20: number of the disk with the start of the central directory (u16). */
  centralDirectoryDisk: 6,
  /** 4.4.21: total number of entries in the central directory on this disk (u16, 0xFFFF: zip64). */
  entriesOnDisk: 8,
  /** 4.4.22: total number of entries in the central directory (u16, 0xFFFF: zip64). */
  entriesTotal: 10,
  /** 4.4.23: size of the central directory (u32, 0xFFFFFFFF: zip64). */
  centralDirectorySize: 12,
  /** 4.4.24: offset of start of central directory (u32, 0xFFFFFFFF: zip64). */
  centralDirectoryOffset: 16,
  /** 4.4.25: .ZIP file comment length (u16); the comment (4.4.26) follows. */
  commentLength: 20,
  size: 22,
} as const;

/** APPNOTE 4.3.14: zip64 end of central directory record (version 1). 56 bytes + extensible data. */
const ZIP64_EOCD = {
  /** 4.3.14: zip64 end of central dir signature, 0x06064b50 ("PK\6\6"). */
  signature: 0,
  /** 4.3.14.1: size of the zip64 end of central directory record (u64), not counting these first 12 bytes. */
  recordSize: 4,
  /** 4.4.2: version made by (u16). */
  versionMadeBy: 12,
  /** 4.4.3: version needed to extract (u16). */
  versionNeeded: 14,
  /** 4.4.19: number of this disk (u32). */
  diskNumber: 16,
  /** 4.4.20: number of the disk with the start of the central directory (u32). */
  centralDirectoryDisk: 20,
  /** 4.4.21: total number of entries in the central directory on this disk (u64). */
  entriesOnDisk: 24,
  /** 4.4.22: total number of entries in the central directory (u64). */
  entriesTotal: 32,
  /** 4.4.23: size of the central directory (u64). */
  centralDirectorySize: 40,
  /** 4.4.24: offset of start of central directory (u64). */
  centralDirectoryOffset: 48,
  /** Size of the fixed part; the zip64 extensible data sector (4.3.14.2) may follow. */
  size: 56,
} as const;

/** APPNOTE 4.3.15: zip64 end of central directory locator. 20 bytes, right before the end record. */
const ZIP64_LOCATOR = {
  /** 4.3.15: zip64 end of central dir locator signature, 0x07064b50 ("PK\6\7"). */
  signature: 0,
  /** Number of the disk with the start of the zip64 end of central directory (u32). */
  zip64EocdDisk: 4,
  /** Relative offset of the zip64 end of central directory record (u64). */
  zip64EocdOffset: 8,
  /** Total number of disks (u32). */
  totalDisks: 16,
  size: 20,
} as const;

const SIG_LOCAL = 0x04034b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_EOCD = 0x06054b50;
const SIG_ZIP64_EOCD = 0x06064b50;
const SIG_ZIP64_LOCATOR = 0x07064b50;

/** Largest archive comment (4.4.25 is a u16), hence the distance the end record can hide from EOF. */
const MAX_COMMENT = 0xffff;
/** How far back from the end of the file the end record can start: 22 + 65535 = 65557 bytes. */
export const EOCD_SEARCH_LIMIT = EOCD.size + MAX_COMMENT;

/** A u16 field holding this value defers to a zip64 record (APPNOTE 4.4.1.4). */
const U16_ZIP64 = 0xffff;
/** A u32 field holding this value defers to a zip64 record (APPNOTE 4.4.1.4). */
const U32_ZIP64 = 0xffffffff;

// --- General purpose bit flag (APPNOTE 4.4.4) -------------------------------------------------------

/** 4.4.4 bit 0: the file is encrypted. */
export const FLAG_ENCRYPTED = 0x0001;
/** 4.4.4 bit 3: crc-32 and sizes are zero in the local header and follow the data in a data descriptor. */
export const FLAG_DATA_DESCRIPTOR = 0x0008;
/** 4.4.4 bit 6: strong encryption. */
export const FLAG_STRONG_ENCRYPTION = 0x0040;
/** 4.4.4 bit 11: language encoding flag (EFS): name and comment are UTF-8. */
export const FLAG_UTF8 = 0x0800;
/** 4.4.4 bit 13: the central directory is encrypted and local header values are masked. */
export const FLAG_MASKED_HEADERS = 0x2000;
/** Flag bits that must agree between a local header and its central header. */
const FLAGS_THAT_MUST_AGREE = FLAG_ENCRYPTED | FLAG_DATA_DESCRIPTOR | FLAG_STRONG_ENCRYPTION | FLAG_UTF8;

// --- Compression method (APPNOTE 4.4.5) -------------------------------------------------------------

/** 4.4.5: 0, the file is stored (no compression). */
export const METHOD_STORED = 0;
/** 4.4.5: 8, the file is Deflated (RFC 1951 raw deflate). */
export const METHOD_DEFLATE = 8;
/** 4.4.5 / APPNOTE 7.2: 99, AE-x (AES) encryption marker. */
const METHOD_AES = 99;

// --- Version made by: host system (APPNOTE 4.4.2.2) -------------------------------------------------

/** 4.4.2.2: 0, MS-DOS and OS/2 (FAT / VFAT / FAT32 file systems). */
export const HOST_MSDOS = 0;
/** 4.4.2.2: 3, UNIX. */
export const HOST_UNIX = 3;
/** 4.4.3.2: 2.0, the minimum version for deflate, folders and traditional encryption. */
export const VERSION_DEFLATE = 20;
/** 4.4.3.2: 4.5, the minimum version needed for ZIP64 format extensions. */
export const VERSION_ZIP64 = 45;

/** `versionMadeBy` (4.4.2) from a host system and a spec version (×10, e.g. 20 for 2.0). */
export function makeVersionMadeBy(host: number, specVersion: number): number {
  checkUint(host, 0xff, 'host');
  checkUint(specVersion, 0xff, 'specVersion');
  return host * 0x100 + specVersion;
}

/** The host system byte of a `versionMadeBy` value (4.4.2.2). */
export function hostOf(versionMadeBy: number): number {
  return (versionMadeBy >>> 8) & 0xff;
}

// --- External file attributes (APPNOTE 4.4.15) ------------------------------------------------------

/** POSIX file type mask of st_mode. */
export const S_IFMT = 0o170000;
/** POSIX st_mode type: regular file. */
export const S_IFREG = 0o100000;
/** POSIX st_mode type: directory. */
export const S_IFDIR = 0o040000;
/** POSIX st_mode type: symbolic link. */
export const S_IFLNK = 0o120000;
/** Unix hosts keep st_mode in the high 16 bits of externalAttr: attr = mode × 2^16. */
export const UNIX_MODE_SHIFT = 16;
/** S_IFREG in externalAttr position (0x80000000). */
export const EXTERNAL_ATTR_S_IFREG = S_IFREG * 0x10000;
/** S_IFDIR in externalAttr position (0x40000000). */
export const EXTERNAL_ATTR_S_IFDIR = S_IFDIR * 0x10000;
/** S_IFLNK in externalAttr position (0xA0000000). */
export const EXTERNAL_ATTR_S_IFLNK = S_IFLNK * 0x10000;
/** S_IFMT in externalAttr position (0xF0000000). */
export const EXTERNAL_ATTR_S_IFMT = S_IFMT * 0x10000;
/** MS-DOS attribute byte (low byte of externalAttr): read-only. */
export const MSDOS_ATTR_READONLY = 0x01;
/** MS-DOS attribute byte (low byte of externalAttr): directory. */
export const MSDOS_ATTR_DIRECTORY = 0x10;

/** externalAttr for a Unix st_mode (type and permission bits), MS-DOS byte left 0. */
export function unixModeToExternalAttr(mode: number): number {
  checkUint(mode, 0xffff, 'mode');
  return mode * 0x10000;
}

/** The Unix st_mode kept in the high 16 bits of externalAttr (meaningful when the host is Unix). */
export function externalAttrToUnixMode(externalAttr: number): number {
  return Math.floor(externalAttr / 0x10000) & 0xffff;
}

// --- Extra field header IDs (APPNOTE 4.5.2, 4.6) ----------------------------------------------------

/** 4.5.3: Zip64 extended information extra field. */
export const EXTRA_ZIP64 = 0x0001;
/** 4.5.5: NTFS extra field (timestamps). */
export const EXTRA_NTFS = 0x000a;
/** 4.6 (Info-ZIP): extended timestamp, "UT". */
export const EXTRA_EXTENDED_TIMESTAMP = 0x5455;
/** 4.6 (Info-ZIP): Unix UID/GID of any size, "ux". */
export const EXTRA_INFOZIP_UNIX_NEW = 0x7875;

// ---------------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------------

/** The archive is not one this module accepts. The message names the record and its byte offset. */
export class ZipFormatError extends FormatError {
  /** Byte offset in the file that the message is about, when there is one. */
  readonly offset: number | undefined;
  constructor(message: string, offset?: number) {
    super(message);
    this.name = 'ZipFormatError';
    this.offset = offset;
  }
}

// ---------------------------------------------------------------------------------------------------
// Reader
// ---------------------------------------------------------------------------------------------------

/** One record of an extra field (APPNOTE 4.5.1): header ID, then its data. */
export interface ZipExtraField {
  readonly id: number;
  readonly data: Uint8Array;
}

/** One member, as its central directory header (APPNOTE 4.3.12) describes it. */
export interface ZipEntry {
  /** Position in the central directory, from 0. */
  readonly index: number;
  /** The name as stored (4.4.17). */
  readonly nameBytes: Uint8Array;
  /** The name decoded: UTF-8 if flag bit 11 is set, else UTF-8 if valid, else CP437. */
  readonly name: string;
  readonly versionMadeBy: number;
  readonly versionNeeded: number;
  readonly flags: number;
  readonly method: number;
  readonly dosTime: number;
  readonly dosDate: number;
  readonly crc32: number;
  /** With the zip64 extended information applied. */
  readonly compressedSize: number;
  /** With the zip64 extended information applied. */
  readonly uncompressedSize: number;
  /** With the zip64 extended information applied; always 0 in an accepted archive. */
  readonly diskNumberStart: number;
  readonly internalAttr: number;
  readonly externalAttr: number;
  /** With the zip64 extended information applied. */
  readonly localHeaderOffset: number;
  /** Central directory extra field records, in order (4.4.28). */
  readonly extraFields: readonly ZipExtraField[];
  /** Whether the central header carried a zip64 extended information field (0x0001). */
  readonly zip64: boolean;
  /** The file comment as stored (4.4.18). */
  readonly commentBytes: Uint8Array;
  /** The file comment decoded like the name. */
  readonly comment: string;
  /** Offset of this entry's central directory header. */
  readonly centralHeaderOffset: number;
  /** Local header extra field records, in order (they may differ from the central ones). */
  readonly localExtraFields: readonly ZipExtraField[];
  /** Offset of the first byte of the member's (compressed) data. */
  readonly dataOffset: number;
  /** Length of the data descriptor after the data (0, 12, 16, 20 or 24). */
  readonly dataDescriptorLength: number;
}

/** A ZipEntry while the reader is still filling it in. */
type MutableEntry = { -readonly [K in keyof ZipEntry]: ZipEntry[K] } & {
  extraFields: ZipExtraField[];
  localExtraFields: ZipExtraField[];
};

/** What a local header (APPNOTE 4.3.7) says, zip64 extra applied. */
interface LocalHeader {
  offset: number;
  versionNeeded: number;
  flags: number;
  method: number;
  crc32: number;
  compressedSize: number;
  uncompressedSize: number;
  nameBytes: Buffer;
  extraFields: ZipExtraField[];
  dataOffset: number;
}

/** Read-ahead for the central directory, batch size for writing it, and inflate output chunk size. */
const CHUNK = 64 * 1024;
/** Positioned read size for member data: large enough that per-read overhead does not dominate. */
const DATA_CHUNK = 1024 * 1024;

/** Opens the zip at `path`, validates its whole structure, and returns a reader that owns the file. */
export async function openZip(path: string): Promise<ZipReader> {
  const handle = await open(path, 'r');
  try {
    return await ZipReader.fromFileHandle(handle, { closeHandle: true });
  } catch (err) {
    await handle.close();
    throw err;
  }
}

/**
 * A validated archive. Everything is read with positioned reads; member data is read only when a
 * stream asks for it. Member streams may run concurrently.
 */
export class ZipReader {
  /** Members in central directory order. */
  readonly entries: readonly ZipEntry[];
  /** The archive comment (4.4.26), as stored. */
  readonly comment: Uint8Array;
  /** Size of the file in bytes. */
  readonly fileSize: number;
  readonly centralDirectoryOffset: number;
  readonly centralDirectorySize: number;
  /** Whether the archive ends with a zip64 end of central directory record and locator. */
  readonly zip64: boolean;
  private readonly handle: FileHandle;
  private readonly closeHandle: boolean;
  private closed = false;

  private constructor(init: {
    handle: FileHandle;
    closeHandle: boolean;
    entries: ZipEntry[];
    comment: Uint8Array;
    fileSize: number;
    centralDirectoryOffset: number;
    centralDirectorySize: number;
    zip64: boolean;
  }) {
    this.handle = init.handle;
    this.closeHandle = init.closeHandle;
    this.entries = init.entries;
    this.comment = init.comment;
    this.fileSize = init.fileSize;
    this.centralDirectoryOffset = init.centralDirectoryOffset;
    this.centralDirectorySize = init.centralDirectorySize;
    this.zip64 = init.zip64;
  }

  /**
   * Validates the archive in an open file. The handle is closed by `close()` only if `closeHandle`;
   * on a validation error it is left open for the caller.
   */
  static async fromFileHandle(handle: FileHandle, options: { closeHandle?: boolean } = {}): Promise<ZipReader> {
    const { size } = await handle.stat();
    const file = new PositionedFile(handle, size);
    const parsed = await parseArchive(file);
    return new ZipReader({ handle, closeHandle: options.closeHandle ?? false, fileSize: size, ...parsed });
  }

  /** The member's compressed bytes exactly as stored (for copying without recompression). */
  openRawStream(entry: ZipEntry): Readable {
    this.checkOwnEntry(entry);
    return Readable.from(this.rawChunks(entry), { objectMode: false, highWaterMark: CHUNK });
  }

  /**
   * The member's uncompressed bytes. Inflates as it is read, with bounded memory, and errors with a
   * ZipFormatError as soon as the output exceeds the declared uncompressed size, or at the end if the
   * size or CRC-32 differs or the deflate stream does not end exactly at the declared compressed size.
   */
  openMemberStream(entry: ZipEntry): Readable {
    this.checkOwnEntry(entry);
    const chunks = entry.method === METHOD_STORED ? this.storedChunks(entry) : this.inflatedChunks(entry);
    return Readable.from(chunks, { objectMode: false, highWaterMark: CHUNK });
  }

  /** Closes the file if this reader owns it. Streams still running then fail. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.closeHandle) await this.handle.close();
  }

  private checkOwnEntry(entry: ZipEntry): void {
    if (this.entries[entry.index] !== entry) throw new TypeError('entry does not belong to this ZipReader');
    if (this.closed) throw new Error('ZipReader is closed');
  }

  private async *rawChunks(entry: ZipEntry): AsyncGenerator<Buffer> {
    const end = entry.dataOffset + entry.compressedSize;
    for (let at = entry.dataOffset; at < end; ) {
      const length = Math.min(DATA_CHUNK, end - at);
      const buf = Buffer.allocUnsafe(length);
      const { bytesRead } = await this.handle.read(buf, 0, length, at);
      if (bytesRead === 0) {
        throw new ZipFormatError(
          `${describe(entry)}: truncated: data ends at offset ${at}, ${end - at} bytes before the declared end ${end} (did the file change?)`,
          at,
        );
      }
      at += bytesRead;
      yield bytesRead === length ? buf : buf.subarray(0, bytesRead);
    }
  }

  private async *storedChunks(entry: ZipEntry): AsyncGenerator<Buffer> {
    let produced = 0;
    let crc = 0;
    for await (const chunk of this.rawChunks(entry)) {
      produced += chunk.length;
      crc = zlibCrc32(chunk, crc);
      yield chunk;
    }
    checkMemberEnd(entry, produced, crc);
  }

  /** The same checks as inflatedChunks(), for a small member, in one read and one inflate call. */
  private async inflateSmall(entry: ZipEntry): Promise<Buffer> {
    const chunks: Buffer[] = [];
    for await (const chunk of this.rawChunks(entry)) chunks.push(chunk);
    const compressed = Buffer.concat(chunks);
    let inflated: Buffer;
    let consumed: number;
    try {
      const result = inflateRawSync(compressed, { info: true, maxOutputLength: entry.uncompressedSize + 1 }) as unknown as { buffer: Buffer; engine: { bytesWritten: number } };
      inflated = result.buffer;
      consumed = result.engine.bytesWritten;
    } catch (err) {
      if ((err as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE') {
        throw inflatesTooMuch(entry, `${entry.uncompressedSize + 1} bytes`);
      }
      throw inflateError(entry, err, 0);
    }
    if (inflated.length > entry.uncompressedSize) throw inflatesTooMuch(entry, `${inflated.length} bytes`);
    if (consumed !== entry.compressedSize) {
      throw new ZipFormatError(
        `${describe(entry)}: deflate stream ends after ${consumed} of the declared ${entry.compressedSize} compressed bytes ` +
          `(${entry.compressedSize - consumed} trailing bytes from offset ${entry.dataOffset + consumed})`,
        entry.dataOffset + consumed,
      );
    }
    checkMemberEnd(entry, inflated.length, zlibCrc32(inflated));
    return inflated;
  }

  private async *inflatedChunks(entry: ZipEntry): AsyncGenerator<Buffer> {
    if (entry.compressedSize <= SMALL_MEMBER_BYTES && entry.uncompressedSize <= SMALL_MEMBER_BYTES) {
      yield await this.inflateSmall(entry);
      return;
    }
    const inflater = createInflateRaw({ chunkSize: CHUNK });
    const stop = new AbortController();
    const raw = this.rawChunks(entry);
    // Feeds the compressed bytes in, honouring backpressure; a read error fails the inflater, which
    // makes the loop below throw it.
    const feeding = (async () => {
      try {
        for await (const chunk of raw) {
          if (stop.signal.aborted) return;
          if (!inflater.write(chunk)) await once(inflater, 'drain', { signal: stop.signal });
        }
        inflater.end();
      } catch (err) {
        if (!stop.signal.aborted) inflater.destroy(err instanceof Error ? err : new Error(String(err)));
      }
    })();
    let produced = 0;
    let crc = 0;
    try {
      for await (const chunk of inflater as AsyncIterable<Buffer>) {
        produced += chunk.length;
        if (produced > entry.uncompressedSize) {
          throw inflatesTooMuch(entry, `${produced} bytes from ${inflater.bytesWritten} compressed bytes`);
        }
        crc = zlibCrc32(chunk, crc);
        yield chunk;
      }
    } catch (err) {
      if (err instanceof ZipFormatError) throw err;
      throw inflateError(entry, err, inflater.bytesWritten);
    } finally {
      stop.abort();
      inflater.destroy();
      await feeding;
    }
    const consumed = inflater.bytesWritten;
    if (consumed !== entry.compressedSize) {
      throw new ZipFormatError(
        `${describe(entry)}: deflate stream ends after ${consumed} of the declared ${entry.compressedSize} compressed bytes ` +
          `(${entry.compressedSize - consumed} trailing bytes from offset ${entry.dataOffset + consumed})`,
        entry.dataOffset + consumed,
      );
    }
    checkMemberEnd(entry, produced, crc);
  }
}

/**
 * Members up to this size (compressed and declared) are inflated in one synchronous call: a stream
 * per member costs more than the inflating itself in wheels of thousands of small files. The
 * declared size bounds the output, so memory stays bounded too.
 */
const SMALL_MEMBER_BYTES = 1 << 20;

/** A lying header: inflating stopped as soon as the output passed the declared size. */
function inflatesTooMuch(entry: ZipEntry, stoppedAfter: string): ZipFormatError {
  return new ZipFormatError(
    `${describe(entry)}: inflates to more than its declared uncompressed size of ${entry.uncompressedSize} bytes ` +
      `(stopped after ${stoppedAfter} at offset ${entry.dataOffset})`,
    entry.dataOffset,
  );
}

function checkMemberEnd(entry: ZipEntry, produced: number, crc: number): void {
  if (produced !== entry.uncompressedSize) {
    throw new ZipFormatError(
      `${describe(entry)}: uncompressed size is ${produced} bytes, but the header declares ${entry.uncompressedSize}`,
      entry.dataOffset,
    );
  }
  if (crc !== entry.crc32) {
    throw new ZipFormatError(
      `${describe(entry)}: CRC-32 mismatch: data has ${hex32(crc)}, header declares ${hex32(entry.crc32)}`,
      entry.dataOffset,
    );
  }
}

function inflateError(entry: ZipEntry, err: unknown, consumed: number): Error {
  const code = (err as { code?: unknown } | null)?.code;
  const message = err instanceof Error ? err.message : String(err);
  if (code === 'Z_BUF_ERROR') {
    return new ZipFormatError(
      `${describe(entry)}: deflate stream is incomplete: the declared ${entry.compressedSize} compressed bytes ` +
        `(offset ${entry.dataOffset}) end before its final block`,
      entry.dataOffset + entry.compressedSize,
    );
  }
  if (typeof code === 'string' && code.startsWith('Z_')) {
    return new ZipFormatError(
      `${describe(entry)}: invalid deflate data near compressed byte ${consumed} (offset ${entry.dataOffset + consumed}): ${message}`,
      entry.dataOffset + consumed,
    );
  }
  return err instanceof Error ? err : new Error(message);
}

/** Positioned reads on a file of known size; reading past the end is a "truncated" ZipFormatError. */
class PositionedFile {
  constructor(
    readonly handle: FileHandle,
    readonly size: number,
  ) {}

  async read(offset: number, length: number, what: string): Promise<Buffer> {
    if (offset < 0 || offset + length > this.size) {
      throw new ZipFormatError(
        `truncated: ${what} at offset ${offset} needs ${length} bytes, but the file ends at offset ${this.size}`,
        offset,
      );
    }
    const buf = Buffer.alloc(length);
    let done = 0;
    while (done < length) {
      const { bytesRead } = await this.handle.read(buf, done, length - done, offset + done);
      if (bytesRead === 0) {
        throw new ZipFormatError(`truncated: ${what} at offset ${offset}: file ended after ${done} of ${length} bytes`, offset + done);
      }
      done += bytesRead;
    }
    return buf;
  }
}

/**
 * Reads through a region (the central directory, or the members before it) with a read-ahead window,
 * so that walking it in offset order costs one positioned read per window, not one per record.
 */
class ReadAhead {
  private buf: Buffer = Buffer.alloc(0);
  private bufStart = 0;
  constructor(
    private readonly file: PositionedFile,
    /** Where the region ends, and what starts there (for error messages). */
    readonly end: number,
    private readonly endWhat: string,
  ) {}

  async bytes(offset: number, length: number, what: string): Promise<Buffer> {
    if (offset + length > this.end) {
      throw new ZipFormatError(
        `${what} at offset ${offset} needs ${length} bytes, but ${this.endWhat} at offset ${this.end}`,
        offset,
      );
    }
    if (offset < this.bufStart || offset + length > this.bufStart + this.buf.length) {
      const want = Math.min(Math.max(length, CHUNK), this.end - offset);
      this.buf = await this.file.read(offset, want, what);
      this.bufStart = offset;
    }
    return this.buf.subarray(offset - this.bufStart, offset - this.bufStart + length);
  }
}

interface ParsedArchive {
  entries: ZipEntry[];
  comment: Uint8Array;
  centralDirectoryOffset: number;
  centralDirectorySize: number;
  zip64: boolean;
}

async function parseArchive(file: PositionedFile): Promise<ParsedArchive> {
  if (file.size === 0) throw new ZipFormatError('empty file (0 bytes) is not a zip archive', 0);
  const eocd = await findEndRecord(file);
  const dir = await readDirectoryLocation(file, eocd);
  const entries = await readCentralDirectory(file, dir);
  checkDuplicateNames(entries);
  await checkMembers(file, entries, dir.offset);
  return {
    entries,
    comment: eocd.comment,
    centralDirectoryOffset: dir.offset,
    centralDirectorySize: dir.size,
    zip64: dir.zip64,
  };
}

interface EndRecord {
  offset: number;
  record: Buffer;
  comment: Uint8Array;
}

/**
 * Finds the single end of central directory record (APPNOTE 4.3.16): the one whose comment reaches
 * exactly the end of the file. Another end record signature in its comment is refused, since readers
 * that take the last signature they find (Python's zipfile, for one) would read a different archive.
 */
async function findEndRecord(file: PositionedFile): Promise<EndRecord> {
  const tailLength = Math.min(file.size, EOCD_SEARCH_LIMIT);
  const tailStart = file.size - tailLength;
  const tail = await file.read(tailStart, tailLength, 'end of file');
  const signatures: number[] = [];
  for (let i = tail.length - 4; i >= 0; i--) {
    if (tail[i] === 0x50 && tail[i + 1] === 0x4b && tail[i + 2] === 0x05 && tail[i + 3] === 0x06) signatures.push(i);
  }
  if (signatures.length === 0) {
    throw new ZipFormatError(
      `no end of central directory record (signature 50 4b 05 06) in the last ${tailLength} bytes: not a zip file, or truncated`,
      tailStart,
    );
  }
  const exact = signatures.filter((i) => i + EOCD.size <= tail.length && i + EOCD.size + tail.readUInt16LE(i + EOCD.commentLength) === tail.length);
  if (exact.length > 1) {
    const offsets = exact.map((i) => tailStart + i).sort((a, b) => a - b);
    throw new ZipFormatError(
      `several end of central directory records: at offsets ${offsets.join(' and ')} each with a comment reaching the end of the file`,
      offsets[0],
    );
  }
  if (exact.length === 0) {
    const last = signatures[0]!;
    const at = tailStart + last;
    if (last + EOCD.size > tail.length) {
      throw new ZipFormatError(
        `truncated: end of central directory record at offset ${at} needs ${EOCD.size} bytes, but the file ends at offset ${file.size}`,
        at,
      );
    }
    const commentLength = tail.readUInt16LE(last + EOCD.commentLength);
    const end = at + EOCD.size + commentLength;
    if (end > file.size) {
      throw new ZipFormatError(
        `truncated: end of central directory record at offset ${at} declares a ${commentLength}-byte comment ending at offset ${end}, ` +
          `but the file ends at offset ${file.size}`,
        at,
      );
    }
    throw new ZipFormatError(
      `${file.size - end} bytes after the end of central directory record (record at offset ${at}, its comment ends at offset ${end}, ` +
        `file size ${file.size})`,
      end,
    );
  }
  const found = exact[0]!;
  // Signatures that reach into the comment; bytes of the record's own fields do not count.
  const inComment = signatures.filter((i) => i + 4 > found + EOCD.size);
  if (inComment.length > 0) {
    const at = tailStart + Math.min(...inComment);
    throw new ZipFormatError(
      `several end of central directory records: the signature appears again at offset ${at}, inside the archive comment ` +
        `of the record at offset ${tailStart + found}`,
      at,
    );
  }
  const record = tail.subarray(found, found + EOCD.size);
  return { offset: tailStart + found, record, comment: Uint8Array.from(tail.subarray(found + EOCD.size)) };
}

interface DirectoryLocation {
  offset: number;
  size: number;
  count: number;
  zip64: boolean;
}

/** Reads where the central directory is, from the end record and the zip64 records when present. */
async function readDirectoryLocation(file: PositionedFile, eocd: EndRecord): Promise<DirectoryLocation> {
  const r = eocd.record;
  const at = eocd.offset;
  const disk = r.readUInt16LE(EOCD.diskNumber);
  const cdDisk = r.readUInt16LE(EOCD.centralDirectoryDisk);
  const onDisk = r.readUInt16LE(EOCD.entriesOnDisk);
  const total = r.readUInt16LE(EOCD.entriesTotal);
  const cdSize = r.readUInt32LE(EOCD.centralDirectorySize);
  const cdOffset = r.readUInt32LE(EOCD.centralDirectoryOffset);

  let locator: Buffer | undefined;
  const locatorAt = at - ZIP64_LOCATOR.size;
  if (locatorAt >= 0) {
    const candidate = await file.read(locatorAt, ZIP64_LOCATOR.size, 'zip64 end of central directory locator');
    if (candidate.readUInt32LE(ZIP64_LOCATOR.signature) === SIG_ZIP64_LOCATOR) locator = candidate;
  }

  if (locator === undefined) {
    // Without a zip64 locator, a saturated size or offset cannot be resolved (4.4.1.4). A count of
    // 0xFFFF is taken literally: Python writes exactly 65535 entries without zip64.
    if (cdSize === U32_ZIP64 || cdOffset === U32_ZIP64) {
      throw new ZipFormatError(
        `end of central directory record at offset ${at} holds 0xFFFFFFFF (zip64) for the central directory ` +
          `${cdSize === U32_ZIP64 ? 'size' : 'offset'}, but no zip64 end of central directory locator precedes it at offset ${locatorAt}`,
        at,
      );
    }
    checkDisk(disk, `end of central directory record at offset ${at}: number of this disk`, at + EOCD.diskNumber);
    checkDisk(cdDisk, `end of central directory record at offset ${at}: disk with the central directory`, at + EOCD.centralDirectoryDisk);
    if (onDisk !== total) {
      throw new ZipFormatError(
        `end of central directory record at offset ${at}: ${onDisk} entries on this disk but ${total} in total (multi-disk archive)`,
        at + EOCD.entriesOnDisk,
      );
    }
    checkDirectoryEnd(cdOffset, cdSize, at, `end of central directory record at offset ${at}`);
    return { offset: cdOffset, size: cdSize, count: total, zip64: false };
  }

  // APPNOTE 4.3.15: zip64 end of central directory locator.
  checkDisk(
    locator.readUInt32LE(ZIP64_LOCATOR.zip64EocdDisk),
    `zip64 end of central directory locator at offset ${locatorAt}: disk with the zip64 end record`,
    locatorAt + ZIP64_LOCATOR.zip64EocdDisk,
  );
  const totalDisks = locator.readUInt32LE(ZIP64_LOCATOR.totalDisks);
  if (totalDisks > 1) {
    throw new ZipFormatError(
      `zip64 end of central directory locator at offset ${locatorAt}: total number of disks is ${totalDisks} (multi-disk archives are not supported)`,
      locatorAt + ZIP64_LOCATOR.totalDisks,
    );
  }
  const z64At = readU64(locator, ZIP64_LOCATOR.zip64EocdOffset, locatorAt, 'zip64 end of central directory offset');
  if (z64At + ZIP64_EOCD.size > locatorAt) {
    throw new ZipFormatError(
      `zip64 end of central directory locator at offset ${locatorAt} points to offset ${z64At}, which leaves no room for the ` +
        `${ZIP64_EOCD.size}-byte zip64 end of central directory record before the locator`,
      locatorAt + ZIP64_LOCATOR.zip64EocdOffset,
    );
  }
  // APPNOTE 4.3.14: zip64 end of central directory record.
  const z = await file.read(z64At, ZIP64_EOCD.size, 'zip64 end of central directory record');
  if (z.readUInt32LE(ZIP64_EOCD.signature) !== SIG_ZIP64_EOCD) {
    throw new ZipFormatError(
      `no zip64 end of central directory record signature (50 4b 06 06) at offset ${z64At}, where the locator at offset ${locatorAt} points`,
      z64At,
    );
  }
  const recordSize = readU64(z, ZIP64_EOCD.recordSize, z64At, 'zip64 end of central directory record size');
  const recordEnd = z64At + 12 + recordSize;
  if (recordSize < ZIP64_EOCD.size - 12 || recordEnd !== locatorAt) {
    throw new ZipFormatError(
      `zip64 end of central directory record at offset ${z64At} declares size ${recordSize} and so ends at offset ${recordEnd}, ` +
        `but the zip64 locator starts at offset ${locatorAt}`,
      z64At + ZIP64_EOCD.recordSize,
    );
  }
  const what = `zip64 end of central directory record at offset ${z64At}`;
  checkDisk(z.readUInt32LE(ZIP64_EOCD.diskNumber), `${what}: number of this disk`, z64At + ZIP64_EOCD.diskNumber);
  checkDisk(z.readUInt32LE(ZIP64_EOCD.centralDirectoryDisk), `${what}: disk with the central directory`, z64At + ZIP64_EOCD.centralDirectoryDisk);
  const onDisk64 = readU64(z, ZIP64_EOCD.entriesOnDisk, z64At, 'entries on this disk');
  const total64 = readU64(z, ZIP64_EOCD.entriesTotal, z64At, 'total entries');
  const cdSize64 = readU64(z, ZIP64_EOCD.centralDirectorySize, z64At, 'central directory size');
  const cdOffset64 = readU64(z, ZIP64_EOCD.centralDirectoryOffset, z64At, 'central directory offset');
  if (onDisk64 !== total64) {
    throw new ZipFormatError(
      `${what}: ${onDisk64} entries on this disk but ${total64} in total (multi-disk archive)`,
      z64At + ZIP64_EOCD.entriesOnDisk,
    );
  }
  // The 32-bit end record must either defer to the zip64 one or say the same thing.
  const agree: [string, number, number, number, number][] = [
    ['number of this disk', disk, U16_ZIP64, 0, EOCD.diskNumber],
    ['disk with the central directory', cdDisk, U16_ZIP64, 0, EOCD.centralDirectoryDisk],
    ['entries on this disk', onDisk, U16_ZIP64, onDisk64, EOCD.entriesOnDisk],
    ['total entries', total, U16_ZIP64, total64, EOCD.entriesTotal],
    ['central directory size', cdSize, U32_ZIP64, cdSize64, EOCD.centralDirectorySize],
    ['central directory offset', cdOffset, U32_ZIP64, cdOffset64, EOCD.centralDirectoryOffset],
  ];
  for (const [field, value, saturated, value64, fieldOffset] of agree) {
    if (value !== saturated && value !== value64) {
      throw new ZipFormatError(
        `end of central directory record at offset ${at}: ${field} is ${value}, but the zip64 end of central directory record ` +
          `at offset ${z64At} says ${value64}`,
        at + fieldOffset,
      );
    }
  }
  checkDirectoryEnd(cdOffset64, cdSize64, z64At, what);
  return { offset: cdOffset64, size: cdSize64, count: total64, zip64: true };
}

function checkDirectoryEnd(cdOffset: number, cdSize: number, nextRecord: number, what: string): void {
  const cdEnd = cdOffset + cdSize;
  if (cdEnd !== nextRecord) {
    const detail =
      cdEnd < nextRecord
        ? `${nextRecord - cdEnd} unexpected bytes between the central directory and the end records`
        : cdEnd > nextRecord && cdOffset <= nextRecord
          ? `the central directory overlaps the end records by ${cdEnd - nextRecord} bytes`
          : `the central directory lies beyond the end records (truncated or corrupt)`;
    throw new ZipFormatError(
      `${what}: central directory at offset ${cdOffset} of size ${cdSize} ends at offset ${cdEnd}, but the next record starts at ` +
        `offset ${nextRecord}: ${detail}`,
      Math.min(cdEnd, nextRecord),
    );
  }
}

function checkDisk(value: number, what: string, offset: number): void {
  if (value !== 0) {
    throw new ZipFormatError(`${what} is ${value}, not 0 (multi-disk archives are not supported), at offset ${offset}`, offset);
  }
}

/** Parses every central directory header (APPNOTE 4.3.12). */
async function readCentralDirectory(file: PositionedFile, dir: DirectoryLocation): Promise<MutableEntry[]> {
  const cursor = new ReadAhead(file, dir.offset + dir.size, 'the central directory ends');
  const entries: MutableEntry[] = [];
  let at = dir.offset;
  while (at < cursor.end) {
    const index = entries.length;
    if (index >= dir.count) {
      throw new ZipFormatError(
        `central directory entry count mismatch: the end record declares ${dir.count} entries, but the central directory ` +
          `(offset ${dir.offset}, size ${dir.size}) has more bytes after entry ${index - 1}, at offset ${at}`,
        at,
      );
    }
    const h = await cursor.bytes(at, CENTRAL.size, `central directory header ${index}`);
    if (h.readUInt32LE(CENTRAL.signature) !== SIG_CENTRAL) {
      throw new ZipFormatError(
        `no central directory file header signature (50 4b 01 02) at offset ${at} (entry ${index}; found ${hexBytes(h.subarray(0, 4))})`,
        at,
      );
    }
    const nameLength = h.readUInt16LE(CENTRAL.nameLength);
    const extraLength = h.readUInt16LE(CENTRAL.extraLength);
    const commentLength = h.readUInt16LE(CENTRAL.commentLength);
    const fields = {
      versionMadeBy: h.readUInt16LE(CENTRAL.versionMadeBy),
      versionNeeded: h.readUInt16LE(CENTRAL.versionNeeded),
      flags: h.readUInt16LE(CENTRAL.flags),
      method: h.readUInt16LE(CENTRAL.method),
      dosTime: h.readUInt16LE(CENTRAL.dosTime),
      dosDate: h.readUInt16LE(CENTRAL.dosDate),
      crc32: h.readUInt32LE(CENTRAL.crc32),
      compressedSize: h.readUInt32LE(CENTRAL.compressedSize),
      uncompressedSize: h.readUInt32LE(CENTRAL.uncompressedSize),
      diskNumberStart: h.readUInt16LE(CENTRAL.diskNumberStart),
      internalAttr: h.readUInt16LE(CENTRAL.internalAttr),
      externalAttr: h.readUInt32LE(CENTRAL.externalAttr),
      localHeaderOffset: h.readUInt32LE(CENTRAL.localHeaderOffset),
    };
    const variable = await cursor.bytes(at + CENTRAL.size, nameLength + extraLength + commentLength, `central directory header ${index}'s name, extra field and comment`);
    const nameBytes = Uint8Array.from(variable.subarray(0, nameLength));
    const extra = variable.subarray(nameLength, nameLength + extraLength);
    const commentBytes = Uint8Array.from(variable.subarray(nameLength + extraLength));
    const where = `central directory header ${index} at offset ${at}`;
    const utf8 = (fields.flags & FLAG_UTF8) !== 0;
    const name = decodeText(nameBytes, utf8, `${where}: name`, at + CENTRAL.size);
    const label = `entry ${JSON.stringify(name)} (${where})`;
    const extraFields = parseExtraFields(extra, at + CENTRAL.size + nameLength, label);
    const zip64Field = extraFields.find((f) => f.id === EXTRA_ZIP64);
    const resolved = applyZip64(
      fields,
      ['uncompressedSize', 'compressedSize', 'localHeaderOffset', 'diskNumberStart'],
      zip64Field,
      label,
      at + CENTRAL.size + nameLength,
    );
    const entry: MutableEntry = {
      index,
      nameBytes,
      name,
      ...resolved,
      extraFields,
      zip64: zip64Field !== undefined,
      commentBytes,
      comment: decodeText(commentBytes, utf8, `${where}: comment`, at + CENTRAL.size + nameLength + extraLength),
      centralHeaderOffset: at,
      localExtraFields: [],
      dataOffset: 0,
      dataDescriptorLength: 0,
    };
    checkSupported(entry, label, at);
    entries.push(entry);
    at += CENTRAL.size + nameLength + extraLength + commentLength;
  }
  if (entries.length !== dir.count) {
    throw new ZipFormatError(
      `central directory entry count mismatch: the end record declares ${dir.count} entries, but the central directory ` +
        `(offset ${dir.offset}, size ${dir.size}) holds ${entries.length}`,
      dir.offset,
    );
  }
  return entries;
}

/** Refuses what this module does not read: encryption, other methods, other disks, odd stored sizes. */
function checkSupported(entry: MutableEntry, label: string, at: number): void {
  const bits: string[] = [];
  if (entry.flags & FLAG_ENCRYPTED) bits.push('flag bit 0, encrypted');
  if (entry.flags & FLAG_STRONG_ENCRYPTION) bits.push('flag bit 6, strong encryption');
  if (entry.flags & FLAG_MASKED_HEADERS) bits.push('flag bit 13, encrypted central directory');
  if (entry.method === METHOD_AES) bits.push('method 99, AES encryption');
  if (bits.length > 0) {
    throw new ZipFormatError(`${label} is encrypted (${bits.join('; ')}); encrypted members are not supported`, at + CENTRAL.flags);
  }
  if (entry.method !== METHOD_STORED && entry.method !== METHOD_DEFLATE) {
    throw new ZipFormatError(
      `${label} uses compression method ${entry.method}; only 0 (stored) and 8 (deflate) are supported`,
      at + CENTRAL.method,
    );
  }
  if (entry.diskNumberStart !== 0) {
    throw new ZipFormatError(
      `${label} starts on disk ${entry.diskNumberStart}, not 0 (multi-disk archives are not supported)`,
      at + CENTRAL.diskNumberStart,
    );
  }
  if (entry.method === METHOD_STORED && entry.compressedSize !== entry.uncompressedSize) {
    throw new ZipFormatError(
      `${label} is stored but its compressed size ${entry.compressedSize} differs from its uncompressed size ${entry.uncompressedSize}`,
      at + CENTRAL.compressedSize,
    );
  }
}

function checkDuplicateNames(entries: MutableEntry[]): void {
  const seen = new Map<string, MutableEntry>();
  for (const entry of entries) {
    const first = seen.get(entry.name);
    if (first !== undefined) {
      throw new ZipFormatError(
        `duplicate name ${JSON.stringify(entry.name)}: central directory entries ${first.index} (offset ${first.centralHeaderOffset}) ` +
          `and ${entry.index} (offset ${entry.centralHeaderOffset})`,
        entry.centralHeaderOffset,
      );
    }
    seen.set(entry.name, entry);
  }
}

/**
 * Walks the members in offset order and checks that they tile the file from offset 0 to the central
 * directory: each is its local header (APPNOTE 4.3.7), its data, then with flag bit 3 a data descriptor
 * (4.3.9), and the next member or the central directory starts right after. Each local header must
 * repeat its central header. Fills in dataOffset, localExtraFields and dataDescriptorLength.
 */
async function checkMembers(file: PositionedFile, entries: MutableEntry[], cdOffset: number): Promise<void> {
  const ordered = [...entries].sort((a, b) => a.localHeaderOffset - b.localHeaderOffset || a.index - b.index);
  const first = ordered[0];
  const firstStart = first === undefined ? cdOffset : first.localHeaderOffset;
  if (firstStart !== 0) {
    throw new ZipFormatError(
      `${firstStart} bytes before the first local file header (the first ${first === undefined ? 'record, the central directory,' : 'member'} ` +
        `starts at offset ${firstStart}, not 0)`,
      0,
    );
  }
  const region = new ReadAhead(file, cdOffset, 'the central directory starts');
  for (let i = 0; i < ordered.length; i++) {
    const entry = ordered[i]!;
    const local = await readLocalHeader(region, entry);
    const next = ordered[i + 1];
    const nextStart = next === undefined ? cdOffset : next.localHeaderOffset;
    const nextWhat = next === undefined ? `the central directory at offset ${cdOffset}` : `the local header of ${describe(next)} at offset ${nextStart}`;
    const dataEnd = local.dataOffset + entry.compressedSize;
    const gap = nextStart - dataEnd;
    entry.dataOffset = local.dataOffset;
    entry.localExtraFields = local.extraFields;
    if (gap < 0) {
      throw new ZipFormatError(
        `overlapping members: ${describe(entry)} occupies offsets ${entry.localHeaderOffset} to ${dataEnd} ` +
          `(data of ${entry.compressedSize} bytes from offset ${local.dataOffset}), which overlaps ${nextWhat}`,
        nextStart,
      );
    }
    if ((entry.flags & FLAG_DATA_DESCRIPTOR) === 0) {
      if (gap > 0) {
        throw new ZipFormatError(
          `${gap} unexpected bytes at offset ${dataEnd}, between the end of the data of ${describe(entry)} and ${nextWhat}`,
          dataEnd,
        );
      }
    } else {
      entry.dataDescriptorLength = await checkDataDescriptor(region, entry, dataEnd, gap, nextWhat);
    }
    checkLocalAgreesWithCentral(entry, local);
  }
}

/** Parses an entry's local file header (APPNOTE 4.3.7); checkLocalAgreesWithCentral compares it. */
async function readLocalHeader(region: ReadAhead, entry: MutableEntry): Promise<LocalHeader> {
  const at = entry.localHeaderOffset;
  const label = describe(entry);
  if (at + LOCAL.size > region.end) {
    throw new ZipFormatError(
      `${label}: local header offset ${at} is not followed by a ${LOCAL.size}-byte local header before the central directory at offset ${region.end}`,
      entry.centralHeaderOffset + CENTRAL.localHeaderOffset,
    );
  }
  const fixed = await region.bytes(at, LOCAL.size, `local file header of ${label}`);
  if (fixed.readUInt32LE(LOCAL.signature) !== SIG_LOCAL) {
    throw new ZipFormatError(
      `no local file header signature (50 4b 03 04) at offset ${at}, where ${label} points (found ${hexBytes(fixed.subarray(0, 4))})`,
      at,
    );
  }
  const nameLength = fixed.readUInt16LE(LOCAL.nameLength);
  const extraLength = fixed.readUInt16LE(LOCAL.extraLength);
  const total = LOCAL.size + nameLength + extraLength;
  if (at + total > region.end) {
    throw new ZipFormatError(
      `local file header of ${label} at offset ${at} (name ${nameLength} bytes, extra ${extraLength} bytes) runs into the central directory at offset ${region.end}`,
      at + LOCAL.nameLength,
    );
  }
  const buf = Buffer.from(await region.bytes(at, total, `local file header of ${label}`));
  const extraFields = parseExtraFields(buf.subarray(LOCAL.size + nameLength, total), at + LOCAL.size + nameLength, `local file header of ${label} at offset ${at}`);
  const resolved = applyZip64(
    {
      compressedSize: buf.readUInt32LE(LOCAL.compressedSize),
      uncompressedSize: buf.readUInt32LE(LOCAL.uncompressedSize),
    },
    ['uncompressedSize', 'compressedSize'],
    extraFields.find((f) => f.id === EXTRA_ZIP64),
    `local file header of ${label} at offset ${at}`,
    at + LOCAL.size + nameLength,
  );
  return {
    offset: at,
    versionNeeded: buf.readUInt16LE(LOCAL.versionNeeded),
    flags: buf.readUInt16LE(LOCAL.flags),
    method: buf.readUInt16LE(LOCAL.method),
    crc32: buf.readUInt32LE(LOCAL.crc32),
    compressedSize: resolved.compressedSize,
    uncompressedSize: resolved.uncompressedSize,
    nameBytes: buf.subarray(LOCAL.size, LOCAL.size + nameLength),
    extraFields,
    dataOffset: at + total,
  };
}

/**
 * APPNOTE 4.3.9: the data descriptor fills exactly the `gap` between the data and the next record, so
 * its length tells its form: 12 (crc, 32-bit sizes), 16 (signature first), 20 (crc, 64-bit sizes) or
 * 24 (signature first). Its values must be the central header's. Returns its length.
 */
async function checkDataDescriptor(region: ReadAhead, entry: MutableEntry, dataEnd: number, gap: number, nextWhat: string): Promise<number> {
  const fits: number[] = [
    DESCRIPTOR.sizesWithoutSignature32,
    DESCRIPTOR.sizesWithSignature32,
    DESCRIPTOR.sizesWithoutSignature64,
    DESCRIPTOR.sizesWithSignature64,
  ];
  if (!fits.includes(gap)) {
    throw new ZipFormatError(
      `${gap} bytes at offset ${dataEnd}, between the end of the data of ${describe(entry)} and ${nextWhat}: ` +
        `a data descriptor takes 12, 16, 20 or 24 bytes`,
      dataEnd,
    );
  }
  const d = await region.bytes(dataEnd, gap, `data descriptor of ${describe(entry)}`);
  const withSignature = gap === DESCRIPTOR.sizesWithSignature32 || gap === DESCRIPTOR.sizesWithSignature64;
  const wide = gap === DESCRIPTOR.sizesWithoutSignature64 || gap === DESCRIPTOR.sizesWithSignature64;
  if (withSignature && d.readUInt32LE(0) !== DESCRIPTOR.signature) {
    throw new ZipFormatError(
      `${gap} bytes at offset ${dataEnd}, after the data of ${describe(entry)}, are not a data descriptor: a ${gap}-byte ` +
        `descriptor starts with the signature 50 4b 07 08, found ${hexBytes(d.subarray(0, 4))}`,
      dataEnd,
    );
  }
  let p = withSignature ? 4 : 0;
  const crc = d.readUInt32LE(p);
  p += 4;
  const compressedSize = wide ? readU64(d, p, dataEnd, 'data descriptor compressed size') : d.readUInt32LE(p);
  p += wide ? 8 : 4;
  const uncompressedSize = wide ? readU64(d, p, dataEnd, 'data descriptor uncompressed size') : d.readUInt32LE(p);
  const disagreements = compareValues(
    [
      ['CRC-32', crc, entry.crc32, hex32],
      ['compressed size', compressedSize, entry.compressedSize, String],
      ['uncompressed size', uncompressedSize, entry.uncompressedSize, String],
    ],
    false,
  );
  if (disagreements.length > 0) {
    throw new ZipFormatError(
      `data descriptor at offset ${dataEnd} (${gap} bytes, ${withSignature ? 'with' : 'without'} signature, ${wide ? '64' : '32'}-bit sizes) ` +
        `disagrees with the central directory header of ${describe(entry)}: ${disagreements.join('; ')}`,
      dataEnd,
    );
  }
  return gap;
}

/** A local header must repeat its central header (APPNOTE 4.3.7 vs 4.3.12). */
function checkLocalAgreesWithCentral(entry: MutableEntry, local: LocalHeader): void {
  const problems: string[] = [];
  if (!Buffer.from(entry.nameBytes).equals(local.nameBytes)) {
    problems.push(`name is ${JSON.stringify(local.nameBytes.toString('latin1'))} (${local.nameBytes.length} bytes), central says ${JSON.stringify(Buffer.from(entry.nameBytes).toString('latin1'))} (${entry.nameBytes.length} bytes)`);
  }
  if (local.method !== entry.method) problems.push(`compression method is ${local.method}, central says ${entry.method}`);
  if ((local.flags & FLAGS_THAT_MUST_AGREE) !== (entry.flags & FLAGS_THAT_MUST_AGREE)) {
    problems.push(
      `general purpose flags are ${hex16(local.flags)}, central says ${hex16(entry.flags)} (bits ${hex16(FLAGS_THAT_MUST_AGREE)} must agree)`,
    );
  }
  // With a data descriptor the local values are zero (4.4.4 bit 3); some writers fill them in anyway.
  const descriptor = (entry.flags & FLAG_DATA_DESCRIPTOR) !== 0;
  problems.push(
    ...compareValues(
      [
        ['CRC-32', local.crc32, entry.crc32, hex32],
        ['compressed size', local.compressedSize, entry.compressedSize, String],
        ['uncompressed size', local.uncompressedSize, entry.uncompressedSize, String],
      ],
      descriptor,
    ),
  );
  if (problems.length > 0) {
    throw new ZipFormatError(
      `local file header at offset ${local.offset} disagrees with the central directory header of ${describe(entry)}: ${problems.join('; ')}`,
      local.offset,
    );
  }
}

function compareValues(
  pairs: [string, number, number, (n: number) => string][],
  zeroAllowed: boolean,
): string[] {
  const out: string[] = [];
  for (const [field, got, want, show] of pairs) {
    if (got !== want && !(zeroAllowed && got === 0)) out.push(`${field} is ${show(got)}, central says ${show(want)}`);
  }
  return out;
}

/** Splits an extra field (APPNOTE 4.4.28, 4.5.1) into its records; each is a u16 ID, a u16 size and data. */
function parseExtraFields(extra: Buffer, offset: number, label: string): ZipExtraField[] {
  const out: ZipExtraField[] = [];
  let p = 0;
  while (p < extra.length) {
    if (p + 4 > extra.length) {
      throw new ZipFormatError(
        `${label}: extra field has ${extra.length - p} stray bytes at offset ${offset + p}, too few for a record header`,
        offset + p,
      );
    }
    const id = extra.readUInt16LE(p);
    const size = extra.readUInt16LE(p + 2);
    if (p + 4 + size > extra.length) {
      throw new ZipFormatError(
        `${label}: extra field record ${hex16(id)} at offset ${offset + p} declares ${size} bytes of data, but only ${extra.length - p - 4} remain`,
        offset + p,
      );
    }
    out.push({ id, data: Uint8Array.from(extra.subarray(p + 4, p + 4 + size)) });
    p += 4 + size;
  }
  return out;
}

type Zip64Field = 'uncompressedSize' | 'compressedSize' | 'localHeaderOffset' | 'diskNumberStart';

/**
 * APPNOTE 4.5.3: the zip64 extended information field holds, in this order, the original size, the
 * compressed size, the local header offset (u64 each) and the disk start number (u32), each present
 * only when the header field holds 0xFFFFFFFF (0xFFFF for the disk).
 */
function applyZip64<T extends Partial<Record<Zip64Field, number>>>(
  fields: T,
  order: readonly Zip64Field[],
  zip64: ZipExtraField | undefined,
  label: string,
  extraOffset: number,
): T {
  const out = { ...fields };
  const data = zip64 === undefined ? undefined : Buffer.from(zip64.data.buffer, zip64.data.byteOffset, zip64.data.byteLength);
  let p = 0;
  for (const field of order) {
    const value = out[field];
    if (value === undefined) continue;
    const wide = field !== 'diskNumberStart';
    if (value !== (wide ? U32_ZIP64 : U16_ZIP64)) continue;
    const width = wide ? 8 : 4;
    if (data === undefined) {
      throw new ZipFormatError(
        `${label}: ${field} is ${wide ? '0xFFFFFFFF' : '0xFFFF'} but there is no zip64 extended information extra field (0x0001)`,
        extraOffset,
      );
    }
    if (p + width > data.length) {
      throw new ZipFormatError(
        `${label}: zip64 extended information extra field (${data.length} bytes) is too short to hold ${field}`,
        extraOffset,
      );
    }
    (out as Record<Zip64Field, number>)[field] = wide ? readU64(data, p, extraOffset, `zip64 ${field}`) : data.readUInt32LE(p);
    p += width;
  }
  return out;
}

function readU64(buf: Buffer, at: number, recordOffset: number, what: string): number {
  const value = buf.readBigUInt64LE(at);
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new ZipFormatError(`${what} ${value} (record at offset ${recordOffset}) is beyond the supported 2^53 - 1`, recordOffset);
  }
  return Number(value);
}

const utf8Decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Code page 437 for bytes 0x80..0xFF (the IBM PC character set that APPNOTE Appendix D names as the
 * default encoding); bytes below 0x80 are ASCII, as in Python's cp437 codec.
 */
const CP437_HIGH =
  'ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿⌐¬½¼¡«»░▒▓│┤╡╢╖╕╣║╗╝╜╛┐└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀' +
  'αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u00a0';

/** Decodes a name or comment: UTF-8 if flag bit 11 says so (it must then be valid), else UTF-8 if valid, else CP437. */
export function decodeZipText(bytes: Uint8Array, utf8Flag: boolean): string {
  return decodeText(bytes, utf8Flag, 'text', 0);
}

function decodeText(bytes: Uint8Array, utf8Flag: boolean, what: string, offset: number): string {
  try {
    return utf8Decoder.decode(bytes);
  } catch {
    if (utf8Flag) {
      throw new ZipFormatError(`${what} at offset ${offset} is not valid UTF-8, although flag bit 11 (UTF-8) is set`, offset);
    }
  }
  let out = '';
  for (const b of bytes) out += b < 0x80 ? String.fromCharCode(b) : CP437_HIGH[b - 0x80]!;
  return out;
}

function describe(entry: { name: string; index: number; centralHeaderOffset: number }): string {
  return `entry ${JSON.stringify(entry.name)} (central directory header ${entry.index} at offset ${entry.centralHeaderOffset})`;
}

function hex32(n: number): string {
  return `0x${n.toString(16).padStart(8, '0')}`;
}

function hex16(n: number): string {
  return `0x${n.toString(16).padStart(4, '0')}`;
}

function hexBytes(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(' ');
}

// ---------------------------------------------------------------------------------------------------
// Writer
// ---------------------------------------------------------------------------------------------------

/** Receives the archive's bytes in order. */
export type ZipSink = (chunk: Uint8Array) => Promise<void>;

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

interface CentralRecord {
  nameBytes: Uint8Array;
  versionMadeBy: number;
  versionNeeded: number;
  flags: number;
  method: number;
  dosTime: number;
  dosDate: number;
  crc32: number;
  compressedSize: number;
  uncompressedSize: number;
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
 * further use (the output is then incomplete).
 */
export class ZipWriter {
  private readonly write: ZipSink;
  private readonly records: CentralRecord[] = [];
  /** Names written so far (as latin1 strings of their bytes), since the reader refuses duplicates. */
  private readonly names = new Set<string>();
  private position = 0;
  private busy = false;
  private failed: unknown = undefined;
  private finished = false;

  /**
   * `target`: a FileHandle, written sequentially from its current position (offsets in the archive
   * count from the first byte written here), or a sink function.
   */
  constructor(target: FileHandle | ZipSink) {
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
      const key = Buffer.from(record.nameBytes.buffer, record.nameBytes.byteOffset, record.nameBytes.byteLength).toString('latin1');
      if (this.names.has(key)) throw new Error(`duplicate name ${JSON.stringify(decodeZipText(record.nameBytes, false))}`);
      this.names.add(key);
      const header = localHeaderBytes(record);
      await this.emit(header);
      await this.writeData(entry, record);
      this.records.push(record);
    });
  }

  async finish(): Promise<ZipWriterSummary> {
    return this.guard(async () => {
      const cdOffset = this.position;
      let pending: Buffer[] = [];
      let pendingLength = 0;
      for (const record of this.records) {
        const header = centralHeaderBytes(record);
        pending.push(header);
        pendingLength += header.length;
        if (pendingLength >= CHUNK) {
          await this.emit(Buffer.concat(pending));
          pending = [];
          pendingLength = 0;
        }
      }
      if (pending.length > 0) await this.emit(Buffer.concat(pending));
      const cdSize = this.position - cdOffset;
      const count = this.records.length;
      const zip64 = count >= U16_ZIP64 || cdSize >= U32_ZIP64 || cdOffset >= U32_ZIP64;
      if (zip64) {
        const z64At = this.position;
        const z = Buffer.alloc(ZIP64_EOCD.size);
        z.writeUInt32LE(SIG_ZIP64_EOCD, ZIP64_EOCD.signature);
        z.writeBigUInt64LE(BigInt(ZIP64_EOCD.size - 12), ZIP64_EOCD.recordSize);
        z.writeUInt16LE(VERSION_ZIP64, ZIP64_EOCD.versionMadeBy);
        z.writeUInt16LE(VERSION_ZIP64, ZIP64_EOCD.versionNeeded);
        z.writeUInt32LE(0, ZIP64_EOCD.diskNumber);
        z.writeUInt32LE(0, ZIP64_EOCD.centralDirectoryDisk);
        z.writeBigUInt64LE(BigInt(count), ZIP64_EOCD.entriesOnDisk);
        z.writeBigUInt64LE(BigInt(count), ZIP64_EOCD.entriesTotal);
        z.writeBigUInt64LE(BigInt(cdSize), ZIP64_EOCD.centralDirectorySize);
        z.writeBigUInt64LE(BigInt(cdOffset), ZIP64_EOCD.centralDirectoryOffset);
        const l = Buffer.alloc(ZIP64_LOCATOR.size);
        l.writeUInt32LE(SIG_ZIP64_LOCATOR, ZIP64_LOCATOR.signature);
        l.writeUInt32LE(0, ZIP64_LOCATOR.zip64EocdDisk);
        l.writeBigUInt64LE(BigInt(z64At), ZIP64_LOCATOR.zip64EocdOffset);
        l.writeUInt32LE(1, ZIP64_LOCATOR.totalDisks);
        await this.emit(Buffer.concat([z, l]));
      }
      const e = Buffer.alloc(EOCD.size);
      e.writeUInt32LE(SIG_EOCD, EOCD.signature);
      e.writeUInt16LE(0, EOCD.diskNumber);
      e.writeUInt16LE(0, EOCD.centralDirectoryDisk);
      e.writeUInt16LE(Math.min(count, U16_ZIP64), EOCD.entriesOnDisk);
      e.writeUInt16LE(Math.min(count, U16_ZIP64), EOCD.entriesTotal);
      e.writeUInt32LE(Math.min(cdSize, U32_ZIP64), EOCD.centralDirectorySize);
      e.writeUInt32LE(Math.min(cdOffset, U32_ZIP64), EOCD.centralDirectoryOffset);
      e.writeUInt16LE(0, EOCD.commentLength);
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

/** The fields local (4.3.7) and central (4.3.12) headers share, at each header's own offsets. */
function writeSharedFields(h: Buffer, at: typeof LOCAL | typeof CENTRAL, r: CentralRecord, extraLength: number): void {
  h.writeUInt16LE(r.versionNeeded, at.versionNeeded);
  h.writeUInt16LE(r.flags, at.flags);
  h.writeUInt16LE(r.method, at.method);
  h.writeUInt16LE(r.dosTime, at.dosTime);
  h.writeUInt16LE(r.dosDate, at.dosDate);
  h.writeUInt32LE(r.crc32, at.crc32);
  h.writeUInt32LE(r.zip64Sizes ? U32_ZIP64 : r.compressedSize, at.compressedSize);
  h.writeUInt32LE(r.zip64Sizes ? U32_ZIP64 : r.uncompressedSize, at.uncompressedSize);
  h.writeUInt16LE(r.nameBytes.length, at.nameLength);
  h.writeUInt16LE(extraLength, at.extraLength);
}

/** APPNOTE 4.3.7. With zip64 sizes, both size fields hold 0xFFFFFFFF and the 0x0001 field has both (4.5.3). */
function localHeaderBytes(r: CentralRecord): Buffer {
  const extra = r.zip64Sizes ? zip64Extra([r.uncompressedSize, r.compressedSize]) : Buffer.alloc(0);
  const h = Buffer.alloc(LOCAL.size + r.nameBytes.length + extra.length);
  h.writeUInt32LE(SIG_LOCAL, LOCAL.signature);
  writeSharedFields(h, LOCAL, r, extra.length);
  h.set(r.nameBytes, LOCAL.size);
  extra.copy(h, LOCAL.size + r.nameBytes.length);
  return h;
}

/** APPNOTE 4.3.12. The same fields as the local header; the 0x0001 field holds only what overflows. */
function centralHeaderBytes(r: CentralRecord): Buffer {
  const zip64Offset = r.localHeaderOffset >= U32_ZIP64;
  const values: number[] = [];
  if (r.zip64Sizes) values.push(r.uncompressedSize, r.compressedSize);
  if (zip64Offset) values.push(r.localHeaderOffset);
  const extra = values.length > 0 ? zip64Extra(values) : Buffer.alloc(0);
  const h = Buffer.alloc(CENTRAL.size + r.nameBytes.length + extra.length);
  h.writeUInt32LE(SIG_CENTRAL, CENTRAL.signature);
  h.writeUInt16LE(r.versionMadeBy, CENTRAL.versionMadeBy);
  writeSharedFields(h, CENTRAL, r, extra.length);
  h.writeUInt16LE(0, CENTRAL.commentLength);
  h.writeUInt16LE(0, CENTRAL.diskNumberStart);
  h.writeUInt16LE(r.internalAttr, CENTRAL.internalAttr);
  h.writeUInt32LE(r.externalAttr, CENTRAL.externalAttr);
  h.writeUInt32LE(zip64Offset ? U32_ZIP64 : r.localHeaderOffset, CENTRAL.localHeaderOffset);
  h.set(r.nameBytes, CENTRAL.size);
  extra.copy(h, CENTRAL.size + r.nameBytes.length);
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

function checkUint(value: number, max: number, what: string): void {
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new RangeError(`${what} must be an integer from 0 to ${max}, got ${value}`);
  }
}

// ---------------------------------------------------------------------------------------------------
// MS-DOS date and time (APPNOTE 4.4.6): local time by convention; here always read as UTC.
//   time: bits 15-11 hour, 10-5 minute, 4-0 second / 2
//   date: bits 15-9 year - 1980, 8-5 month (1-12), 4-0 day (1-31)
// ---------------------------------------------------------------------------------------------------

/** 1980-01-01T00:00:00Z, the earliest MS-DOS date. */
export const DOS_EPOCH_MIN_SECONDS = Date.UTC(1980, 0, 1) / 1000;
/** 2107-12-31T23:59:59Z: the 7-bit year runs out after 1980 + 127. */
export const DOS_EPOCH_MAX_SECONDS = Date.UTC(2107, 11, 31, 23, 59, 59) / 1000;

/** MS-DOS date and time of a Unix time, in UTC, rounded down to an even second. */
export function toDosDateTime(unixSeconds: number): { dosDate: number; dosTime: number } {
  if (!Number.isFinite(unixSeconds)) throw new RangeError(`not a time: ${unixSeconds}`);
  const s = Math.floor(unixSeconds);
  if (s < DOS_EPOCH_MIN_SECONDS || s > DOS_EPOCH_MAX_SECONDS) {
    throw new RangeError(`${unixSeconds} (${new Date(s * 1000).toISOString()}) is outside the MS-DOS date range 1980-01-01 to 2107-12-31 (UTC)`);
  }
  const d = new Date(s * 1000);
  const dosDate = ((d.getUTCFullYear() - 1980) << 9) | ((d.getUTCMonth() + 1) << 5) | d.getUTCDate();
  const dosTime = (d.getUTCHours() << 11) | (d.getUTCMinutes() << 5) | (d.getUTCSeconds() >> 1);
  return { dosDate, dosTime };
}

/** Unix time (seconds, UTC) of an MS-DOS date and time. Throws a RangeError for impossible fields. */
export function fromDosDateTime(value: { dosDate: number; dosTime: number }): number {
  checkUint(value.dosDate, 0xffff, 'dosDate');
  checkUint(value.dosTime, 0xffff, 'dosTime');
  const year = 1980 + (value.dosDate >>> 9);
  const month = (value.dosDate >>> 5) & 0x0f;
  const day = value.dosDate & 0x1f;
  const hour = value.dosTime >>> 11;
  const minute = (value.dosTime >>> 5) & 0x3f;
  const second = (value.dosTime & 0x1f) * 2;
  const daysInMonth = month >= 1 && month <= 12 ? new Date(Date.UTC(year, month, 0)).getUTCDate() : 0;
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth || hour > 23 || minute > 59 || second > 59) {
    throw new RangeError(
      `invalid MS-DOS date/time ${hex16(value.dosDate)}/${hex16(value.dosTime)}: ${year}-${month}-${day} ${hour}:${minute}:${second}`,
    );
  }
  return Date.UTC(year, month - 1, day, hour, minute, second) / 1000;
}
