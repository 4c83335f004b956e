// The structure of an archive as the strict reader accepts it (APPNOTE 4.3.6):
//
//   [local file header 1][file data 1][data descriptor 1 (optional)]
//   ...
//   [central directory header 1] ... [central directory header n]
//   [zip64 end of central directory record][zip64 end of central directory locator]   (only if needed)
//   [end of central directory record]
//
// Nothing else: no bytes before the first local header, between members, between the last member
// and the central directory, or after the end record, and every member is listed exactly once.
//
// Every byte is accounted for: read as Python's zipfile (3.8 to 3.13, which pip and installer use)
// reads it, refused where those versions or other readers could read it otherwise, or required to
// be what writers put there (a local header repeats its central header, a data descriptor its
// values). Fixed header fields zipfile ignores (version made by, internal attributes' text bit) are
// read as zipfile reads them: they name no member and move no data. An extra field's records must
// tile it; zipfile skips records other than zip64 and Unicode Path, and so does this reader. Given a
// ByteCoverage, the reader marks each range once it has passed these checks.
import type { ByteCoverage } from '../coverage.js';
import { quotedName } from '../errors.js';
import { findEndRecord, readDirectoryLocation } from './end-records.js';
import type { DirectoryLocation } from './end-records.js';
import { describe } from './entry.js';
import type { EntryExtraFields, LocalHeader, ZipEntry, ZipExtraField } from './entry.js';
import { EntryTable, NO_BYTES } from './entry-table.js';
import { NO_FIELDS, NO_IDS, extendedMtime, fieldIds, parseExtraFields } from './extra-fields.js';
import { PositionedFile, ReadAhead } from './io.js';
import { CENTRAL, DESCRIPTOR, EXTRA_ZIP64, FLAGS_READ, FLAG_DATA_DESCRIPTOR, FLAG_ENCRYPTED, FLAG_MASKED_HEADERS, FLAG_PATCHED_DATA, FLAG_STRONG_ENCRYPTION, FLAG_UTF8, INTERNAL_ATTR_TEXT, LOCAL, METHOD_AES, METHOD_DEFLATE, METHOD_STORED, SIG_CENTRAL, SIG_LOCAL, U16_ZIP64, U32_ZIP64, ZipFormatError, hex16, hex32, hexBytes, readU64 } from './records.js';
import { decodeText } from './text.js';

/** The highest "version needed to extract" (APPNOTE 4.4.3) zipfile reads: 6.3, the APPNOTE it follows. */
const MAX_VERSION_NEEDED = 63;
export interface ParsedArchive {
  entries: EntryTable;
  comment: Uint8Array;
  centralDirectoryOffset: number;
  centralDirectorySize: number;
  zip64: boolean;
}

/** `admit` is told of each entry as its central header is read, and may refuse it (ZipReaderOptions). */
export async function parseArchive(file: PositionedFile, { coverage, admit }: { coverage?: ByteCoverage; admit?: (entry: ZipEntry) => void }): Promise<ParsedArchive> {
  if (file.size === 0) throw new ZipFormatError('empty file (0 bytes) is not a zip archive', 0);
  const eocd = await findEndRecord(file);
  const dir = await readDirectoryLocation(file, eocd, coverage);
  const entries = await readCentralDirectory(file, dir, coverage, admit);
  checkDuplicateNames(entries);
  await checkMembers(file, entries, dir.offset, coverage);
  return {
    entries,
    comment: eocd.comment,
    centralDirectoryOffset: dir.offset,
    centralDirectorySize: dir.size,
    zip64: dir.zip64,
  };
}

