// Zip archives assembled record by record for the tests, apart from src/formats/zip/writer.ts, so
// that a crafted case can set any field to anything. The offsets are written out here from APPNOTE
// 6.3.x (4.3.7 local header, 4.3.12 central header, 4.3.14-16 end records) on purpose: a wrong offset
// in src/formats/zip/records.ts then shows as a disagreement instead of being shared.
import { crc32, deflateRawSync } from 'node:zlib';

/** The fields a local header (4.3.7) repeats from its central header (4.3.12). */
export interface SharedFields {
  versionNeeded: number;
  flags: number;
  method: number;
  dosTime: number;
  dosDate: number;
  crc32: number;
  compressedSize: number;
  uncompressedSize: number;
  nameBytes: Buffer;
}

export interface CentralFields extends SharedFields {
  versionMadeBy: number;
  diskNumberStart: number;
  internalAttr: number;
  externalAttr: number;
  localHeaderOffset: number;
}

export interface RawMember {
  name: string;
  content: Buffer;
  /** The bytes stored as its data, instead of the content (deflated when method is 8). */
  data?: Buffer;
  /** 0, stored (the default), or 8: the content is deflated here. */
  method?: number;
  /** Unix st_mode in the external attributes' high 16 bits (default 0o100644). */
  mode?: number;
  /** A data descriptor of this length after the data (4.3.9): sets flag bit 3, zeroes the local CRC-32 and sizes. */
  descriptor?: 12 | 16 | 20 | 24;
  localExtra?: Buffer;
  centralExtra?: Buffer;
  comment?: Buffer;
  /** Values the local header says instead of the central header's. */
  local?: Partial<SharedFields>;
  /** Values the central header says instead of the computed ones (the local header keeps those). */
  central?: Partial<CentralFields>;
  /** Bytes right before this member's local header. */
  before?: Buffer;
}

export interface RawArchive {
  members: RawMember[];
  /** Bytes between the last member and the central directory. */
  beforeDirectory?: Buffer;
  /** The archive comment (4.4.26). */
  comment?: Buffer;
  /**
   * zip64 end records (4.3.14, 4.3.15) before the end record, which then holds 0xFFFF and 0xFFFFFFFF;
   * `extensible` is the zip64 extensible data sector (4.3.14.2), given where it starts.
   */
  zip64?: { extensible?: (start: number) => Buffer };
}

/** Where the records of an assembled archive start. */
export interface Assembled {
  bytes: Buffer;
  local: number[];
  data: number[];
  central: number[];
  directory: number;
  zip64End?: number;
  end: number;
}

/** 2020-02-02 00:00:00 in MS-DOS date and time (4.4.6). */
export const DOS_DATE = ((2020 - 1980) << 9) | (2 << 5) | 2;
export const DOS_TIME = 0;

function u16(value: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(value);
  return b;
}

function u32(value: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(value >>> 0);
  return b;
}

function u64(value: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(BigInt(value));
  return b;
}

/** One extra field record (4.5.1): header ID, data size, data. */
export function extraRecord(id: number, data: Buffer): Buffer {
  return Buffer.concat([u16(id), u16(data.length), data]);
}

/** A zip64 extended information extra field (4.5.3) holding these u64 values, in order. */
export function zip64Extra(...values: number[]): Buffer {
  return extraRecord(0x0001, Buffer.concat(values.map(u64)));
}

function localHeader(f: SharedFields, extra: Buffer): Buffer {
  return Buffer.concat([
    u32(0x04034b50), u16(f.versionNeeded), u16(f.flags), u16(f.method), u16(f.dosTime), u16(f.dosDate),
    u32(f.crc32), u32(f.compressedSize), u32(f.uncompressedSize), u16(f.nameBytes.length), u16(extra.length), f.nameBytes, extra,
  ]);
}

function centralHeader(f: CentralFields, extra: Buffer, comment: Buffer): Buffer {
  return Buffer.concat([
    u32(0x02014b50), u16(f.versionMadeBy), u16(f.versionNeeded), u16(f.flags), u16(f.method), u16(f.dosTime), u16(f.dosDate),
    u32(f.crc32), u32(f.compressedSize), u32(f.uncompressedSize), u16(f.nameBytes.length), u16(extra.length), u16(comment.length),
    u16(f.diskNumberStart), u16(f.internalAttr), u32(f.externalAttr), u32(f.localHeaderOffset), f.nameBytes, extra, comment,
  ]);
}

