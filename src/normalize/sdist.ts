// The normal form of an sdist (docs/normal-form.md, "sdist"). Three passes, none holding member
// data in memory: index (inflate, validate, hash, and spool member data to a file beside the
// output, since sorting needs random access), write (sorted, from the spool), and later a verify
// pass over the written file.
import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { asGzipError, GzipWriter, GZIP_OS_UNIX, gzipFlagNames, normalGzipHeader, openGunzip, parseGzipHeader } from '../formats/gzip.js';
import type { GzipHeader } from '../formats/gzip.js';
import { readTar, TarWriter } from '../formats/tar/index.js';
import type { TarMemberType, TarWriteMember } from '../formats/tar/index.js';
import type { ByteSink } from '../formats/sink.js';
import { compareNames, withImpliedDirectories } from './content.js';
import type { ContentRecord } from './content.js';
import { DEFAULT_LEVEL, normalFileMode, normalMtime } from './options.js';
import type { NormalizeOptions } from './options.js';
import { ChangeLog } from './report.js';
import { RefusedInput, checkMemberName, checkLinkTarget, checkParentsAreDirectories } from './refusal.js';
import { removeScratch, scratchPath } from './scratch.js';
import type { ArtefactHandler } from './artefact.js';

/** Mode of directories, and of symlinks (what lstat reports on Linux), in the normal form. */
const DIRECTORY_MODE = 0o755;
const SYMLINK_MODE = 0o777;
/** Spool reads and writes in pieces of this size. */
const SPOOL_CHUNK = 1 << 20;

interface IndexedMember {
  path: string;
  type: TarMemberType;
  mode: number;
  mtime: number;
  /** Files: where the data sits in the spool. */
  spoolOffset: number;
  size: number;
  sha256: string;
  /** Symlinks: target as stored. Hard links: the path of the file whose data they share. */
  linkname: string;
}

export interface SdistIndex {
  gzipHeader: GzipHeader;
  members: IndexedMember[];
  /** sha256 of the uncompressed tar, to tell tar changes from compression changes. */
  tarSha256: string;
  changes: ChangeLog;
}

/** Pass 1: reads and validates every member, spooling file data to `spool` when one is given. */
export async function indexSdist(inputPath: string, spool: FileHandle | null): Promise<SdistIndex> {
  const { header, stream } = await openGunzip(inputPath);
  const changes = new ChangeLog();
  const members: IndexedMember[] = [];
  const seen = new Map<string, IndexedMember>();
  const tarHash = createHash('sha256');
  stream.on('data', (chunk: Uint8Array) => tarHash.update(chunk));
  let spoolOffset = 0;
  try {
    for await (const { header: entry, body } of readTar(stream)) {
      const path = checkMemberName(entry.name);
      const type = memberType(entry.type, path);
      if (seen.has(path)) throw new RefusedInput(`${path}: duplicate member name`);
      let linkname = '';
      if (type === 'symlink') linkname = checkLinkTarget(path, entry.linkname ?? '');
      if (type === 'link') {
        const target = seen.get(checkMemberName(entry.linkname ?? ''));
        if (!target || (target.type !== 'file' && target.type !== 'link')) {
          throw new RefusedInput(`${path}: hard link to ${JSON.stringify(entry.linkname)}, which is not an earlier regular file`);
        }
        linkname = target.type === 'link' ? target.linkname : target.path;
      }
      const hash = createHash('sha256');
      let size = 0;
      for await (const chunk of body) {
        hash.update(chunk);
        if (type === 'file' && spool) await spool.write(chunk, 0, chunk.length, spoolOffset + size);
        size += chunk.length;
      }
      const member: IndexedMember = { path, type, mode: entry.mode, mtime: entry.mtime, spoolOffset, size, sha256: hash.digest('hex'), linkname };
      if (type === 'link') {
        // A hard link is another name for its target's data and mode.
        const root = seen.get(linkname)!;
        member.sha256 = root.sha256;
        member.mode = root.mode;
      }
      if (type === 'file') spoolOffset += size;
      members.push(member);
      seen.set(path, member);
      noteHeaderChanges(changes, member, entry);
    }
  } catch (error) {
    throw asGzipError(error);
  }
  if (members.length === 0) throw new RefusedInput('tar: the archive has no members');
  return { gzipHeader: header, members, tarSha256: tarHash.digest('hex'), changes };
}

