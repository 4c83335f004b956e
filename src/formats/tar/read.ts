// Reading tar: our own strict parser over the uncompressed stream (IEEE Std 1003.1 "ustar
// Interchange Format" and "pax Interchange Format", plus GNU tar's `L`/`K` long names). It reads
// only what Python's tarfile, GNU tar and bsdtar read alike, and fails on everything else, so that
// what it returns is what an installer extracts. Member data is streamed, never buffered; only
// extended headers are held, up to MAX_EXTENDED_HEADER_BYTES.
import { FormatError, quotedName } from '../errors.js';
import type { ByteCoverage } from '../coverage.js';
import { firstNonZero, parseHeaderBlock } from './block.js';
import type { RawHeader, TarReadType } from './block.js';
import type { TarHeaderFields } from './header.js';
import { TAR_BLOCK_SIZE, TYPEFLAG } from './layout.js';
import { tarPaddingLength } from './header.js';
import { parsePaxRecords } from './pax.js';
import { ByteSource } from './source.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** pax and GNU long-name headers larger than this are refused rather than buffered. */
export const MAX_EXTENDED_HEADER_BYTES = 1 << 20;

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

/**
 * Reads the members of an uncompressed tar stream in archive order. Errors of the stream itself pass
 * through unchanged. With a coverage, every byte range read is marked on it, as what it was taken for.
 */
export async function* readTar(stream: AsyncIterable<Uint8Array>, coverage?: ByteCoverage): AsyncGenerator<TarEntry> {
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
    if (firstNonZero(block) < 0) {
      if (pending.kind) throw new FormatError(`tar: end of archive at byte ${at} right after ${describePending(pending)}`);
      await expectOnlyZeros(source, at, coverage);
      return;
    }
    if (block.length < TAR_BLOCK_SIZE) throw new FormatError(`tar: archive is truncated (a partial header block at byte ${at})`);
    const raw = parseHeaderBlock(block, at, coverage);
    const type = raw.type;
    if (!type) {
      pending = await readExtended(source, raw, pending, at, coverage);
      continue;
    }
    checkUnusedFields(raw, type, at);
    const header = applyExtended(raw, type, pending, at);
    pending = {};
    members += 1;
    // Python's tarfile and GNU tar give link, directory and device headers no data: bytes after
    // one are the next header to them, so a size there would be read two ways. The member's type,
    // not the typeflag's: a v7 file whose name ends in a slash is a directory to them too.
    if (header.type !== 'file' && header.type !== 'contiguous-file' && header.size !== 0) {
      throw new FormatError(`tar: ${header.type} member ${quotedName(header.name)} at byte ${at} claims ${header.size} bytes of data (link, directory and device headers carry none)`);
    }
    coverage?.mark(source.offset, source.offset + header.size, `data of ${quotedName(header.name)}`);
    let remaining = header.size;
    const body = (async function* () {
      while (remaining > 0) {
        const chunk = await source.readSome(remaining);
        if (chunk.length === 0) throw new FormatError(`tar: archive is truncated (data of ${quotedName(header.name)} ends after byte ${source.offset})`);
        remaining -= chunk.length;
        yield chunk;
      }
    })();
    yield { header, body };
    while (remaining > 0) {
      const chunk = await source.readSome(remaining);
      if (chunk.length === 0) throw new FormatError(`tar: archive is truncated (data of ${quotedName(header.name)} ends after byte ${source.offset})`);
      remaining -= chunk.length;
    }
    await readPadding(source, header.size, () => `the data of ${quotedName(header.name)}`, coverage);
  }
}

/**
 * A member header's link target and device numbers when it is not a link or a device: every reader
 * ignores them and every writer leaves them empty. (An extended header's own fields other than
 * typeflag and size are ignored by every reader, and writers fill them variously: they are only
 * parsed, as Python parses them.)
 */
