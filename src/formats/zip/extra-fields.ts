// A header's extra field (APPNOTE 4.4.28, 4.5.1), the one place its records are split (as the strict
// reader reads a header, and as ZipReader.extraFields reads one again), and what an entry keeps of it.
import type { ZipExtraField } from './entry.js';
import { EXTRA_EXTENDED_TIMESTAMP, EXTRA_UNICODE_PATH, ZipFormatError, hex16 } from './records.js';

/** Shared by every entry without extra fields (most of them): nothing allocated per entry. */
export const NO_FIELDS: readonly ZipExtraField[] = Object.freeze([]);
/** Shared by every entry without extra fields: nothing allocated per entry. */
export const NO_IDS: readonly number[] = Object.freeze([]);

/**
 * Splits an extra field (APPNOTE 4.4.28, 4.5.1) into its records; each is a u16 ID, a u16 size and
 * data, and they must fill it exactly. A record ID appears at most once (zipfile reads each zip64
 * record in turn, so a second one could count), and the Unicode Path record is refused: zipfile
 * 3.12+ and unzip take its name, zipfile 3.8 to 3.11 the header's. Each record's data is a view of
 * `extra`.
 */
export function parseExtraFields(extra: Buffer, offset: number, label: () => string): readonly ZipExtraField[] {
  if (extra.length === 0) return NO_FIELDS;
  const out: ZipExtraField[] = [];
  let p = 0;
  while (p < extra.length) {
    if (p + 4 > extra.length) {
      throw new ZipFormatError(
        `${label()}: extra field has ${extra.length - p} stray bytes at offset ${offset + p}, too few for a record header`,
        offset + p,
      );
    }
    const id = extra.readUInt16LE(p);
    const size = extra.readUInt16LE(p + 2);
    if (p + 4 + size > extra.length) {
      throw new ZipFormatError(
        `${label()}: extra field record ${hex16(id)} at offset ${offset + p} declares ${size} bytes of data, but only ${extra.length - p - 4} remain`,
        offset + p,
      );
    }
    if (id === EXTRA_UNICODE_PATH) {
      throw new ZipFormatError(
        `${label()}: Info-ZIP Unicode Path extra field (0x7075) at offset ${offset + p}: zipfile 3.12+ and unzip read its name, older zipfile the header's`,
        offset + p,
      );
    }
    if (out.some((f) => f.id === id)) {
      throw new ZipFormatError(`${label()}: extra field record ${hex16(id)} appears a second time, at offset ${offset + p}`, offset + p);
    }
    out.push({ id, data: extra.subarray(p + 4, p + 4 + size) });
    p += 4 + size;
  }
  return out;
}

/** The records' IDs, in order. */
export function fieldIds(fields: readonly ZipExtraField[]): readonly number[] {
  return fields.length === 0 ? NO_IDS : fields.map((f) => f.id);
}

/**
 * The modification time of an Info-ZIP extended timestamp record (0x5455, "UT"; Info-ZIP's
 * extrafld.txt) among `fields`: a flags byte whose bit 0 says that a signed 32-bit little-endian
 * time in seconds since 1970 UTC follows (the central header's record holds only that one; the
 * local header's may add the access and creation times). Undefined without one.
 */
export function extendedMtime(fields: readonly ZipExtraField[]): number | undefined {
  const record = fields.find((f) => f.id === EXTRA_EXTENDED_TIMESTAMP);
  if (record === undefined || record.data.length < 5 || (record.data[0]! & 1) === 0) return undefined;
  const { buffer, byteOffset } = record.data;
  return new DataView(buffer, byteOffset, 5).getInt32(1, true);
}
