// Reading tar: our own strict parser over the uncompressed stream (IEEE Std 1003.1 "ustar
// Interchange Format" and "pax Interchange Format", plus GNU tar's `L`/`K` long names). It reads
// only what Python's tarfile, GNU tar and bsdtar read alike, and fails on everything else, so that
// what it returns is what an installer extracts. Member data is streamed, never buffered; only
// extended headers are held, up to MAX_EXTENDED_HEADER_BYTES.
import type { Readable } from 'node:stream';
import { FormatError } from '../errors.js';
import type { TarHeaderFields } from './header.js';
import { MAGIC, TAR_BLOCK_SIZE, TYPEFLAG, USTAR, fieldBytes, headerChecksums } from './layout.js';
import type { UstarFieldName } from './layout.js';
import { parsePaxRecords } from './pax.js';
import { ByteSource } from './source.js';

/** pax and GNU long-name headers larger than this are refused rather than buffered. */
export const MAX_EXTENDED_HEADER_BYTES = 1 << 20;

/** The member types the reader returns (typeflags `0`/NUL, `7`, `1`, `2`, `5`, `3`, `4`, `6`). */
export type TarReadType = 'file' | 'contiguous-file' | 'link' | 'symlink' | 'directory' | 'character-device' | 'block-device' | 'fifo';

/**
 * A member as the reader sees it: decoded fields, with pax and GNU long names applied, and `mtime`
 * with the fraction of a pax `mtime` record when there is one.
 */
export interface TarEntryHeader extends TarHeaderFields {
  type: TarReadType;
  /** Link target for symlinks and hard links, else null. */
  linkname: string | null;
  devmajor: number;
  devminor: number;
  /** The pax records of the `x` header before this member, or null. */
  pax: Record<string, string> | null;
  /** Offset of the member's header in the uncompressed archive, for messages. */
  dataOffset: number;
}

export interface TarEntry {
  header: TarEntryHeader;
  /** The member's data; read it to its end (or not at all) before asking for the next entry. */
  body: AsyncIterable<Uint8Array>;
}

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

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Reads the members of an uncompressed tar stream in archive order. Errors of the stream itself pass through unchanged. */
export async function* readTar(stream: Readable): AsyncGenerator<TarEntry> {
  const source = new ByteSource(stream);
  let pending: Pending = {};
  let members = 0;
  for (;;) {
    const at = source.offset;
    const block = await source.read(TAR_BLOCK_SIZE);
    if (block.length === 0) {
      if (pending.kind) throw new FormatError(`tar: the archive ends after ${describePending(pending)} at byte ${pending.at}, without its member`);
      if (members === 0) throw new FormatError('tar: the archive is empty');
      return;
    }
    if (isZero(block)) {
      if (pending.kind) throw new FormatError(`tar: end of archive at byte ${at} right after ${describePending(pending)}`);
      await expectOnlyZeros(source, at);
      return;
    }
    if (block.length < TAR_BLOCK_SIZE) throw new FormatError(`tar: archive is truncated (a partial header block at byte ${at})`);
    const raw = parseBlock(block, at);
    if (raw.typeflag === TYPEFLAG.pax || raw.typeflag === TYPEFLAG.gnuLongName || raw.typeflag === TYPEFLAG.gnuLongLink) {
      pending = await readExtended(source, raw, pending, at);
      continue;
    }
    const type = TYPES[raw.typeflag];
    if (!type) {
      const what = REFUSED_TYPES[raw.typeflag] ?? `unknown typeflag ${JSON.stringify(raw.typeflag)}, which readers extract differently`;
      throw new FormatError(`tar: member ${JSON.stringify(raw.name)} at byte ${at} is ${what}`);
    }
    const header = applyExtended(raw, type, pending, at);
    pending = {};
    members += 1;
    // Python's tarfile and GNU tar give link, directory and device headers no data: bytes after
    // one are the next header to them, so a size there would be read two ways.
    if (type !== 'file' && type !== 'contiguous-file' && header.size !== 0) {
      throw new FormatError(`tar: ${type} member ${JSON.stringify(header.name)} at byte ${at} claims ${header.size} bytes of data (link, directory and device headers carry none)`);
    }
    let remaining = header.size;
    const body = (async function* () {
      while (remaining > 0) {
        const chunk = await source.readSome(remaining);
        if (chunk.length === 0) throw new FormatError(`tar: archive is truncated (data of ${JSON.stringify(header.name)} ends after byte ${source.offset})`);
        remaining -= chunk.length;
        yield chunk;
      }
    })();
    yield { header, body };
    while (remaining > 0) {
      const chunk = await source.readSome(remaining);
      if (chunk.length === 0) throw new FormatError(`tar: archive is truncated (data of ${JSON.stringify(header.name)} ends after byte ${source.offset})`);
      remaining -= chunk.length;
    }
    await skipPadding(source, header.size, header.name);
  }
}