/** Parses every central directory header (APPNOTE 4.3.12) into a table of entries. */
async function readCentralDirectory(file: PositionedFile, dir: DirectoryLocation, coverage: ByteCoverage | undefined, admit: ((entry: ZipEntry) => void) | undefined): Promise<EntryTable> {
  const cursor = new ReadAhead(file, dir.offset + dir.size, 'the central directory ends');
  // Each header takes at least CENTRAL.size bytes: no more rows than that than the directory's size
  // allows, whatever the end record declares; what the headers do not take is names, extra fields
  // and comments.
  const rows = Math.min(dir.count, Math.floor(dir.size / CENTRAL.size));
  const entries = new EntryTable(rows, dir.size - rows * CENTRAL.size);
  let index = 0;
  let at = dir.offset;
  for (; at < cursor.end; index++) {
    if (index >= dir.count) {
      throw new ZipFormatError(
        `central directory entry count mismatch: the end record declares ${dir.count} entries, but the central directory ` +
          `(offset ${dir.offset}, size ${dir.size}) has more bytes after entry ${index - 1}, at offset ${at}`,
        at,
      );
    }
    const h = await cursor.bytes(at, CENTRAL.size, () => `central directory header ${index}`);
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
    const variable = await cursor.bytes(at + CENTRAL.size, nameLength + extraLength + commentLength, () => `central directory header ${index}'s name, extra field and comment`);
    // Views into the directory's read-ahead window, read before the next header is.
    const nameBytes = variable.subarray(0, nameLength);
    const extra = variable.subarray(nameLength, nameLength + extraLength);
    const commentBytes = commentLength === 0 ? NO_BYTES : variable.subarray(nameLength + extraLength);
    // Said only in a refusal: not made for every entry read.
    const where = () => `central directory header ${index} at offset ${at}`;
    const utf8 = (fields.flags & FLAG_UTF8) !== 0;
    const name = decodeText(nameBytes, utf8, () => `${where()}: name`, at + CENTRAL.size);
    const label = () => `entry ${quotedName(name)} (${where()})`;
    if (fields.versionNeeded > MAX_VERSION_NEEDED) {
      // Python's zipfile (so pip and installer) will not open such an archive at all.
      throw new ZipFormatError(`${label()}: version needed to extract ${fields.versionNeeded / 10} is above ${MAX_VERSION_NEEDED / 10} (APPNOTE 6.3)`, at);
    }
    const extraFields = parseExtraFields(extra, at + CENTRAL.size + nameLength, label);
    const zip64Field = extraFields.find((f) => f.id === EXTRA_ZIP64);
    const resolved = applyZip64(
      fields,
      ['uncompressedSize', 'compressedSize', 'localHeaderOffset', 'diskNumberStart'],
      zip64Field,
      label,
      at + CENTRAL.size + nameLength,
    );
    // Every field named in one literal: V8 then keeps them all in the object, where a spread leaves
    // most in a property array of their own (a hundred bytes more per member).
    const entry: ZipEntry = {
      index,
      nameLength,
      name,
      versionMadeBy: resolved.versionMadeBy,
      versionNeeded: resolved.versionNeeded,
      flags: resolved.flags,
      method: resolved.method,
      dosTime: resolved.dosTime,
      dosDate: resolved.dosDate,
      crc32: resolved.crc32,
      compressedSize: resolved.compressedSize,
      uncompressedSize: resolved.uncompressedSize,
      diskNumberStart: resolved.diskNumberStart,
      internalAttr: resolved.internalAttr,
      externalAttr: resolved.externalAttr,
      localHeaderOffset: resolved.localHeaderOffset,
      extraFieldIds: fieldIds(extraFields),
      zip64: zip64Field !== undefined,
      commentBytes,
      comment: decodeText(commentBytes, utf8, () => `${where()}: comment`, at + CENTRAL.size + nameLength + extraLength),
      centralHeaderOffset: at,
      localExtraFieldIds: NO_IDS,
      extendedMtime: extendedMtime(extraFields),
      dataOffset: 0,
      dataDescriptorLength: 0,
    };
    checkSupported(entry, label, at);
    admit?.(entry);
    const end = at + CENTRAL.size + nameLength + extraLength + commentLength;
    coverage?.mark(at, end, `central directory header ${index} (${quotedName(name)})`);
    entries.addCentral(entry, nameBytes);
    at = end;
  }
  if (index !== dir.count) {
    throw new ZipFormatError(
      `central directory entry count mismatch: the end record declares ${dir.count} entries, but the central directory ` +
        `(offset ${dir.offset}, size ${dir.size}) holds ${index}`,
      dir.offset,
    );
  }
  return entries;
}

