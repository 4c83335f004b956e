// The tar header codec (IEEE Std 1003.1, pax utility: "ustar Interchange Format" and "pax
// Interchange Format"): one member's header block(s), field by field (the layout is ./layout.ts),
// and the archive's padding. Bytes only: which fields a member gets is policy
// (src/normalize/sdist/plan.ts).
import { MAGIC, TAR_BLOCK_SIZE, TYPEFLAG, USTAR, headerChecksums, maxOctal } from './layout.js';
import type { HeaderField } from './layout.js';

/** GNU tar and Python's tarfile pad the archive to 20 blocks (the default blocking factor). */
export const TAR_RECORD_SIZE = 20 * TAR_BLOCK_SIZE;
/** The largest size or mtime a ustar header holds; larger sizes go to a pax record. */
const MAX_OCTAL_11 = maxOctal(USTAR.size);

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

/** The typeflag written for each member type. */
const MEMBER_TYPEFLAG: Record<TarMemberType, string> = { file: TYPEFLAG.file, link: TYPEFLAG.link, symlink: TYPEFLAG.symlink, directory: TYPEFLAG.directory };
/** The name of every pax extended header we write: Python's tarfile uses the same fixed name. */
export const PAX_HEADER_NAME = '././@PaxHeader';

/** The pax records of a member ustar holds whole (most members): none. */
const NO_RECORDS = Buffer.alloc(0);

/** What a member's ustar header holds, and the pax records (sorted by key) for what it cannot. */
interface HeaderPlan {
  path: { prefix: string; name: string } | undefined;
  storedName: string;
  linkname: string;
  linkFits: boolean;
  /** The pax records' bytes; empty when ustar holds everything. */
  records: Buffer;
}

/** A pax record is needed for a path or link target that is not ASCII or too long, and a size of 8 GiB or more. */
function planHeader(member: Pick<TarWriteMember, 'name' | 'type' | 'linkname' | 'size'>): HeaderPlan {
  const storedName = member.type === 'directory' ? `${member.name}/` : member.name;
  const pax: [string, string][] = [];
  const path = splitUstarPath(storedName);
  if (!path) pax.push(['path', storedName]);
  const linkname = member.linkname ?? '';
  const linkFits = isAscii(linkname) && byteLength(linkname) <= USTAR.linkname.width;
  if (!linkFits) pax.push(['linkpath', linkname]);
  if (member.size > MAX_OCTAL_11) pax.push(['size', String(member.size)]);
  const records = pax.length === 0 ? NO_RECORDS : Buffer.from(pax.sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => paxRecord(k, v)).join(''), 'utf8');
  return { path, storedName, linkname, linkFits, records };
}

/** The bytes encodeTarHeaders gives a member, without encoding it: one block, or three and more with a pax header. */
export function tarHeadersSize(member: Pick<TarWriteMember, 'name' | 'type' | 'linkname' | 'size'>): number {
  const { records } = planHeader(member);
  return records.length === 0 ? TAR_BLOCK_SIZE : 2 * TAR_BLOCK_SIZE + records.length + tarPaddingLength(records.length);
}

/**
 * Encodes the header block(s) of one member: a ustar header, preceded by a pax extended header only
 * for what ustar cannot hold: a path or link target that is not ASCII or too long, a size of 8 GiB or
 * more. Records are sorted by key.
 */
export function encodeTarHeaders(member: TarWriteMember): Uint8Array {
  if (!Number.isInteger(member.mtime) || member.mtime < 0 || member.mtime > MAX_OCTAL_11) {
    throw new RangeError(`tar: mtime ${member.mtime} does not fit a ustar header`);
  }
  const { path, storedName, linkname, linkFits, records } = planHeader(member);
  const ustar = ustarHeader({
    prefix: path?.prefix ?? '',
    name: path?.name ?? asciiFallback(storedName),
    mode: member.mode,
    uid: member.uid,
    gid: member.gid,
    size: member.size > MAX_OCTAL_11 ? 0 : member.size,
    mtime: member.mtime,
    typeflag: MEMBER_TYPEFLAG[member.type],
    linkname: linkFits ? linkname : asciiFallback(linkname),
    uname: member.uname,
    gname: member.gname,
  });
  if (records.length === 0) return ustar;

  const paxHeader = ustarHeader({
    prefix: '',
    name: PAX_HEADER_NAME,
    mode: 0o644,
    uid: 0,
    gid: 0,
    size: records.length,
    mtime: member.mtime,
    typeflag: TYPEFLAG.pax,
    linkname: '',
    uname: '',
    gname: '',
  });
  return Buffer.concat([paxHeader, records, tarPadding(records.length), ustar]);
}

