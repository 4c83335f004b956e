// One header block, field by field (./layout.ts), read as Python's tarfile reads it (TarInfo.frombuf
// parses every field of every header, whatever its magic) and as GNU tar does, or refused. Every byte
// of the block is interpreted or required to be what writers put there: a field's bytes after its
// terminating NUL, and the parts of the block a header kind does not use, are zero.
import type { ByteCoverage } from '../coverage.js';
import { FormatError } from '../errors.js';
import type { TarHeaderFields } from './header.js';
import { GNU_TAIL, MAGIC, TYPEFLAG, USTAR, headerChecksums } from './layout.js';
import type { HeaderField, UstarFieldName } from './layout.js';

/** The member types the reader returns (typeflags `0`/NUL, `7`, `1`, `2`, `5`, `3`, `4`, `6`). */
export type TarReadType = 'file' | 'contiguous-file' | 'link' | 'symlink' | 'directory' | 'character-device' | 'block-device' | 'fifo';

/** The member typeflags, and the type each is read as. */
const TYPES: Record<string, TarReadType> = {
  [TYPEFLAG.file]: 'file', [TYPEFLAG.oldFile]: 'file', [TYPEFLAG.contiguousFile]: 'contiguous-file', [TYPEFLAG.link]: 'link',
  [TYPEFLAG.symlink]: 'symlink', [TYPEFLAG.directory]: 'directory', [TYPEFLAG.characterDevice]: 'character-device',
  [TYPEFLAG.blockDevice]: 'block-device', [TYPEFLAG.fifo]: 'fifo',
};
/** What other typeflags are, for the refusal message. */
const REFUSED_TYPES: Record<string, string> = {
  [TYPEFLAG.paxGlobal]: 'a pax global header (typeflag g): readers apply it differently',
  [TYPEFLAG.gnuSparse]: 'a GNU sparse member (typeflag S)',
  [TYPEFLAG.solarisExtended]: 'a Solaris extended header (typeflag X)',
  [TYPEFLAG.gnuOldLongName]: 'a GNU old long-name header (typeflag N), which Python extracts as a file',
  [TYPEFLAG.gnuMultiVolume]: 'a GNU multi-volume continuation (typeflag M)',
  [TYPEFLAG.gnuVolumeLabel]: 'a GNU volume label (typeflag V)',
  [TYPEFLAG.gnuDumpDirectory]: 'a GNU dump directory (typeflag D)',
};

/** The extended headers read: each holds a value for the member that follows. */
const EXTENDED: ReadonlySet<string> = new Set([TYPEFLAG.pax, TYPEFLAG.gnuLongName, TYPEFLAG.gnuLongLink]);

/** POSIX ustar, GNU tar's own format, or v7 (no magic). */
export type HeaderKind = 'ustar' | 'gnu' | 'v7';

/** A header block's fields as stored (`name` joined to prefix for ustar headers), before extended headers apply. */
export interface RawHeader extends TarHeaderFields {
  kind: HeaderKind;
  /** The name field alone, before the prefix: what marks a v7 directory. */
  nameField: string;
  typeflag: string;
  /** The member type; undefined for an extended header (typeflag `x`, `L` or `K`). */
  type?: TarReadType;
  linkname: string;
  devmajor: number;
  devminor: number;
}

const V7_FIELDS = ['name', 'mode', 'uid', 'gid', 'size', 'mtime', 'chksum', 'typeflag', 'linkname'] as const satisfies UstarFieldName[];
const GNU_FIELDS = [...V7_FIELDS, 'magic', 'version', 'uname', 'gname', 'devmajor', 'devminor'] as const satisfies UstarFieldName[];
const USTAR_FIELDS = [...GNU_FIELDS, 'prefix'] as const satisfies UstarFieldName[];

/** The bytes from the start of one field to the end of another, as one range that must be zero. */
function span(first: UstarFieldName, last: UstarFieldName): HeaderField {
  return { offset: USTAR[first].offset, width: USTAR[last].offset + USTAR[last].width - USTAR[first].offset, encoding: 'zero' };
}