/** Refuses what this module does not read: encryption, other methods, other disks, odd stored sizes. */
function checkSupported(entry: ZipEntry, label: () => string, at: number): void {
  const bits: string[] = [];
  if (entry.flags & FLAG_ENCRYPTED) bits.push('flag bit 0, encrypted');
  if (entry.flags & FLAG_STRONG_ENCRYPTION) bits.push('flag bit 6, strong encryption');
  if (entry.flags & FLAG_MASKED_HEADERS) bits.push('flag bit 13, encrypted central directory');
  if (entry.method === METHOD_AES) bits.push('method 99, AES encryption');
  if (bits.length > 0) {
    throw new ZipFormatError(`${label()} is encrypted (${bits.join('; ')}); encrypted members are not supported`, at + CENTRAL.flags);
  }
  if (entry.flags & FLAG_PATCHED_DATA) {
    throw new ZipFormatError(`${label()} has flag bit 5 set (compressed patched data), which zipfile (so pip) cannot read`, at + CENTRAL.flags);
  }
  const unread = entry.flags & ~FLAGS_READ;
  if (unread !== 0) {
    throw new ZipFormatError(
      `${label()} has general purpose flag bits ${hex16(unread)} set, which APPNOTE 4.4.4 leaves unused or reserved (flags ${hex16(entry.flags)} at offset ${at + CENTRAL.flags})`,
      at + CENTRAL.flags,
    );
  }
  if (entry.internalAttr & ~INTERNAL_ATTR_TEXT) {
    throw new ZipFormatError(
      `${label()} has internal attributes ${hex16(entry.internalAttr)}: only bit 0 (text) is used by writers, the others are reserved (APPNOTE 4.4.14), at offset ${at + CENTRAL.internalAttr}`,
      at + CENTRAL.internalAttr,
    );
  }
  if (entry.method !== METHOD_STORED && entry.method !== METHOD_DEFLATE) {
    throw new ZipFormatError(
      `${label()} uses compression method ${entry.method}; only 0 (stored) and 8 (deflate) are supported`,
      at + CENTRAL.method,
    );
  }
  if (entry.diskNumberStart !== 0) {
    throw new ZipFormatError(
      `${label()} starts on disk ${entry.diskNumberStart}, not 0 (multi-disk archives are not supported)`,
      at + CENTRAL.diskNumberStart,
    );
  }
  if (entry.method === METHOD_STORED && entry.compressedSize !== entry.uncompressedSize) {
    throw new ZipFormatError(
      `${label()} is stored but its compressed size ${entry.compressedSize} differs from its uncompressed size ${entry.uncompressedSize}`,
      at + CENTRAL.compressedSize,
    );
  }
  // The CRC-32 of no data is 0. An empty member's data is never read to check it (installers make a
  // directory entry without reading it), so its CRC must be what every writer puts there.
  if (entry.uncompressedSize === 0 && entry.crc32 !== 0) {
    throw new ZipFormatError(`${label()} holds no data but declares CRC-32 ${hex32(entry.crc32)} (the CRC-32 of no data is 0)`, at + CENTRAL.crc32);
  }
}

function checkDuplicateNames(entries: EntryTable): void {
  const duplicate = entries.firstDuplicate();
  if (!duplicate) return;
  const [a, b] = [entries.entry(duplicate.first), entries.entry(duplicate.second)];
  throw new ZipFormatError(
    `duplicate name ${quotedName(b.name)}: central directory entries ${a.index} (offset ${a.centralHeaderOffset}) ` +
      `and ${b.index} (offset ${b.centralHeaderOffset})`,
    b.centralHeaderOffset,
  );
}

/**
 * Walks the members in offset order and checks that they tile the file from offset 0 to the central
 * directory: each is its local header (APPNOTE 4.3.7), its data, then with flag bit 3 a data descriptor
 * (4.3.9), and the next member or the central directory starts right after. Each local header must
 * repeat its central header. Fills in dataOffset, the local extra field's IDs and UT time, and
 * dataDescriptorLength.
 */
