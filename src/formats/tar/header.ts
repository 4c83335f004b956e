// The tar header codec (IEEE Std 1003.1, pax utility: "ustar Interchange Format" and "pax
// Interchange Format"): one member's header block(s), field by field, and the archive's padding.
// Bytes only: which fields a member gets is policy (src/normalize/sdist.ts).

/** Every tar header and data unit is a multiple of this (ustar: "blocks of 512 octets"). */
export const TAR_BLOCK_SIZE = 512;
/** GNU tar and Python's tarfile pad the archive to 20 blocks (the default blocking factor). */
export const TAR_RECORD_SIZE = 20 * TAR_BLOCK_SIZE;
/** The largest value an 11-digit octal size or mtime field holds. */
const MAX_OCTAL_11 = 8 ** 11 - 1;

export type TarMemberType = 'file' | 'directory' | 'symlink' | 'link';

/** The header fields a member has whether it is read or written (ustar's table, pax applied). */
export interface TarHeaderFields {
  name: string;
  mode: number;
  uid: number;
  gid: number;
  uname: string;
  gname: string;
  /** Seconds since 1970. */
  mtime: number;
  /** Data length; 0 for everything but files. */
  size: number;
}

/** A member as the writer writes it: `name` without a trailing slash (directories get one), whole-second `mtime`. */
export interface TarWriteMember extends TarHeaderFields {
  type: TarMemberType;
  /** Link target, for symlinks and hard links. */
  linkname?: string;
}

// ustar typeflag values.
const TYPEFLAG: Record<TarMemberType, string> = { file: '0', link: '1', symlink: '2', directory: '5' };
/** typeflag 'x': a pax extended header for the member that follows. */
const TYPEFLAG_PAX = 'x';
/** The name of every pax extended header we write: Python's tarfile uses the same fixed name. */
export const PAX_HEADER_NAME = '././@PaxHeader';

/**
 * Encodes the header block(s) of one member: a ustar header, preceded by a pax extended header only
 * for what ustar cannot hold: a path or link target that is not ASCII or too long, a size of 8 GiB or
 * more. Records are sorted by key.
 */
export function encodeTarHeaders(member: TarWriteMember): Uint8Array {
  const storedName = member.type === 'directory' ? `${member.name}/` : member.name;
  const pax: [string, string][] = [];
  const path = splitUstarPath(storedName);
  if (!path) pax.push(['path', storedName]);
  const linkname = member.linkname ?? '';
  const linkFits = isAscii(linkname) && byteLength(linkname) <= 100;
  if (!linkFits) pax.push(['linkpath', linkname]);
  if (member.size > MAX_OCTAL_11) pax.push(['size', String(member.size)]);
  if (!Number.isInteger(member.mtime) || member.mtime < 0 || member.mtime > MAX_OCTAL_11) {
    throw new RangeError(`tar: mtime ${member.mtime} does not fit a ustar header`);
  }

  const ustar = ustarHeader({
    prefix: path?.prefix ?? '',
    name: path?.name ?? asciiFallback(storedName),
    mode: member.mode,
    uid: member.uid,
    gid: member.gid,
    size: member.size > MAX_OCTAL_11 ? 0 : member.size,
    mtime: member.mtime,
    typeflag: TYPEFLAG[member.type],
    linkname: linkFits ? linkname : asciiFallback(linkname),
    uname: member.uname,
    gname: member.gname,
  });
  if (pax.length === 0) return ustar;

  const records = Buffer.from(pax.sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => paxRecord(k, v)).join(''), 'utf8');
  const paxHeader = ustarHeader({
    prefix: '',
    name: PAX_HEADER_NAME,
    mode: 0o644,
    uid: 0,
    gid: 0,
    size: records.length,
    mtime: member.mtime,
    typeflag: TYPEFLAG_PAX,
    linkname: '',
    uname: '',
    gname: '',
  });
  return Buffer.concat([paxHeader, records, tarPadding(records.length), ustar]);
}

/** Zero bytes that fill a member's data up to the next block boundary. */
export function tarPadding(size: number): Uint8Array {
  return new Uint8Array((TAR_BLOCK_SIZE - (size % TAR_BLOCK_SIZE)) % TAR_BLOCK_SIZE);
}

