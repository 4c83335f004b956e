// A header's extra field (APPNOTE 4.4.28, 4.5.1), the one place its records are split: as the strict
// reader reads a header, and as the entry table makes an entry object from the bytes it keeps.
import type { ZipExtraField } from './entry.js';
import { EXTRA_UNICODE_PATH, ZipFormatError, hex16 } from './records.js';

/** Shared by every entry without extra fields (most of them): nothing allocated per entry. */
export const NO_FIELDS: readonly ZipExtraField[] = Object.freeze([]);

/**
 * Splits an extra field (APPNOTE 4.4.28, 4.5.1) into its records; each is a u16 ID, a u16 size and
 * data, and they must fill it exactly. A record ID appears at most once (zipfile reads each zip64
 * record in turn, so a second one could count), and the Unicode Path record is refused: zipfile
 * 3.12+ and unzip take its name, zipfile 3.8 to 3.11 the header's. Each record's data is a view of
 * `extra`: the entry table keeps an entry's extra field whole and splits it again for each entry
 * object it makes.
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