interface RawHeader {
  name: string;
  /** The name field alone, before the prefix: what marks a v7 directory. */
  nameField: string;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtime: number;
  typeflag: string;
  linkname: string;
  uname: string;
  gname: string;
  devmajor: number;
  devminor: number;
}

/** Extended headers seen since the last member: at most one pax `x`, or a GNU `L` and/or `K`. */
interface Pending {
  kind?: 'pax' | 'gnu';
  at?: number;
  pax?: Record<string, string>;
  longName?: string;
  longLink?: string;
}

function describePending(pending: Pending): string {
  return pending.kind === 'pax' ? 'a pax extended header' : 'a GNU long-name header';
}

function parseBlock(block: Buffer, at: number): RawHeader {
  const field = (key: UstarFieldName) => Buffer.from(fieldBytes(block, USTAR[key]));
  const badHeader = () => new FormatError(at === 0
    ? 'tar: no valid header at the start: the data is not a tar archive, or its first header is corrupt'
    : `tar: corrupt header after byte ${at} (bad checksum)`);
  let checksum: number;
  try {
    checksum = parseNumber(field('chksum'), 'chksum', at);
  } catch {
    throw badHeader();
  }
  const { unsigned, signed } = headerChecksums(block);
  if (checksum !== unsigned && checksum !== signed) throw badHeader();
  const magic = block.subarray(USTAR.magic.offset, USTAR.version.offset + USTAR.version.width).toString('latin1');
  const ustar = magic.startsWith(MAGIC.ustar.slice(0, USTAR.magic.width));
  const gnu = magic === MAGIC.gnu;
  const v7 = magic === MAGIC.v7;
  if (!ustar && !gnu && !v7) throw new FormatError(`tar: header at byte ${at} has an unknown magic ${JSON.stringify(magic)}`);
  const typeflag = String.fromCharCode(block[USTAR.typeflag.offset]!);
  const nameField = text(field('name'), 'name', at);
  let name = nameField;
  const prefixBytes = field('prefix');
  if (ustar) {
    const prefix = text(prefixBytes, 'prefix', at);
    // Python strips a directory's trailing slashes before it joins the prefix.
    if (prefix !== '') name = `${prefix}/${name}`;
  } else if (!isZero(prefixBytes)) {
    // GNU headers keep atime, ctime and sparse data there; Python's tarfile would read a prefix.
    throw new FormatError(`tar: ${gnu ? 'GNU' : 'v7'} header at byte ${at} has data in the ustar prefix field, which readers take differently`);
  }
  return {
    name,
    nameField,
    mode: parseNumber(field('mode'), 'mode', at),
    uid: parseNumber(field('uid'), 'uid', at),
    gid: parseNumber(field('gid'), 'gid', at),
    size: parseNumber(field('size'), 'size', at),
    mtime: parseNumber(field('mtime'), 'mtime', at, true),
    typeflag,
    linkname: text(field('linkname'), 'linkname', at),
    uname: ustar || gnu ? text(field('uname'), 'uname', at) : '',
    gname: ustar || gnu ? text(field('gname'), 'gname', at) : '',
    devmajor: ustar || gnu ? parseNumber(field('devmajor'), 'devmajor', at) : 0,
    devminor: ustar || gnu ? parseNumber(field('devminor'), 'devminor', at) : 0,
  };
}