async function checkMembers(file: PositionedFile, entries: EntryTable, cdOffset: number, coverage: ByteCoverage | undefined): Promise<void> {
  const ordered = Uint32Array.from({ length: entries.count }, (_, index) => index).sort((a, b) => entries.localHeaderAt(a) - entries.localHeaderAt(b) || a - b);
  const firstStart = ordered.length === 0 ? cdOffset : entries.localHeaderAt(ordered[0]!);
  if (firstStart !== 0) {
    throw new ZipFormatError(
      `${firstStart} bytes before the first local file header (the first ${ordered.length === 0 ? 'record, the central directory,' : 'member'} ` +
        `starts at offset ${firstStart}, not 0)`,
      0,
    );
  }
  const region = new ReadAhead(file, cdOffset, 'the central directory starts');
  // Each entry object is made once: as the one after its predecessor, then walked itself.
  let following = ordered.length > 0 ? entries.entry(ordered[0]!) : undefined;
  for (let i = 0; i < ordered.length; i++) {
    const entry = following!;
    const next = i + 1 < ordered.length ? entries.entry(ordered[i + 1]!) : undefined;
    following = next;
    const local = await readLocalHeader(region, entry);
    const nextStart = next === undefined ? cdOffset : next.localHeaderOffset;
    // Said only in a refusal: not made for every member walked.
    const nextWhat = () => (next === undefined ? `the central directory at offset ${cdOffset}` : `the local header of ${describe(next)} at offset ${nextStart}`);
    const dataEnd = local.dataOffset + entry.compressedSize;
    const gap = nextStart - dataEnd;
    if (gap < 0) {
      throw new ZipFormatError(
        `overlapping members: ${describe(entry)} occupies offsets ${entry.localHeaderOffset} to ${dataEnd} ` +
          `(data of ${entry.compressedSize} bytes from offset ${local.dataOffset}), which overlaps ${nextWhat()}`,
        nextStart,
      );
    }
    let dataDescriptorLength = 0;
    if ((entry.flags & FLAG_DATA_DESCRIPTOR) === 0) {
      if (gap > 0) {
        throw new ZipFormatError(
          `${gap} unexpected bytes at offset ${dataEnd}, between the end of the data of ${describe(entry)} and ${nextWhat()}`,
          dataEnd,
        );
      }
    } else {
      dataDescriptorLength = await checkDataDescriptor(region, entry, dataEnd, gap, nextWhat);
    }
    checkLocalAgreesWithCentral(entry, entries.storedName(entry.index), local);
    entries.setLocal(entry.index, local.dataOffset, local.extraFields, dataDescriptorLength);
    coverage?.mark(local.offset, local.dataOffset, `local file header of ${describe(entry)}`);
    coverage?.mark(dataEnd, nextStart, `data descriptor of ${describe(entry)}`);
  }
}

/** Parses an entry's local file header (APPNOTE 4.3.7); checkLocalAgreesWithCentral compares it. */
async function readLocalHeader(region: ReadAhead, entry: ZipEntry): Promise<LocalHeader> {
  const at = entry.localHeaderOffset;
  const label = () => describe(entry);
  if (at + LOCAL.size > region.end) {
    throw new ZipFormatError(
      `${label()}: local header offset ${at} is not followed by a ${LOCAL.size}-byte local header before the central directory at offset ${region.end}`,
      entry.centralHeaderOffset + CENTRAL.localHeaderOffset,
    );
  }
  const fixed = await region.bytes(at, LOCAL.size, () => `local file header of ${label()}`);
  if (fixed.readUInt32LE(LOCAL.signature) !== SIG_LOCAL) {
    throw new ZipFormatError(
      `no local file header signature (50 4b 03 04) at offset ${at}, where ${label()} points (found ${hexBytes(fixed.subarray(0, 4))})`,
      at,
    );
  }
  const nameLength = fixed.readUInt16LE(LOCAL.nameLength);
  const extraLength = fixed.readUInt16LE(LOCAL.extraLength);
  const total = LOCAL.size + nameLength + extraLength;
  if (at + total > region.end) {
    throw new ZipFormatError(
      `local file header of ${label()} at offset ${at} (name ${nameLength} bytes, extra ${extraLength} bytes) runs into the central directory at offset ${region.end}`,
      at + LOCAL.nameLength,
    );
  }
  const buf = Buffer.from(await region.bytes(at, total, () => `local file header of ${label()}`));
  const extraField = buf.subarray(LOCAL.size + nameLength, total);
  const extraFields = parseExtraFields(extraField, at + LOCAL.size + nameLength, () => `local file header of ${label()} at offset ${at}`);
  const resolved = applyZip64(
    {
      compressedSize: buf.readUInt32LE(LOCAL.compressedSize),
      uncompressedSize: buf.readUInt32LE(LOCAL.uncompressedSize),
    },
    ['uncompressedSize', 'compressedSize'],
    extraFields.find((f) => f.id === EXTRA_ZIP64),
    () => `local file header of ${label()} at offset ${at}`,
    at + LOCAL.size + nameLength,
  );
  return {
    offset: at,
    versionNeeded: buf.readUInt16LE(LOCAL.versionNeeded),
    flags: buf.readUInt16LE(LOCAL.flags),
    method: buf.readUInt16LE(LOCAL.method),
    dosTime: buf.readUInt16LE(LOCAL.dosTime),
    dosDate: buf.readUInt16LE(LOCAL.dosDate),
    crc32: buf.readUInt32LE(LOCAL.crc32),
    compressedSize: resolved.compressedSize,
    uncompressedSize: resolved.uncompressedSize,
    nameBytes: buf.subarray(LOCAL.size, LOCAL.size + nameLength),
    extraFields,
    dataOffset: at + total,
  };
}