/** The end of an archive of `written` bytes: two zero blocks, then zeros up to a whole record. */
export function tarEnd(written: number): Uint8Array {
  const withEnd = written + 2 * TAR_BLOCK_SIZE;
  return new Uint8Array(2 * TAR_BLOCK_SIZE + ((TAR_RECORD_SIZE - (withEnd % TAR_RECORD_SIZE)) % TAR_RECORD_SIZE));
}

interface UstarFields {
  prefix: string;
  name: string;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtime: number;
  typeflag: string;
  linkname: string;
  uname: string;
  gname: string;
}

/** One 512-byte ustar header block; the field offsets and widths are the standard's table. */
function ustarHeader(fields: UstarFields): Uint8Array {
  const block = Buffer.alloc(TAR_BLOCK_SIZE);
  block.write(fields.name, 0, 100, 'utf8'); // name[100]
  block.write(octal(fields.mode & 0o7777, 7), 100, 'ascii'); // mode[8]: 7 octal digits and NUL
  block.write(octal(fields.uid, 7), 108, 'ascii'); // uid[8]
  block.write(octal(fields.gid, 7), 116, 'ascii'); // gid[8]
  block.write(octal(fields.size, 11), 124, 'ascii'); // size[12]: 11 octal digits and NUL
  block.write(octal(fields.mtime, 11), 136, 'ascii'); // mtime[12]
  block.fill(0x20, 148, 156); // chksum[8]: spaces while the sum is taken
  block.write(fields.typeflag, 156, 'ascii'); // typeflag[1]
  block.write(fields.linkname, 157, 100, 'utf8'); // linkname[100]
  block.write('ustar\0', 257, 'ascii'); // magic[6]
  block.write('00', 263, 'ascii'); // version[2]
  block.write(fields.uname, 265, 32, 'utf8'); // uname[32], NUL-padded
  block.write(fields.gname, 297, 32, 'utf8'); // gname[32]
  block.write(octal(0, 7), 329, 'ascii'); // devmajor[8]
  block.write(octal(0, 7), 337, 'ascii'); // devminor[8]
  block.write(fields.prefix, 345, 155, 'utf8'); // prefix[155]; bytes 500-511 stay zero
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(`${octal(sum, 6)} `, 148, 'ascii'); // chksum: 6 digits, NUL, space (as GNU tar and tarfile)
  return block;
}

/** `digits` octal digits, zero-padded, then NUL. */
function octal(value: number, digits: number): string {
  return `${value.toString(8).padStart(digits, '0')}\0`;
}

/**
 * Fits an ASCII path into ustar's name[100] and prefix[155], split at a slash. The shortest prefix
 * that works is taken (as Python's tarfile does). Returns undefined when ustar cannot hold the path.
 */
function splitUstarPath(path: string): { prefix: string; name: string } | undefined {
  if (!isAscii(path)) return undefined;
  if (path.length <= 100) return { prefix: '', name: path };
  for (let slash = path.indexOf('/'); slash >= 0; slash = path.indexOf('/', slash + 1)) {
    const prefix = path.slice(0, slash);
    const name = path.slice(slash + 1);
    if (prefix.length > 155) return undefined;
    if (name.length <= 100 && name.length > 0) return { prefix, name };
  }
  return undefined;
}

/** What a ustar field holds when the real value is in a pax record: ASCII, cut to 100 bytes. */
function asciiFallback(value: string): string {
  return Buffer.from(value, 'utf8').toString('latin1').replace(/[^\x20-\x7e]/g, '_').slice(0, 100);
}

/** pax record: "%d %s=%s\n", the decimal length counting itself. */
function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  const bodyLength = byteLength(body);
  let digits = String(bodyLength).length;
  if (String(bodyLength + digits).length > digits) digits += 1;
  return `${bodyLength + digits}${body}`;
}

function isAscii(value: string): boolean {
  return /^[\x00-\x7f]*$/.test(value);
}

function byteLength(value: string): number {
  return Buffer.byteLength(value, 'utf8');
}
