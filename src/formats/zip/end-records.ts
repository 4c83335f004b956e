// The end of central directory record (APPNOTE 4.3.16) and, when present, the zip64 end record and
// locator (4.3.14, 4.3.15): where the central directory is and how many entries it has.
import type { ByteCoverage } from '../coverage.js';
import { PositionedFile } from './io.js';
import { EOCD, EOCD_SEARCH_LIMIT, SIG_ZIP64_EOCD, SIG_ZIP64_LOCATOR, U16_ZIP64, U32_ZIP64, ZIP64_EOCD, ZIP64_LOCATOR, ZipFormatError, readU64 } from './records.js';
export interface EndRecord {
  offset: number;
  record: Buffer;
  comment: Uint8Array;
}

/**
 * Finds the single end of central directory record (APPNOTE 4.3.16): the one whose comment reaches
 * exactly the end of the file. Another end record signature in its comment is refused, since readers
 * that take the last signature they find (Python's zipfile, for one) would read a different archive.
 */
export async function findEndRecord(file: PositionedFile): Promise<EndRecord> {
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

export interface DirectoryLocation {
  offset: number;
  size: number;
  count: number;
  zip64: boolean;
}

/**
 * Reads where the central directory is, from the end record and the zip64 records when present. The
 * archive comment is kept as it is, as zipfile keeps it; findEndRecord made sure no second end record
 * hides in it. Given a ByteCoverage, marks the records (and the comment) once they are checked.
 */
export async function readDirectoryLocation(file: PositionedFile, eocd: EndRecord, coverage?: ByteCoverage): Promise<DirectoryLocation> {
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
    coverage?.mark(at, file.size, 'end of central directory record and archive comment');
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
  // zipfile (3.8 to 3.13.0) reads the zip64 end record 56 bytes before the locator, wherever the
  // locator points, and takes the central directory to end there: extensible data would make it read
  // another record, or shift every offset. No writer puts any there.
  if (recordSize !== ZIP64_EOCD.size - 12) {
    throw new ZipFormatError(
      `zip64 end of central directory record at offset ${z64At} carries ${recordSize - (ZIP64_EOCD.size - 12)} bytes of zip64 extensible data ` +
        `(offsets ${z64At + ZIP64_EOCD.size} to ${locatorAt}); zipfile reads a record at offset ${locatorAt - ZIP64_EOCD.size} instead`,
      z64At + ZIP64_EOCD.size,
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
  coverage?.mark(z64At, locatorAt, 'zip64 end of central directory record');
  coverage?.mark(locatorAt, at, 'zip64 end of central directory locator');
  coverage?.mark(at, file.size, 'end of central directory record and archive comment');
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
