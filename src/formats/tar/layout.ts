// The tar header block, field by field: the one table of offsets and widths that the reader
// (read.ts) and the writer (header.ts) both use, with the typeflag and magic values.
//   POSIX: IEEE Std 1003.1-2017, XCU pax, "ustar Interchange Format" (table "ustar Header Block").
//   GNU:   GNU tar manual, "Basic Tar Format" (tar.h: struct posix_header, struct oldgnu_header).
//   v7:    Seventh Edition Unix tar(5): name to linkname, the first 257 bytes of the block.

/** Every tar header and data unit is a multiple of this (ustar: "blocks of 512 octets"). */
export const TAR_BLOCK_SIZE = 512;

/**
 * How a field's bytes are read and written:
 * - `text`: UTF-8, ended by the first NUL unless it fills the field, NUL-padded.
 * - `octal`: octal digits (width - 1 of them, then NUL, when written); read as POSIX and GNU tar read
 *   them: leading and trailing spaces, ended by NUL or space, or base-256 when the first byte is
 *   0x80 (0xff: negative), a GNU extension.
 * - `checksum`: `octal`, summing the block with this field taken as eight spaces.
 * - `byte`: one character (the typeflag).
 * - `magic`: a fixed value that says which header this is (below).
 * - `zero`: bytes that every writer leaves zero and no reader interprets.
 */
export type FieldEncoding = 'text' | 'octal' | 'checksum' | 'byte' | 'magic' | 'zero';

export interface HeaderField {
  offset: number;
  width: number;
  encoding: FieldEncoding;
}

/** The ustar header block (POSIX table "ustar Header Block"; GNU's tar.h `struct posix_header`). */
export const USTAR = {
  /** name[100]: the member's path, or its last part when prefix holds the rest. */
  name: { offset: 0, width: 100, encoding: 'text' },
  /** mode[8]: permission bits (POSIX: "the file mode", bits 07777). */
  mode: { offset: 100, width: 8, encoding: 'octal' },
  uid: { offset: 108, width: 8, encoding: 'octal' },
  gid: { offset: 116, width: 8, encoding: 'octal' },
  /** size[12]: bytes of data that follow the header (0 for links, directories and devices). */
  size: { offset: 124, width: 12, encoding: 'octal' },
  /** mtime[12]: seconds since 1970. */
  mtime: { offset: 136, width: 12, encoding: 'octal' },
  /** chksum[8]: "the simple sum of all bytes in the header block", this field taken as spaces. */
  chksum: { offset: 148, width: 8, encoding: 'checksum' },
  typeflag: { offset: 156, width: 1, encoding: 'byte' },
  /** linkname[100]: the target of a symbolic or hard link. */
  linkname: { offset: 157, width: 100, encoding: 'text' },
  /** magic[6]: "ustar\0" for POSIX. GNU writes "ustar " here and " \0" in version; v7 has zeros. */
  magic: { offset: 257, width: 6, encoding: 'magic' },
  /** version[2]: "00" for POSIX. */
  version: { offset: 263, width: 2, encoding: 'magic' },
  uname: { offset: 265, width: 32, encoding: 'text' },
  gname: { offset: 297, width: 32, encoding: 'text' },
  /** devmajor[8], devminor[8]: for character and block devices; 0 otherwise. */
  devmajor: { offset: 329, width: 8, encoding: 'octal' },
  devminor: { offset: 337, width: 8, encoding: 'octal' },
  /** prefix[155]: the path's leading part, joined to name with a slash. */
  prefix: { offset: 345, width: 155, encoding: 'text' },
  /** The last 12 bytes: unnamed in POSIX, `pad` in GNU's tar.h. Zero. */
  pad: { offset: 500, width: 12, encoding: 'zero' },
} as const satisfies Record<string, HeaderField>;

export type UstarFieldName = keyof typeof USTAR;

/**
 * The tail of a GNU header (tar.h `struct oldgnu_header`: atime, ctime, offset, longnames, sparse
 * map, isextended, realsize, pad), where ustar has prefix and pad. GNU tar writes zeros there but
 * for incremental dumps and sparse members; Python's tarfile would read it as a prefix.
 */
export const GNU_TAIL = { offset: USTAR.prefix.offset, width: TAR_BLOCK_SIZE - USTAR.prefix.offset, encoding: 'zero' } as const satisfies HeaderField;

/** The values of magic and version (together, as GNU writes one string over both). */
export const MAGIC = {
  /** POSIX ustar: magic "ustar\0", version "00". */
  ustar: 'ustar\u000000',
  /** GNU tar's own format: "ustar  \0" over magic and version. */
  gnu: 'ustar  \0',
  /** v7: no magic, zeros. */
  v7: '\0'.repeat(8),
} as const;

/** typeflag values: POSIX ustar and pax, and GNU's (tar.h). */
export const TYPEFLAG = {
  file: '0',
  /** The v7 regular file (AREGTYPE); a directory when its name ends in a slash. */
  oldFile: '\0',
  link: '1',
  symlink: '2',
  characterDevice: '3',
  blockDevice: '4',
  directory: '5',
  fifo: '6',
  contiguousFile: '7',
  /** pax extended header for the member that follows. */
  pax: 'x',
  /** pax global header. */
  paxGlobal: 'g',
  /** GNU: the next member's long name, or long link target. */
  gnuLongName: 'L',
  gnuLongLink: 'K',
  gnuSparse: 'S',
  gnuOldLongName: 'N',
  gnuMultiVolume: 'M',
  gnuVolumeLabel: 'V',
  gnuDumpDirectory: 'D',
  /** Solaris extended header. */
  solarisExtended: 'X',
} as const;

/**
 * The block's checksum as writers compute it: the sum of its bytes with chksum taken as spaces,
 * unsigned (POSIX) and signed (what some old writers summed; Python and GNU tar accept both).
 */
export function headerChecksums(block: Uint8Array): { unsigned: number; signed: number } {
  const { offset, width } = USTAR.chksum;
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < TAR_BLOCK_SIZE; i++) {
    const byte = i >= offset && i < offset + width ? 0x20 : block[i]!;
    unsigned += byte;
    signed += byte >= 0x80 ? byte - 0x100 : byte;
  }
  return { unsigned, signed };
}

/** The largest value an octal field holds when written with its width - 1 digits. */
export function maxOctal(field: HeaderField): number {
  return 8 ** (field.width - 1) - 1;
}