function memberType(type: string | null, path: string): TarMemberType {
  switch (type) {
    case 'file':
    case 'contiguous-file':
      return 'file';
    case 'directory':
    case 'symlink':
    case 'link':
      return type;
    case 'character-device':
    case 'block-device':
    case 'fifo':
      throw new RefusedInput(`${path}: ${type} members are refused (an sdist holds files, directories and links)`);
    default:
      throw new RefusedInput(`${path}: unsupported tar member type${type ? ` ${type}` : ''}`);
  }
}

/** Records which header fields of an input member differ from the normal form (policy-independent ones). */
function noteHeaderChanges(changes: ChangeLog, member: IndexedMember, entry: { uid: number; gid: number; uname: string; gname: string; pax: Record<string, string> | null }): void {
  if (entry.uid !== 0 || entry.gid !== 0 || entry.uname !== '' || entry.gname !== '') {
    changes.add('tar owner (uid/gid/uname/gname)', `${member.path} (${entry.uname || entry.uid}:${entry.gname || entry.gid})`);
  }
  if (member.mode & 0o7777 & ~0o777) changes.add('tar setuid/setgid/sticky bits', member.path);
  const wantedMode = member.type === 'directory' ? DIRECTORY_MODE : member.type === 'symlink' ? SYMLINK_MODE : normalFileMode(member.mode);
  if ((member.mode & 0o7777) !== wantedMode) changes.add('tar mode', `${member.path} (${(member.mode & 0o7777).toString(8)})`);
  const dropped = Object.keys(entry.pax ?? {}).filter((key) => key !== 'path' && key !== 'linkpath' && key !== 'size');
  if (dropped.length > 0) changes.add('tar pax records', `${member.path} (${dropped.sort().join(', ')})`);
}

/** A member of the output, in order, with where its data comes from. */
interface PlannedMember {
  header: TarWriteMember;
  source?: IndexedMember;
}

/** Pass 2a: the output members in normal order, and the policy-dependent changes. */
export function planSdist(index: SdistIndex, options: NormalizeOptions): PlannedMember[] {
  const { members, changes } = index;
  checkParentsAreDirectories(members);
  const byPath = new Map(members.map((m) => [m.path, m]));

  // Hard-linked names share one file; the first name in normal order carries the data.
  const linkGroups = new Map<string, string[]>();
  for (const member of members) {
    const root = member.type === 'link' ? member.linkname : member.path;
    if (member.type === 'file' || member.type === 'link') linkGroups.set(root, [...(linkGroups.get(root) ?? []), member.path]);
  }
  const dataHolder = new Map<string, string>();
  for (const [root, names] of linkGroups) {
    const first = names.sort(compareNames)[0]!;
    if (first !== root) changes.add('tar hard links (data moved to the first name)', first);
    for (const name of names) dataHolder.set(name, first);
  }

  const planned: PlannedMember[] = [];
  const base = { uid: 0, gid: 0, uname: '', gname: '' };
  for (const record of withImpliedDirectories(members.map(asContentRecord))) {
    const member = byPath.get(record.name);
    const mtime = member ? normalMtime(member.mtime, options) : options.epoch;
    if (member && member.mtime !== mtime) changes.add('tar mtime', `${member.path} (${member.mtime})`);
    if (!member) {
      changes.add('tar directory entries added', record.name);
      planned.push({ header: { ...base, name: record.name, type: 'directory', mode: DIRECTORY_MODE, mtime, size: 0 } });
    } else if (member.type === 'directory') {
      planned.push({ header: { ...base, name: member.path, type: 'directory', mode: DIRECTORY_MODE, mtime, size: 0 } });
    } else if (member.type === 'symlink') {
      planned.push({ header: { ...base, name: member.path, type: 'symlink', mode: SYMLINK_MODE, mtime, size: 0, linkname: member.linkname } });
    } else {
      const holder = dataHolder.get(member.path)!;
      const root = member.type === 'link' ? byPath.get(member.linkname)! : member;
      const mode = normalFileMode(root.mode);
      if (holder === member.path) {
        planned.push({ header: { ...base, name: member.path, type: 'file', mode, mtime, size: root.size }, source: root });
      } else {
        planned.push({ header: { ...base, name: member.path, type: 'link', mode, mtime, size: 0, linkname: holder } });
      }
    }
  }
  const inputOrder = members.map((m) => m.path);
  const outputOrder = planned.map((p) => p.header.name).filter((name) => byPath.has(name));
  const moved = inputOrder.filter((name, i) => outputOrder[i] !== name);
  if (moved.length > 0) changes.add('tar member order', `${moved.length} of ${inputOrder.length} members move`);
  return planned;
}