/**
 * The entry's extra field records as its headers store them, read again (the entry table keeps their
 * IDs, not their data): the central header's after its name (APPNOTE 4.3.12), the local header's
 * after its name (4.3.7). Both were checked as the archive was opened. `central` reads the central
 * directory, `members` what is before it: walking the entries in order costs a read per window.
 */
export async function readExtraFields(central: ReadAhead, members: ReadAhead, entry: ZipEntry): Promise<EntryExtraFields> {
  const label = () => `extra field of ${describe(entry)}`;
  const read = async (region: ReadAhead, at: number, layout: typeof CENTRAL | typeof LOCAL): Promise<readonly ZipExtraField[]> => {
    const fixed = await region.bytes(at, layout.size, label);
    const start = at + layout.size + fixed.readUInt16LE(layout.nameLength);
    return parseExtraFields(await region.bytes(start, fixed.readUInt16LE(layout.extraLength), label), start, label);
  };
  return {
    local: entry.localExtraFieldIds.length === 0 ? NO_FIELDS : await read(members, entry.localHeaderOffset, LOCAL),
    central: entry.extraFieldIds.length === 0 ? NO_FIELDS : await read(central, entry.centralHeaderOffset, CENTRAL),
  };
}

/**
 * APPNOTE 4.3.9: the data descriptor fills exactly the `gap` between the data and the next record, so
 * its length tells its form: 12 (crc, 32-bit sizes), 16 (signature first), 20 (crc, 64-bit sizes) or
 * 24 (signature first). Its values must be the central header's. Returns its length.
 */
