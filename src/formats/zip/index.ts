// The zip container, byte for byte (PKWARE APPNOTE.TXT 6.3.x): a strict reader and a plain writer.
// This folder is a codec, not a policy: it never sorts, never picks timestamps, never compresses.
//   records.ts      every record layout and field value, named once with its APPNOTE section
//   reader.ts       openZip / ZipReader: a validated archive and its member streams
//   directory.ts    the structure the reader accepts (central directory, local headers, descriptors)
//   entry-table.ts  the central directory as an opened archive keeps it: rows, not objects
//   extra-fields.ts a header's extra field split into its records
//   end-records.ts  the end of central directory records, zip64 included
//   writer.ts       ZipWriter: each record written field by field, in spec order
//   dos-time.ts     MS-DOS date and time (read and written as UTC)
//   text.ts         names and comments: UTF-8 or CP437
export {
  EOCD_SEARCH_LIMIT, FLAG_DATA_DESCRIPTOR, FLAG_ENCRYPTED, FLAG_MASKED_HEADERS, FLAG_STRONG_ENCRYPTION, FLAG_UTF8,
  METHOD_DEFLATE, METHOD_STORED, HOST_MSDOS, HOST_UNIX, VERSION_DEFLATE, VERSION_ZIP64, makeVersionMadeBy, hostOf,
  S_IFMT, S_IFREG, S_IFDIR, S_IFLNK, UNIX_MODE_SHIFT, EXTERNAL_ATTR_S_IFREG, EXTERNAL_ATTR_S_IFDIR, EXTERNAL_ATTR_S_IFLNK,
  EXTERNAL_ATTR_S_IFMT, MSDOS_ATTR_READONLY, MSDOS_ATTR_DIRECTORY, unixModeToExternalAttr, externalAttrToUnixMode,
  EXTRA_ZIP64, EXTRA_NTFS, EXTRA_EXTENDED_TIMESTAMP, EXTRA_INFOZIP_UNIX_NEW, ZipFormatError,
} from './records.js';
export type { ZipEntry, ZipExtraField } from './entry.js';
export { openZip, ZipReader } from './reader.js';
export type { ZipReaderOptions } from './reader.js';
export { ZipWriter } from './writer.js';
export type { DirectoryStore, ZipSink, ZipWriterEntry, ZipWriterSummary } from './writer.js';
export { DOS_EPOCH_MIN_SECONDS, DOS_EPOCH_MAX_SECONDS, fromDosDateTime, toDosDateTime } from './dos-time.js';
export { decodeZipText } from './text.js';