/** The content view of the indexed input: what the output must hold. */
export function sdistIndexContent(index: SdistIndex): ContentRecord[] {
  return withImpliedDirectories(index.members.map(asContentRecord));
}

function asContentRecord(member: IndexedMember): ContentRecord {
  const base = { name: member.path, executable: false, sha256: '', linkTarget: '' };
  if (member.type === 'directory') return { ...base, type: 'directory' };
  if (member.type === 'symlink') return { ...base, type: 'symlink', linkTarget: member.linkname };
  return { ...base, type: 'file', executable: (member.mode & 0o111) !== 0, sha256: member.sha256 };
}

export interface SdistWriteResult {
  /** sha256 of the uncompressed tar written. */
  tarSha256: string;
}

/** Pass 2b: writes the planned members as a normal-form .tar.gz to `sink`. */
export async function writeSdist(planned: PlannedMember[], spool: FileHandle, sink: ByteSink, options: NormalizeOptions): Promise<SdistWriteResult> {
  const gzip = new GzipWriter(options.level ?? DEFAULT_LEVEL, sink, options.compressor, options.blocksInFlight);
  const tarHash = createHash('sha256');
  const tar = new TarWriter(async (bytes) => {
    tarHash.update(bytes);
    await gzip.write(bytes);
  });
  const total = planned.reduce((sum, p) => sum + (p.source?.size ?? 0), 0);
  const chunk = Buffer.allocUnsafe(SPOOL_CHUNK);
  let done = 0;
  for (const { header, source } of planned) {
    await tar.writeMember(header, source ? readSpool(spool, source.spoolOffset, source.size, chunk) : undefined);
    done += source?.size ?? 0;
    options.onProgress?.(done, total);
  }
  await tar.end();
  await gzip.end();
  return { tarSha256: tarHash.digest('hex') };
}

/**
 * Reads a member's data back from the spool into one reused buffer: each chunk is consumed (hashed
 * and copied into a deflate block) before the next read, and not allocating a MiB per read keeps
 * the garbage collector, and so memory, quiet on large members.
 */
async function* readSpool(spool: FileHandle, offset: number, size: number, buffer: Buffer): AsyncGenerator<Uint8Array> {
  for (let done = 0; done < size; ) {
    const { bytesRead } = await spool.read(buffer, 0, Math.min(buffer.length, size - done), offset + done);
    if (bytesRead === 0) throw new Error('spool file ended early');
    done += bytesRead;
    yield buffer.subarray(0, bytesRead);
  }
}

/** Notes the gzip-level changes once the tar-level outcome is known. */
export function noteGzipChanges(index: SdistIndex, written: SdistWriteResult, level: number): void {
  const { gzipHeader: header, changes } = index;
  const normal = parseGzipHeader(normalGzipHeader(level));
  const flags = gzipFlagNames(header.flags);
  if (flags.length > 0) changes.add('gzip flags', flags.join(' '));
  if (header.fileName !== undefined) changes.add('gzip FNAME', header.fileName);
  if (header.mtime !== 0) changes.add('gzip MTIME', String(header.mtime));
  if (header.os !== GZIP_OS_UNIX) changes.add('gzip OS', String(header.os));
  if (header.xfl !== normal.xfl) changes.add('gzip XFL', String(header.xfl));
  if (written.tarSha256 !== index.tarSha256 && !index.changes.list().some((c) => c.field.startsWith('tar '))) {
    changes.add('tar header encoding (format, numeric fields, end padding)', 'whole archive');
  }
}

/** Reads the content view of a .tar.gz (used to verify what was written, and by check). */
export async function readSdistContent(path: string): Promise<ContentRecord[]> {
  return sdistIndexContent(await indexSdist(path, null));
}

/** The sdist handler: `.tar.gz` files. */
export const sdistHandler: ArtefactHandler = {
  kind: 'sdist',
  matches: (fileName) => fileName.endsWith('.tar.gz'),
  async normalize(inputPath, sink, options, workDir) {
    const spoolPath = scratchPath(workDir, 'spool');
    const spool = await open(spoolPath, 'wx+', 0o600);
    try {
      const index = await indexSdist(inputPath, spool);
      const planned = planSdist(index, options);
      const written = await writeSdist(planned, spool, sink, options);
      noteGzipChanges(index, written, options.level ?? DEFAULT_LEVEL);
      return { changes: index.changes.list(), content: sdistIndexContent(index) };
    } finally {
      await spool.close();
      await removeScratch(spoolPath);
    }
  },
  readContent: readSdistContent,
};