async function checkDataDescriptor(region: ReadAhead, entry: ZipEntry, dataEnd: number, gap: number, nextWhat: () => string): Promise<number> {
  const fits: number[] = [
    DESCRIPTOR.sizesWithoutSignature32,
    DESCRIPTOR.sizesWithSignature32,
    DESCRIPTOR.sizesWithoutSignature64,
    DESCRIPTOR.sizesWithSignature64,
  ];
  if (!fits.includes(gap)) {
    throw new ZipFormatError(
      `${gap} bytes at offset ${dataEnd}, between the end of the data of ${describe(entry)} and ${nextWhat()}: ` +
        `a data descriptor takes 12, 16, 20 or 24 bytes`,
      dataEnd,
    );
  }
  const d = await region.bytes(dataEnd, gap, () => `data descriptor of ${describe(entry)}`);
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

/**
 * A local header must repeat its central header (APPNOTE 4.3.7 vs 4.3.12): zipfile reads only the
 * central one, readers that walk the local headers read these. Writers repeat every field but the
 * version needed, which Python and Info-ZIP raise to 4.5 in only one of the two when zip64 is needed
 * in only one: it must be one zipfile would read (up to 6.3).
 */
function checkLocalAgreesWithCentral(entry: ZipEntry, centralName: Buffer, local: LocalHeader): void {
  const problems: string[] = [];
  if (!centralName.equals(local.nameBytes)) {
    problems.push(`name is ${quotedName(local.nameBytes.toString('latin1'))} (${local.nameBytes.length} bytes), central says ${quotedName(centralName.toString('latin1'))} (${centralName.length} bytes)`);
  }
  if (local.versionNeeded > MAX_VERSION_NEEDED) problems.push(`version needed to extract is ${local.versionNeeded / 10}, above ${MAX_VERSION_NEEDED / 10} (APPNOTE 6.3)`);
  if (local.method !== entry.method) problems.push(`compression method is ${local.method}, central says ${entry.method}`);
  if (local.flags !== entry.flags) problems.push(`general purpose flags are ${hex16(local.flags)}, central says ${hex16(entry.flags)}`);
  if (local.dosTime !== entry.dosTime || local.dosDate !== entry.dosDate) {
    problems.push(`date and time are ${hex16(local.dosDate)} ${hex16(local.dosTime)}, central says ${hex16(entry.dosDate)} ${hex16(entry.dosTime)}`);
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

type Zip64Field = 'uncompressedSize' | 'compressedSize' | 'localHeaderOffset' | 'diskNumberStart';

/** What zipfile 3.8 to 3.10 accept as the length of a zip64 extra field's data; others raise BadZipFile. */
function zip64LengthReadByAll(length: number): boolean {
  return length === 0 || length === 8 || length === 16 || length >= 24;
}

/**
 * APPNOTE 4.5.3: the zip64 extended information field holds, in this order, the original size, the
 * compressed size, the local header offset (u64 each) and the disk start number (u32), each present
 * only when the header field holds 0xFFFFFFFF (0xFFFF for the disk); zipfile reads them so. Some
 * writers put the field in every header, saturated or not: when no header field defers to it, it
 * may hold the header's own values in that order. Every byte of it must be one of these values.
 */
function applyZip64<T extends Partial<Record<Zip64Field, number>>>(
  fields: T,
  order: readonly Zip64Field[],
  zip64: ZipExtraField | undefined,
  label: () => string,
  extraOffset: number,
): T {
  const out = { ...fields };
  const data = zip64 === undefined ? undefined : Buffer.from(zip64.data.buffer, zip64.data.byteOffset, zip64.data.byteLength);
  const present = order.filter((field) => out[field] !== undefined);
  const widthOf = (field: Zip64Field) => (field === 'diskNumberStart' ? 4 : 8);
  const deferred = present.filter((field) => out[field] === (field === 'diskNumberStart' ? U16_ZIP64 : U32_ZIP64));
  const where = () => `${label()}: zip64 extended information extra field`;
  let p = 0;
  for (const field of deferred) {
    const width = widthOf(field);
    if (data === undefined) {
      throw new ZipFormatError(
        `${label()}: ${field} is ${width === 8 ? '0xFFFFFFFF' : '0xFFFF'} but there is no zip64 extended information extra field (0x0001)`,
        extraOffset,
      );
    }
    if (p + width > data.length) throw new ZipFormatError(`${where()} (${data.length} bytes) is too short to hold ${field}`, extraOffset);
    (out as Record<Zip64Field, number>)[field] = width === 8 ? readU64(data, p, extraOffset, `zip64 ${field}`) : data.readUInt32LE(p);
    p += width;
  }
  if (data === undefined || p === data.length) return out;
  if (!zip64LengthReadByAll(data.length)) {
    throw new ZipFormatError(`${where()} holds ${data.length} bytes, which zipfile 3.8 to 3.10 refuse (they read 0, 8, 16 or at least 24)`, extraOffset);
  }
  // The field in a header that does not defer to it: the header's own values, in order.
  let q = 0;
  for (const field of deferred.length === 0 ? present : []) {
    if (q === data.length) break;
    const width = widthOf(field);
    const value = q + width > data.length ? undefined : width === 8 ? readU64(data, q, extraOffset, `zip64 ${field}`) : data.readUInt32LE(q);
    if (value !== out[field]) {
      throw new ZipFormatError(`${where()} says ${field} ${value ?? '(cut short)'} where the header says ${out[field]}, and the header does not defer to it`, extraOffset);
    }
    q += width;
  }
  if (q !== data.length) {
    throw new ZipFormatError(`${where()} (${data.length} bytes) holds ${data.length - p} bytes beyond the values its header defers to`, extraOffset);
  }
  return out;
}