/**
 * A numeric field: octal digits with optional leading and trailing spaces, ended by NUL or the
 * field's end (what both Python's `int(s.strip(), 8)` and GNU tar accept), or base-256 (first byte
 * 0x80; 0xFF, negative, only for mtime). Anything else is read differently by different readers.
 */
function parseNumber(bytes: Buffer, what: string, at: number, mayBeNegative = false): number {
  const first = bytes[0]!;
  if (first === 0x80 || first === 0xff) {
    if (first === 0xff && !mayBeNegative) throw new FormatError(`tar: header at byte ${at} has a negative ${what}`);
    let value = 0n;
    for (let i = 1; i < bytes.length; i++) value = (value << 8n) | BigInt(bytes[i]!);
    if (first === 0xff) value -= 1n << BigInt(8 * (bytes.length - 1));
    if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < -BigInt(Number.MAX_SAFE_INTEGER)) {
      throw new FormatError(`tar: header at byte ${at} has a ${what} too large to read`);
    }
    return Number(value);
  }
  const nul = bytes.indexOf(0);
  const digits = bytes.subarray(0, nul < 0 ? bytes.length : nul).toString('latin1');
  if (digits === '') return 0;
  const match = /^ *([0-7]+) *$/.exec(digits);
  if (!match) throw new FormatError(`tar: header at byte ${at} has a malformed ${what} field ${JSON.stringify(digits)}`);
  return parseInt(match[1]!, 8);
}

/** A text field: up to its first NUL, UTF-8 (an invalid sequence is refused, as every name must be UTF-8). */
function text(bytes: Buffer, what: string, at: number): string {
  const nul = bytes.indexOf(0);
  try {
    return utf8.decode(bytes.subarray(0, nul < 0 ? bytes.length : nul));
  } catch {
    throw new FormatError(`tar: header at byte ${at} has a ${what} that is not valid UTF-8`);
  }
}

async function readExtended(source: ByteSource, raw: RawHeader, pending: Pending, at: number): Promise<Pending> {
  const kind = raw.typeflag === TYPEFLAG.pax ? 'pax' : 'gnu';
  if (pending.kind === 'pax' || (pending.kind === 'gnu' && kind === 'pax')) {
    throw new FormatError(`tar: a second extended header at byte ${at} before one member (readers merge them differently)`);
  }
  if (raw.size > MAX_EXTENDED_HEADER_BYTES) {
    throw new FormatError(`tar: a pax or GNU long-name header at byte ${at} holds ${raw.size} bytes, over the limit of ${MAX_EXTENDED_HEADER_BYTES}`);
  }
  const data = await source.read(raw.size);
  if (data.length < raw.size) throw new FormatError(`tar: archive is truncated (inside the extended header at byte ${at})`);
  await skipPadding(source, raw.size, raw.name);
  if (kind === 'pax') return { kind, at, pax: parsePaxRecords(data, at) };
  // GNU long name or link: the value, NUL-terminated, NUL-padded.
  const nul = data.indexOf(0);
  if (nul < 0 || !isZero(data.subarray(nul))) {
    throw new FormatError(`tar: GNU long-name header at byte ${at} is not a NUL-terminated name`);
  }
  let value: string;
  try {
    value = utf8.decode(data.subarray(0, nul));
  } catch {
    throw new FormatError(`tar: GNU long-name header at byte ${at} holds a name that is not valid UTF-8`);
  }
  const next: Pending = { ...pending, kind, at: pending.at ?? at };
  if (raw.typeflag === TYPEFLAG.gnuLongName) {
    if (pending.longName !== undefined) throw new FormatError(`tar: a second GNU long-name header at byte ${at} before one member`);
    next.longName = value;
  } else {
    if (pending.longLink !== undefined) throw new FormatError(`tar: a second GNU long-link header at byte ${at} before one member`);
    next.longLink = value;
  }
  return next;
}