function descriptor(length: 12 | 16 | 20 | 24, f: SharedFields): Buffer {
  const wide = length >= 20;
  const body = Buffer.concat([u32(f.crc32), ...(wide ? [u64(f.compressedSize), u64(f.uncompressedSize)] : [u32(f.compressedSize), u32(f.uncompressedSize)])]);
  return length === 16 || length === 24 ? Buffer.concat([u32(0x08074b50), body]) : body;
}

/** Members laid out from `start`: their local headers, data and descriptors, then their central directory. */
export function layoutMembers(members: RawMember[], start: number): { records: Buffer; directory: Buffer; local: number[]; data: number[]; central: number[] } {
  const records: Buffer[] = [];
  let at = start;
  const push = (b: Buffer) => {
    records.push(b);
    at += b.length;
  };
  const local: number[] = [];
  const data: number[] = [];
  const headers: Buffer[] = [];
  for (const m of members) {
    const method = m.method ?? 0;
    const stored = m.data ?? (method === 8 ? deflateRawSync(m.content) : m.content);
    const shared: SharedFields = {
      versionNeeded: 20, flags: m.descriptor ? 0x0008 : 0, method, dosTime: DOS_TIME, dosDate: DOS_DATE,
      crc32: crc32(m.content), compressedSize: stored.length, uncompressedSize: m.content.length, nameBytes: Buffer.from(m.name, 'utf8'),
    };
    if (m.before) push(m.before);
    local.push(at);
    const zeroed = m.descriptor ? { crc32: 0, compressedSize: 0, uncompressedSize: 0 } : {};
    push(localHeader({ ...shared, ...zeroed, ...m.local }, m.localExtra ?? Buffer.alloc(0)));
    data.push(at);
    push(stored);
    if (m.descriptor) push(descriptor(m.descriptor, shared));
    const fields: CentralFields = {
      ...shared, versionMadeBy: 0x0314, diskNumberStart: 0, internalAttr: 0, externalAttr: (m.mode ?? 0o100644) * 0x10000,
      localHeaderOffset: local[local.length - 1]!, ...m.central,
    };
    headers.push(centralHeader(fields, m.centralExtra ?? Buffer.alloc(0), m.comment ?? Buffer.alloc(0)));
  }
  const central: number[] = [];
  let next = at;
  for (const h of headers) {
    central.push(next);
    next += h.length;
  }
  return { records: Buffer.concat(records), directory: Buffer.concat(headers), local, data, central };
}

/** A zip64 end of central directory record (4.3.14) for `count` entries, with extensible data after it. */
export function zip64EndRecord(count: number, directorySize: number, directoryOffset: number, extensible: Buffer = Buffer.alloc(0)): Buffer {
  return Buffer.concat([
    u32(0x06064b50), u64(44 + extensible.length), u16(0x032d), u16(45), u32(0), u32(0), u64(count), u64(count), u64(directorySize),
    u64(directoryOffset), extensible,
  ]);
}

/** Lays the records out in order and returns the bytes with where each record starts. */
export function assembleZip(archive: RawArchive): Assembled {
  const laid = layoutMembers(archive.members, 0);
  const beforeDirectory = archive.beforeDirectory ?? Buffer.alloc(0);
  const directory = laid.records.length + beforeDirectory.length;
  const central = laid.central.map((offset) => offset + beforeDirectory.length);
  const parts = [laid.records, beforeDirectory, laid.directory];
  const size = laid.directory.length;
  const count = archive.members.length;
  let zip64End: number | undefined;
  if (archive.zip64) {
    zip64End = directory + size;
    const record = zip64EndRecord(count, size, directory, archive.zip64.extensible?.(zip64End + 56));
    parts.push(record, Buffer.concat([u32(0x07064b50), u32(0), u64(zip64End), u32(1)]));
  }
  const end = parts.reduce((sum, b) => sum + b.length, 0);
  const comment = archive.comment ?? Buffer.alloc(0);
  const saturated = archive.zip64 !== undefined;
  parts.push(Buffer.concat([
    u32(0x06054b50), u16(0), u16(0), u16(saturated ? 0xffff : count), u16(saturated ? 0xffff : count),
    u32(saturated ? 0xffffffff : size), u32(saturated ? 0xffffffff : directory), u16(comment.length), comment,
  ]));
  return { bytes: Buffer.concat(parts), local: laid.local, data: laid.data, central, directory, zip64End, end };
}
