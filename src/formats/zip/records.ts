// Zip record layouts and field values (PKWARE APPNOTE.TXT 6.3.x), shared by the reader and the writer.
// Each field is named once here, next to the APPNOTE section that defines it. All integers are
// little-endian (APPNOTE 4.4.1.1). Numbers are JavaScript numbers; zip64 values above
// Number.MAX_SAFE_INTEGER (8 PiB) are refused.
import { FormatError } from '../errors.js';
// ---------------------------------------------------------------------------------------------------
// Record layouts. Each field is named once, with the APPNOTE section that defines it; the reader and
// the writer both use these offsets. All integers are little-endian (APPNOTE 4.4.1.1).
// ---------------------------------------------------------------------------------------------------

/** APPNOTE 4.3.7: local file header. 30 bytes, then the name and the extra field. */
export const LOCAL = {
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
export const CENTRAL = {
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
export const DESCRIPTOR = {
  /** 4.3.9.3: the optional signature 0x08074b50 ("PK\7\8"). */
  signature: 0x08074b50,
  /** crc-32 (u32), then compressed and uncompressed size: u32 each, or u64 each in zip64 (4.3.9.2). */
  sizesWithSignature32: 16,
  sizesWithoutSignature32: 12,
  sizesWithSignature64: 24,
  sizesWithoutSignature64: 20,
} as const;

/** APPNOTE 4.3.16: end of central directory record. 22 bytes, then the archive comment. */
export const EOCD = {
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
export const ZIP64_EOCD = {
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
export const ZIP64_LOCATOR = {
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

export const SIG_LOCAL = 0x04034b50;
export const SIG_CENTRAL = 0x02014b50;
export const SIG_EOCD = 0x06054b50;
export const SIG_ZIP64_EOCD = 0x06064b50;
export const SIG_ZIP64_LOCATOR = 0x07064b50;

/** Largest archive comment (4.4.25 is a u16), hence the distance the end record can hide from EOF. */
export const MAX_COMMENT = 0xffff;
/** How far back from the end of the file the end record can start: 22 + 65535 = 65557 bytes. */
export const EOCD_SEARCH_LIMIT = EOCD.size + MAX_COMMENT;

/** A u16 field holding this value defers to a zip64 record (APPNOTE 4.4.1.4). */
export const U16_ZIP64 = 0xffff;
/** A u32 field holding this value defers to a zip64 record (APPNOTE 4.4.1.4). */
export const U32_ZIP64 = 0xffffffff;

// --- General purpose bit flag (APPNOTE 4.4.4) -------------------------------------------------------

/** 4.4.4 bit 0: the file is encrypted. */
export const FLAG_ENCRYPTED = 0x0001;
/** 4.4.4 bits 1 and 2: the compression option (for deflate: normal, maximum, fast, super fast). */
export const FLAG_COMPRESSION_OPTION = 0x0006;
/** 4.4.4 bit 3: crc-32 and sizes are zero in the local header and follow the data in a data descriptor. */
export const FLAG_DATA_DESCRIPTOR = 0x0008;
/** 4.4.4 bit 5: compressed patched data; zipfile raises NotImplementedError on it. */
export const FLAG_PATCHED_DATA = 0x0020;
/** 4.4.4 bit 6: strong encryption. */
export const FLAG_STRONG_ENCRYPTION = 0x0040;
/** 4.4.4 bit 11: language encoding flag (EFS): name and comment are UTF-8. */
export const FLAG_UTF8 = 0x0800;
/** 4.4.4 bit 13: the central directory is encrypted and local header values are masked. */
export const FLAG_MASKED_HEADERS = 0x2000;
/** The flag bits the reader accepts; every other one is refused (4.4.4 leaves them unused, reserved or unread by zipfile). */
export const FLAGS_READ = FLAG_COMPRESSION_OPTION | FLAG_DATA_DESCRIPTOR | FLAG_UTF8;

// --- Internal file attributes (APPNOTE 4.4.14) -----------------------------------------------------

/** 4.4.14 bit 0: the file is apparently text; the other bits are reserved (1: mainframe record lengths). */
export const INTERNAL_ATTR_TEXT = 0x0001;

// --- Compression method (APPNOTE 4.4.5) -------------------------------------------------------------

/** 4.4.5: 0, the file is stored (no compression). */
export const METHOD_STORED = 0;
/** 4.4.5: 8, the file is Deflated (RFC 1951 raw deflate). */
export const METHOD_DEFLATE = 8;
/** 4.4.5 / APPNOTE 7.2: 99, AE-x (AES) encryption marker. */
export const METHOD_AES = 99;

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
/** 4.6.9 (Info-ZIP): Unicode Path, a UTF-8 name that unzip and zipfile 3.12+ prefer to the header's. */
export const EXTRA_UNICODE_PATH = 0x7075;

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


export function readU64(buf: Buffer, at: number, recordOffset: number, what: string): number {
  const value = buf.readBigUInt64LE(at);
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new ZipFormatError(`${what} ${value} (record at offset ${recordOffset}) is beyond the supported 2^53 - 1`, recordOffset);
  }
  return Number(value);
}

export function hex32(n: number): string {
  return `0x${n.toString(16).padStart(8, '0')}`;
}

export function hex16(n: number): string {
  return `0x${n.toString(16).padStart(4, '0')}`;
}

export function hexBytes(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(' ');
}

export function checkUint(value: number, max: number, what: string): void {
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new RangeError(`${what} must be an integer from 0 to ${max}, got ${value}`);
  }
}