function applyExtended(raw: RawHeader, type: TarReadType, pending: Pending, at: number): TarEntryHeader {
  let name = raw.name;
  let linkname = raw.linkname;
  let size = raw.size;
  let mtime = raw.mtime;
  let { uid, gid, uname, gname } = raw;
  const pax = pending.pax ?? null;
  if (pax) {
    if (pax.path !== undefined) name = pax.path;
    if (pax.linkpath !== undefined) linkname = pax.linkpath;
    if (pax.size !== undefined) size = Number(pax.size);
    if (pax.mtime !== undefined) mtime = Number(pax.mtime);
    if (pax.uid !== undefined) uid = Number(pax.uid);
    if (pax.gid !== undefined) gid = Number(pax.gid);
    if (pax.uname !== undefined) uname = pax.uname;
    if (pax.gname !== undefined) gname = pax.gname;
  }
  if (pending.longName !== undefined) name = pending.longName;
  if (pending.longLink !== undefined) linkname = pending.longLink;
  let memberType = type;
  // A v7 (typeflag NUL) entry whose name field ends in a slash is a directory to Python and GNU tar.
  if (raw.typeflag === TYPEFLAG.oldFile && raw.nameField.endsWith('/')) {
    memberType = 'directory';
    if (!name.endsWith('/')) throw new FormatError(`tar: member at byte ${at} is a directory by its ustar name ${JSON.stringify(raw.nameField)} but its long name ${JSON.stringify(name)} has no slash`);
  }
  if (memberType !== 'directory' && name.endsWith('/')) {
    throw new FormatError(`tar: ${memberType} member ${JSON.stringify(name)} at byte ${at} has a name ending in a slash (readers differ: a directory or a file)`);
  }
  if (name.includes('\0') || linkname.includes('\0')) throw new FormatError(`tar: member at byte ${at} has a NUL byte in its name or link target`);
  const isLink = memberType === 'link' || memberType === 'symlink';
  return {
    name,
    type: memberType,
    mode: raw.mode,
    uid,
    gid,
    uname,
    gname,
    mtime,
    size,
    linkname: isLink ? linkname : null,
    devmajor: raw.devmajor,
    devminor: raw.devminor,
    pax,
    dataOffset: at,
  };
}

/** The zeros that fill a member's data to a block boundary (their value is ignored by readers). */
async function skipPadding(source: ByteSource, size: number, name: string): Promise<void> {
  const padding = (TAR_BLOCK_SIZE - (size % TAR_BLOCK_SIZE)) % TAR_BLOCK_SIZE;
  if (padding === 0) return;
  const skipped = await source.read(padding);
  if (skipped.length < padding) {
    // A stream that ends inside the last member's padding: readers that pad reads fail on it.
    throw new FormatError(`tar: archive is truncated (the padding after ${JSON.stringify(name)} is cut short)`);
  }
}

/** After the end-of-archive block only zeros may follow: Python stops reading there, other readers do not. */
async function expectOnlyZeros(source: ByteSource, endAt: number): Promise<void> {
  for (;;) {
    const at = source.offset;
    const chunk = await source.readSome(1 << 16);
    if (chunk.length === 0) return;
    const nonZero = chunk.findIndex((byte) => byte !== 0);
    if (nonZero >= 0) {
      throw new FormatError(`tar: data at byte ${at + nonZero} after the end-of-archive block at byte ${endAt} (Python stops at the end block, other readers go on)`);
    }
  }
}

function isZero(bytes: Uint8Array): boolean {
  for (const byte of bytes) if (byte !== 0) return false;
  return true;
}