function checkUnusedFields(raw: RawHeader, type: TarReadType, at: number): void {
  if (type !== 'link' && type !== 'symlink' && raw.linkname !== '') {
    throw new FormatError(`tar: header at byte ${at} (typeflag ${JSON.stringify(raw.typeflag)}) has a link target ${quotedName(raw.linkname)}, which only links carry`);
  }
  if (type !== 'character-device' && type !== 'block-device' && (raw.devmajor !== 0 || raw.devminor !== 0)) {
    throw new FormatError(`tar: header at byte ${at} (typeflag ${JSON.stringify(raw.typeflag)}) has device numbers ${raw.devmajor},${raw.devminor}, which only devices carry`);
  }
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

async function readExtended(source: ByteSource, raw: RawHeader, pending: Pending, at: number, coverage?: ByteCoverage): Promise<Pending> {
  const kind = raw.typeflag === TYPEFLAG.pax ? 'pax' : 'gnu';
  if (pending.kind === 'pax' || (pending.kind === 'gnu' && kind === 'pax')) {
    throw new FormatError(`tar: a second extended header at byte ${at} before one member (readers merge them differently)`);
  }
  if (raw.size > MAX_EXTENDED_HEADER_BYTES) {
    throw new FormatError(`tar: a pax or GNU long-name header at byte ${at} holds ${raw.size} bytes, over the limit of ${MAX_EXTENDED_HEADER_BYTES}`);
  }
  const dataAt = source.offset;
  const data = await source.read(raw.size);
  if (data.length < raw.size) throw new FormatError(`tar: archive is truncated (inside the extended header at byte ${at})`);
  // Python reads the records, or the long name, over the whole padded block: the padding must be zeros.
  await readPadding(source, raw.size, () => `the ${kind === 'pax' ? 'pax records' : 'GNU long name'} of the header at byte ${at}`, coverage);
  coverage?.mark(dataAt, dataAt + raw.size, `${kind === 'pax' ? 'pax records' : 'GNU long name'} of the header at byte ${at}`);
  if (kind === 'pax') return { kind, at, pax: parsePaxRecords(data, at) };
  // GNU long name or link: the value, NUL-terminated, NUL-padded.
  const nul = data.indexOf(0);
  if (nul < 0 || firstNonZero(data, nul) >= 0) {
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
  const isLink = type === 'link' || type === 'symlink';
  if (!isLink && linkname !== raw.linkname) {
    throw new FormatError(`tar: ${type} member ${quotedName(name)} at byte ${at} has a link target in a ${pending.longLink === undefined ? 'pax linkpath record' : 'GNU long-link header'}, which only links carry`);
  }
  let memberType = type;
  // A v7 (typeflag NUL) entry whose name field ends in a slash is a directory to Python and GNU tar.
  if (raw.typeflag === TYPEFLAG.oldFile && raw.nameField.endsWith('/')) {
    memberType = 'directory';
    if (!name.endsWith('/')) throw new FormatError(`tar: member at byte ${at} is a directory by its ustar name ${quotedName(raw.nameField)} but its long name ${quotedName(name)} has no slash`);
  }
  if (memberType !== 'directory' && name.endsWith('/')) {
    throw new FormatError(`tar: ${memberType} member ${quotedName(name)} at byte ${at} has a name ending in a slash (readers differ: a directory or a file)`);
  }
  if (name.includes('\0') || linkname.includes('\0')) throw new FormatError(`tar: member at byte ${at} has a NUL byte in its name or link target`);
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

/**
 * The zeros that fill data (a member's, or an extended header's) to a block boundary. Readers skip
 * them, except Python's tarfile, which parses pax records and GNU long names over them; writers
 * write zeros. `what` names the padded data in a refusal or a coverage mark: it is called only then,
 * not for every member read.
 */
async function readPadding(source: ByteSource, size: number, what: () => string, coverage?: ByteCoverage): Promise<void> {
  const length = tarPaddingLength(size);
  if (length === 0) return;
  const at = source.offset;
  // Checked where it lies in the stream's chunks, not copied out.
  for (let checked = 0; checked < length; ) {
    const piece = await source.readSome(length - checked);
    if (piece.length === 0) {
      // A stream that ends inside the last member's padding: readers that pad reads fail on it.
      throw new FormatError(`tar: archive is truncated (the padding after ${what()} is cut short)`);
    }
    const nonZero = firstNonZero(piece);
    if (nonZero >= 0) throw new FormatError(`tar: the padding after ${what()} has data at byte ${at + checked + nonZero}, where writers write zeros`);
    checked += piece.length;
  }
  coverage?.mark(at, at + length, `zero padding after ${what()}`);
}

/** After the end-of-archive block only zeros may follow: Python stops reading there, other readers do not. */
async function expectOnlyZeros(source: ByteSource, endAt: number, coverage?: ByteCoverage): Promise<void> {
  for (;;) {
    const at = source.offset;
    const chunk = await source.readSome(1 << 16);
    if (chunk.length === 0) break;
    const nonZero = firstNonZero(chunk);
    if (nonZero >= 0) {
      throw new FormatError(`tar: data at byte ${at + nonZero} after the end-of-archive block at byte ${endAt} (Python stops at the end block, other readers go on)`);
    }
  }
  coverage?.mark(endAt, source.offset, 'the end-of-archive block and the zeros after it');
}
