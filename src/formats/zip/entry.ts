// A zip member as the central directory describes it, and what its local header says.
import { quotedName } from '../errors.js';

/** One record of an extra field (APPNOTE 4.5.1): header ID, then its data. */
export interface ZipExtraField {
  readonly id: number;
  readonly data: Uint8Array;
}

/** An entry's extra field records, as its local and its central header store them (ZipReader.extraFields). */
export interface EntryExtraFields {
  readonly local: readonly ZipExtraField[];
  readonly central: readonly ZipExtraField[];
}

/** One member, as its central directory header (APPNOTE 4.3.12) describes it. */
export interface ZipEntry {
  /** Position in the central directory, from 0. */
  readonly index: number;
  /**
   * The length of the name as stored (4.4.10, 4.4.17). Its bytes follow the central header's fixed
   * part; they are not kept, as a view per member would hold the whole directory's reads.
   */
  readonly nameLength: number;
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
  /**
   * The central header's extra field records' IDs, in order (4.4.28). Their data is not kept (a few
   * dozen bytes an entry, 20 MB at the most entries a valid wheel has): ZipReader.extraFields reads
   * it again from the file.
   */
  readonly extraFieldIds: readonly number[];
  /** Whether the central header carried a zip64 extended information field (0x0001). */
  readonly zip64: boolean;
  /** The file comment as stored (4.4.18). */
  readonly commentBytes: Uint8Array;
  /** The file comment decoded like the name. */
  readonly comment: string;
  /** Offset of this entry's central directory header. */
  readonly centralHeaderOffset: number;
  /** The local header's extra field records' IDs, in order (they may differ from the central ones). */
  readonly localExtraFieldIds: readonly number[];
  /**
   * The modification time of Info-ZIP's extended timestamp record (0x5455), seconds since 1970 UTC:
   * the local header's, which unzip sets a file's time from, else the central header's; undefined
   * when neither has one.
   */
  readonly extendedMtime: number | undefined;
  /** Offset of the first byte of the member's (compressed) data. */
  readonly dataOffset: number;
  /** Length of the data descriptor after the data (0, 12, 16, 20 or 24). */
  readonly dataDescriptorLength: number;
}

/** The fields a local header (APPNOTE 4.3.7) and a central header (4.3.12) both hold, in their order. */
export interface SharedHeaderFields {
  versionNeeded: number;
  flags: number;
  method: number;
  dosTime: number;
  dosDate: number;
  crc32: number;
  compressedSize: number;
  uncompressedSize: number;
}

/** What a local header (APPNOTE 4.3.7) says, zip64 extra applied. */
export interface LocalHeader extends SharedHeaderFields {
  offset: number;
  nameBytes: Buffer;
  /** The extra field's records. */
  extraFields: readonly ZipExtraField[];
  dataOffset: number;
}

export function describe(entry: { name: string; index: number; centralHeaderOffset: number }): string {
  return `entry ${quotedName(entry.name)} (central directory header ${entry.index} at offset ${entry.centralHeaderOffset})`;
}