/** How many zero bytes fill `size` bytes of data up to the next block boundary. */
export function tarPaddingLength(size: number): number {
  return (TAR_BLOCK_SIZE - (size % TAR_BLOCK_SIZE)) % TAR_BLOCK_SIZE;
}

/** Never written to: every padding handed out is a view of it. */
const ZERO_BLOCK = new Uint8Array(TAR_BLOCK_SIZE);

/** Zero bytes that fill a member's data up to the next block boundary (a view of one shared zero block: read it, never write it). */
export function tarPadding(size: number): Uint8Array {
  return ZERO_BLOCK.subarray(0, tarPaddingLength(size));
}

/** The end of an archive of `written` bytes: two zero blocks, then zeros up to a whole record. */
export function tarEnd(written: number): Uint8Array {
  const withEnd = written + 2 * TAR_BLOCK_SIZE;
  return new Uint8Array(2 * TAR_BLOCK_SIZE + ((TAR_RECORD_SIZE - (withEnd % TAR_RECORD_SIZE)) % TAR_RECORD_SIZE));
}

/** What one ustar block is written from: `name` is the name field, the rest of the path is in `prefix`. */
interface UstarFields extends TarHeaderFields {
  prefix: string;
  typeflag: string;
  linkname: string;
}

/** One 512-byte ustar header block, field by field in the layout's order; the rest stays zero. */
function ustarHeader(fields: UstarFields): Uint8Array {
  const block = Buffer.alloc(TAR_BLOCK_SIZE);
  writeText(block, USTAR.name, fields.name);
  writeOctal(block, USTAR.mode, fields.mode & 0o7777);
  writeOctal(block, USTAR.uid, fields.uid);
  writeOctal(block, USTAR.gid, fields.gid);
  writeOctal(block, USTAR.size, fields.size);
  writeOctal(block, USTAR.mtime, fields.mtime);
  block.write(fields.typeflag, USTAR.typeflag.offset, 'latin1');
  writeText(block, USTAR.linkname, fields.linkname);
  block.write(MAGIC.ustar, USTAR.magic.offset, 'latin1'); // magic and version
  writeText(block, USTAR.uname, fields.uname);
  writeText(block, USTAR.gname, fields.gname);
  writeOctal(block, USTAR.devmajor, 0);
  writeOctal(block, USTAR.devminor, 0);
  writeText(block, USTAR.prefix, fields.prefix);
  // chksum: 6 digits, NUL, space (as GNU tar and tarfile write it), summed with the field as spaces.
  const sum = headerChecksums(block).unsigned;
  writeDigits(block, USTAR.chksum.offset, USTAR.chksum.width - 2, sum);
  block[USTAR.chksum.offset + USTAR.chksum.width - 1] = 0x20;
  return block;
}

/** A text field: UTF-8, cut to the field's width, NUL-padded (the block is zero). */
function writeText(block: Buffer, field: HeaderField, value: string): void {
  block.write(value, field.offset, field.width, 'utf8');
}

/** An octal field: width - 1 zero-padded digits, then NUL (the block is zero). */
function writeOctal(block: Buffer, field: HeaderField, value: number): void {
  writeDigits(block, field.offset, field.width - 1, value);
}

/** `value` as `digits` zero-padded octal digits at `offset`, written byte by byte (no string per field). */
function writeDigits(block: Buffer, offset: number, digits: number, value: number): void {
  let rest = value;
  for (let i = offset + digits - 1; i >= offset; i--) {
    block[i] = 0x30 + (rest % 8);
    rest = Math.floor(rest / 8);
  }
  if (rest !== 0) throw new RangeError(`tar: ${value} does not fit ${digits} octal digits`);
}

/**
 * Fits an ASCII path into ustar's name[100] and prefix[155], split at a slash. The shortest prefix
 * that works is taken (as Python's tarfile does). Returns undefined when ustar cannot hold the path.
 */
function splitUstarPath(path: string): { prefix: string; name: string } | undefined {
  if (!isAscii(path)) return undefined;
  if (path.length <= USTAR.name.width) return { prefix: '', name: path };
  for (let slash = path.indexOf('/'); slash >= 0; slash = path.indexOf('/', slash + 1)) {
    const prefix = path.slice(0, slash);
    const name = path.slice(slash + 1);
    if (prefix.length > USTAR.prefix.width) return undefined;
    if (name.length <= USTAR.name.width && name.length > 0) return { prefix, name };
  }
  return undefined;
}

/** What a ustar field holds when the real value is in a pax record: ASCII, cut to the field's 100 bytes. */
function asciiFallback(value: string): string {
  return Buffer.from(value, 'utf8').toString('latin1').replace(/[^\x20-\x7e]/g, '_').slice(0, USTAR.name.width);
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
