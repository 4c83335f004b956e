// tar archives: POSIX.1-1988 ustar headers with POSIX.1-2001 pax extended headers (IEEE Std 1003.1,
// "pax" utility, section "ustar Interchange Format" and "pax Interchange Format"). Parsing is
// tar-stream's (it also reads GNU and v7 headers); this module wraps it and writes the headers.
import type { Readable } from 'node:stream';
import tarStream from 'tar-stream';
import { FormatError } from './errors.js';
import type { ByteSink } from './deflate.js';

/** Every tar header and data unit is a multiple of this (ustar: "blocks of 512 octets"). */
export const TAR_BLOCK_SIZE = 512;
/** GNU tar and Python's tarfile pad the archive to 20 blocks (the default blocking factor). */
export const TAR_RECORD_SIZE = 20 * TAR_BLOCK_SIZE;
/** The largest value an 11-digit octal size or mtime field holds. */
const MAX_OCTAL_11 = 8 ** 11 - 1;
/** pax and GNU long-name headers larger than this are refused rather than buffered. */
const MAX_EXTENDED_HEADER_BYTES = 1 << 20;

export type TarMemberType = 'file' | 'directory' | 'symlink' | 'link';

/** A member as the reader sees it: decoded fields, with pax and GNU long names already applied. */
export interface TarEntryHeader {
  name: string;
  /** tar-stream's type name; null for a typeflag it does not know (GNU sparse, volume label...). */
  type: string | null;
  mode: number;
  uid: number;
  gid: number;
  uname: string;
  gname: string;
  /** Seconds since 1970, with the fraction of a pax `mtime` record when there is one. */
  mtime: number;
  size: number;
  linkname: string | null;
  devmajor: number;
  devminor: number;
  /** The pax records that applied to this member (global ones included), or null. */
  pax: Record<string, string> | null;
  /** Offset of the member's data in the uncompressed archive, for messages. */
  dataOffset: number;
}

export interface TarEntry {
  header: TarEntryHeader;
  /** The member's data; must be read to its end before the next entry comes. */
  body: AsyncIterable<Uint8Array>;
}

/**
 * Reads the members of an uncompressed tar stream in archive order. Errors of the stream itself
 * (inflating) pass through unchanged; tar errors become FormatErrors.
 */
export async function* readTar(source: Readable): AsyncGenerator<TarEntry> {
  // v7 headers have no magic; tar-stream refuses them unless told otherwise.
  const extract = tarStream.extract({ allowUnknownFormat: true } as Parameters<typeof tarStream.extract>[0]);
  let sourceError: unknown;
  source.on('error', (error) => {
    sourceError = error;
    extract.destroy(error);
  });
  source.pipe(extract);
  let lastOffset = 0;
  const translate = (error: unknown) => (error === sourceError ? error : new FormatError(describeTarError(error, lastOffset)));
  async function* body(entry: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
    try {
      yield* entry;
    } catch (error) {
      throw translate(error);
    }
  }
  try {
    for await (const entry of extract) {
      const raw = entry.header as tarStream.Header & { byteOffset?: number; pax?: Record<string, string> | null };
      lastOffset = raw.byteOffset ?? lastOffset;
      // tar-stream does not skip the data of a directory entry, and then stalls: refuse it here.
      if (raw.type === 'directory' && (raw.size ?? 0) > 0) {
        throw new FormatError(`tar: directory entry ${JSON.stringify(raw.name)} at byte ${lastOffset} claims ${raw.size} bytes of data`);
      }
      const paxMtime = raw.pax?.mtime !== undefined ? Number(raw.pax.mtime) : NaN;
      yield {
        header: {
          name: raw.name,
          type: raw.type ?? null,
          mode: raw.mode ?? 0,
          uid: raw.uid ?? 0,
          gid: raw.gid ?? 0,
          uname: raw.uname ?? '',
          gname: raw.gname ?? '',
          mtime: Number.isFinite(paxMtime) ? paxMtime : (raw.mtime?.getTime() ?? 0) / 1000,
          size: raw.size ?? 0,
          linkname: raw.linkname ?? null,
          devmajor: raw.devmajor ?? 0,
          devminor: raw.devminor ?? 0,
          pax: raw.pax ?? null,
          dataOffset: lastOffset,
        },
        body: body(entry as AsyncIterable<Uint8Array>),
      };
    }
  } catch (error) {
    throw error instanceof FormatError ? error : translate(error);
  }
}

function describeTarError(error: unknown, lastOffset: number): string {
  const message = error instanceof Error ? error.message : String(error);
  if (/Invalid tar header/.test(message)) {
    return lastOffset === 0
      ? 'tar: no valid header at the start: the data is not a tar archive, or its first header is corrupt'
      : `tar: corrupt header after byte ${lastOffset} (bad checksum or unknown format)`;
  }
  if (/Unexpected end of data/.test(message)) return `tar: archive is truncated (data ends inside a member after byte ${lastOffset})`;
  if (/Header exceeds max size/.test(message)) return `tar: a pax or GNU long-name header after byte ${lastOffset} exceeds ${MAX_EXTENDED_HEADER_BYTES} bytes`;
  if (/Invalid header/.test(message)) return `tar: header after byte ${lastOffset} has an invalid size field`;
  return `tar: ${message}`;
}

/** A member as the writer writes it. */
export interface TarWriteMember {
  /** The path, without a trailing slash (the writer adds one to directories). */
  name: string;
  type: TarMemberType;
  mode: number;
  uid: number;
  gid: number;
  uname: string;
  gname: string;
  /** Whole seconds since 1970. */
  mtime: number;
  /** Data length; 0 for everything but files. */
  size: number;
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

/** Writes members and the end of the archive to a sink, counting bytes for the end padding. */
export class TarWriter {
  private written = 0;

  constructor(private readonly sink: ByteSink) {}

  async writeMember(member: TarWriteMember, data?: AsyncIterable<Uint8Array>): Promise<void> {
    await this.put(encodeTarHeaders(member));
    let length = 0;
    if (data) {
      for await (const chunk of data) {
        length += chunk.length;
        await this.put(chunk);
      }
    }
    if (length !== member.size) throw new Error(`tar: ${member.name}: wrote ${length} bytes of data, header says ${member.size}`);
    await this.put(tarPadding(length));
  }

  async end(): Promise<void> {
    await this.put(tarEnd(this.written));
  }

  private async put(bytes: Uint8Array): Promise<void> {
    if (bytes.length === 0) return;
    this.written += bytes.length;
    await this.sink(bytes);
  }
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