/** The fields each kind of header has, and the rest of its block, which must be zero (and why). */
const KINDS: Record<HeaderKind, { fields: readonly UstarFieldName[]; zero: [HeaderField, string][] }> = {
  ustar: { fields: USTAR_FIELDS, zero: [[USTAR.pad, 'the pad after prefix']] },
  // GNU keeps atime, ctime and sparse maps there; Python's tarfile would join them as a prefix.
  gnu: { fields: GNU_FIELDS, zero: [[GNU_TAIL, 'GNU atime, ctime and sparse fields, which Python reads as a ustar prefix']] },
  // Python's tarfile reads devmajor and devminor whatever the magic (GNU tar writes them in v7
  // headers), and uname, gname and prefix too, which other readers ignore without a magic.
  v7: {
    fields: [...V7_FIELDS, 'devmajor', 'devminor'],
    zero: [[span('magic', 'gname'), 'magic, uname and gname, which Python reads in a v7 header'], [span('prefix', 'pad'), 'prefix, which Python joins to a v7 name']],
  },
};

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Parses a non-zero 512-byte header block at byte `at` of the stream; marks its fields on `coverage`. */
export function parseHeaderBlock(block: Buffer, at: number, coverage?: ByteCoverage): RawHeader {
  const badHeader = () => new FormatError(at === 0
    ? 'tar: no valid header at the start: the data is not a tar archive, or its first header is corrupt'
    : `tar: corrupt header after byte ${at} (bad checksum)`);
  let checksum: number;
  try {
    checksum = parseNumber(block, 'chksum', at);
  } catch {
    throw badHeader();
  }
  const { unsigned, signed } = headerChecksums(block);
  if (checksum !== unsigned && checksum !== signed) throw badHeader();
  const kind = headerKind(block, at);
  const nameField = text(block, 'name', at);
  const prefix = kind === 'ustar' ? text(block, 'prefix', at) : '';
  // Python strips a directory's trailing slashes before it joins the prefix.
  const name = prefix === '' ? nameField : `${prefix}/${nameField}`;
  const typeflag = String.fromCharCode(block[USTAR.typeflag.offset]!);
  const type = TYPES[typeflag];
  if (!type && !EXTENDED.has(typeflag)) {
    const what = REFUSED_TYPES[typeflag] ?? `unknown typeflag ${JSON.stringify(typeflag)}, which readers extract differently`;
    throw new FormatError(`tar: member ${JSON.stringify(name)} at byte ${at} is ${what}`);
  }
  const { fields, zero } = KINDS[kind];
  for (const [range, why] of zero) {
    const nonZero = firstNonZero(block, range.offset, range.offset + range.width);
    if (nonZero >= 0) {
      throw new FormatError(`tar: ${kind} header at byte ${at} has data at byte ${at + nonZero}, in bytes ${range.offset}-${range.offset + range.width - 1} of the block that ${kind} headers leave zero (${why})`);
    }
  }
  const header: RawHeader = {
    kind,
    name,
    nameField,
    mode: parseNumber(block, 'mode', at),
    uid: parseNumber(block, 'uid', at),
    gid: parseNumber(block, 'gid', at),
    size: parseNumber(block, 'size', at),
    mtime: parseNumber(block, 'mtime', at, true),
    typeflag,
    ...(type ? { type } : {}),
    linkname: text(block, 'linkname', at),
    uname: kind === 'v7' ? '' : text(block, 'uname', at),
    gname: kind === 'v7' ? '' : text(block, 'gname', at),
    devmajor: parseNumber(block, 'devmajor', at),
    devminor: parseNumber(block, 'devminor', at),
  };
  if (coverage) {
    for (const key of fields) markField(coverage, at, USTAR[key], key);
    for (const [range, why] of zero) markField(coverage, at, range, `zero (${why})`);
  }
  return header;
}

function markField(coverage: ByteCoverage, at: number, field: HeaderField, what: string): void {
  coverage.mark(at + field.offset, at + field.offset + field.width, `tar header at byte ${at}: ${what}`);
}

/** Which header this is, by magic and version (POSIX "ustar\0" "00", GNU "ustar  \0", v7 zeros). */
function headerKind(block: Buffer, at: number): HeaderKind {
  const magic = block.toString('latin1', USTAR.magic.offset, USTAR.version.offset + USTAR.version.width);
  if (magic === MAGIC.ustar) return 'ustar';
  if (magic === MAGIC.gnu) return 'gnu';
  if (magic === MAGIC.v7) return 'v7';
  if (magic.startsWith(MAGIC.ustar.slice(0, USTAR.magic.width))) {
    throw new FormatError(`tar: header at byte ${at} has ustar magic with version ${JSON.stringify(magic.slice(USTAR.magic.width))} at byte ${at + USTAR.version.offset}, not "00"`);
  }
  throw new FormatError(`tar: header at byte ${at} has an unknown magic ${JSON.stringify(magic)}`);
}

/**
 * A numeric field: octal digits with optional leading and trailing spaces, ended by NUL or the
 * field's end (what both Python's `int(s.strip(), 8)` and GNU tar accept), then only NULs or spaces
 * (what writers end a field with: Python and GNU tar write chksum as 6 digits, NUL, space); an empty
 * field is all NULs (0 to Python). Or base-256 (first byte 0x80; 0xFF, negative, only for mtime).
 * Anything else is read differently by different readers.
 */
function parseNumber(block: Buffer, key: UstarFieldName, at: number, mayBeNegative = false): number {
  const field = USTAR[key];
  const start = field.offset;
  const stop = field.offset + field.width;
  const first = block[start]!;
  if (first === 0x80 || first === 0xff) {
    if (first === 0xff && !mayBeNegative) throw new FormatError(`tar: header at byte ${at} has a negative ${key}`);
    let value = 0n;
    for (let i = start + 1; i < stop; i++) value = (value << 8n) | BigInt(block[i]!);
    if (first === 0xff) value -= 1n << BigInt(8 * (field.width - 1));
    if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < -BigInt(Number.MAX_SAFE_INTEGER)) {
      throw new FormatError(`tar: header at byte ${at} has a ${key} too large to read`);
    }
    return Number(value);
  }
  // Read in place, byte by byte: a header has eight of these, and an sdist a header per member.
  const end = fieldEnd(block, start, stop);
  for (let i = end; i < stop; i++) {
    if (block[i] !== 0 && block[i] !== 0x20) {
      throw new FormatError(`tar: header at byte ${at} has ${key} bytes after its terminating NUL (byte ${at + i}), which readers ignore`);
    }
  }
  if (end === start) {
    if (firstNonZero(block, start, stop) >= 0) throw new FormatError(`tar: header at byte ${at} has a ${key} field of only spaces and NULs (Python reads 0, GNU tar refuses it)`);
    return 0;
  }
  // Spaces, octal digits, spaces.
  let i = start;
  while (i < end && block[i] === 0x20) i++;
  const digits = i;
  let value = 0;
  for (; i < end && block[i]! >= 0x30 && block[i]! <= 0x37; i++) value = value * 8 + block[i]! - 0x30;
  const digitsEnd = i;
  while (i < end && block[i] === 0x20) i++;
  if (digitsEnd === digits || i !== end) {
    throw new FormatError(`tar: header at byte ${at} has a malformed ${key} field ${JSON.stringify(block.toString('latin1', start, end))}`);
  }
  return value;
}

/** Where a field's value ends: at its first NUL, or at the field's end. */
function fieldEnd(block: Buffer, start: number, stop: number): number {
  let end = start;
  while (end < stop && block[end] !== 0) end++;
  return end;
}

/** The first byte from `start` to `stop` that is not zero, or -1. */
export function firstNonZero(bytes: Uint8Array, start = 0, stop = bytes.length): number {
  for (let i = start; i < stop; i++) if (bytes[i] !== 0) return i;
  return -1;
}

/** A text field: up to its first NUL, UTF-8 (an invalid sequence is refused, as every name must be UTF-8), NULs after. */
function text(block: Buffer, key: UstarFieldName, at: number): string {
  const field = USTAR[key];
  const start = field.offset;
  const stop = field.offset + field.width;
  const end = fieldEnd(block, start, stop);
  const after = firstNonZero(block, end, stop);
  if (after >= 0) {
    throw new FormatError(`tar: header at byte ${at} has ${key} bytes after its terminating NUL (byte ${at + after}), which readers ignore`);
  }
  if (end === start) return '';
  try {
    return utf8.decode(block.subarray(start, end));
  } catch {
    throw new FormatError(`tar: header at byte ${at} has a ${key} that is not valid UTF-8`);
  }
}
