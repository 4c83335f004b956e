// Reading an sdist. walkSdist is the one gunzip-and-tar traversal: normalizing, the content view,
// the metadata view and compare's member data all read a .tar.gz through it. On it, indexSdist
// validates every member and builds what the normal form is planned from.
import { createHash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import type { ByteCoverage } from '../../formats/coverage.js';
import { asGzipError, openGunzip } from '../../formats/gzip.js';
import type { GzipHeader } from '../../formats/gzip.js';
import { readTar } from '../../formats/tar/index.js';
import type { TarEntryHeader, TarMemberType, TarReadType } from '../../formats/tar/index.js';
import { contentName, withImpliedDirectories } from '../content.js';
import type { ContentRecord } from '../content.js';
import { RefusedInput } from '../failure.js';
import { readHead } from '../handler.js';
import type { MemberHead } from '../handler.js';
import { ChangeLog } from '../report.js';
import { checkLinkTarget, checkMemberName, checkParentsAreDirectories, checkSymlinksResolved, sharedTopDirectory } from '../refusal.js';
import { checkOutputBounds } from './bounds.js';
import { tarRuleDepartures } from './rules.js';

/** What the traversal saw of the archive as a whole. */
export interface SdistWalk {
  gzipHeader: GzipHeader;
  /** sha256 and length of the uncompressed tar, to tell tar changes from compression changes. */
  tarSha256: string;
  tarSize: number;
  /** sha256 of the .tar.gz file itself, hashed in the same read (when asked for). */
  fileSha256?: string;
}

/** Called per member in archive order. It reads `body` to its end or not at all; the rest is skipped. */
export type TarVisitor = (header: TarEntryHeader, body: AsyncIterable<Uint8Array>) => Promise<void>;

/** Byte coverage of an sdist's two layers: the gzip file's bytes, and the inflated tar stream's. */
export interface SdistCoverage {
  gzip: ByteCoverage;
  tar: ByteCoverage;
}

/**
 * Inflates and reads a .tar.gz member by member. Inflate and tar errors become FormatErrors. With
 * `hashFile`, the file's own sha256 is computed from the same read.
 */
export async function walkSdist(path: string, visit: TarVisitor, hashFile = false, coverage?: SdistCoverage): Promise<SdistWalk> {
  const fileHash = hashFile ? createHash('sha256') : undefined;
  const { header, stream } = await openGunzip(path, fileHash && ((chunk) => fileHash.update(chunk)), coverage?.gzip);
  const tarHash = createHash('sha256');
  let tarSize = 0;
  stream.on('data', (chunk: Uint8Array) => {
    tarHash.update(chunk);
    tarSize += chunk.length;
  });
  try {
    await walkTar(stream, visit, coverage?.tar);
  } catch (error) {
    stream.destroy();
    throw asGzipError(error);
  }
  return { gzipHeader: header, tarSha256: tarHash.digest('hex'), tarSize, ...(fileHash ? { fileSha256: fileHash.digest('hex') } : {}) };
}

/** Reads an uncompressed tar stream member by member with the strict reader. */
export async function walkTar(stream: Readable, visit: TarVisitor, coverage?: ByteCoverage): Promise<void> {
  for await (const { header: entry, body } of readTar(stream, coverage)) {
    await visit(entry, body);
    for await (const _ of body) {
      // the reader hands out the next member only once this one's data has been read
    }
  }
}

export interface IndexedMember {
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

export interface SdistIndex extends SdistWalk {
  members: IndexedMember[];
  changes: ChangeLog;
}

/** Reads and validates every member, spooling file data to `spool` when one is given. */
export async function indexSdist(inputPath: string, spool: FileHandle | null, hashFile = false): Promise<SdistIndex> {
  const indexer = new MemberIndexer(spool);
  const walk = await walkSdist(inputPath, (entry, body) => indexer.visit(entry, body), hashFile);
  return { ...walk, ...indexer.finish(walk.tarSize) };
}

/**
 * The content view of an uncompressed tar stream, read with the same reader and held to the same
 * rules as an input's: what verification compares the tar being written with.
 */
export async function readTarContent(stream: Readable): Promise<ContentRecord[]> {
  const indexer = new MemberIndexer(null);
  await walkTar(stream, (entry, body) => indexer.visit(entry, body));
  return withImpliedDirectories(indexer.finish().members.map(asContentRecord));
}

/** Validates and records members one by one, then the archive as a whole. */
class MemberIndexer {
  private readonly changes = new ChangeLog();
  private readonly members: IndexedMember[] = [];
  private readonly seen = new Map<string, IndexedMember>();
  private spoolOffset = 0;

  constructor(private readonly spool: FileHandle | null) {}

  async visit(entry: TarEntryHeader, body: AsyncIterable<Uint8Array>): Promise<void> {
    const { seen, spool } = this;
    const path = checkMemberName(entry.name);
    const type = memberType(entry.type, path);
    if (seen.has(path)) throw new RefusedInput(`${path}: duplicate member name`);
    // The sdist format puts everything under `{name}-{version}/`, and pip strips the first path
    // segment as that directory: a file there would be stripped to nothing (pip fails, tarfile
    // installs it), so the two read it differently.
    if (type !== 'directory' && !path.includes('/')) throw new RefusedInput(`${path}: a ${type} at the top of the sdist, outside its {name}-{version}/ directory (pip takes the first path segment for that directory)`);
    let linkname = '';
    if (type === 'symlink') linkname = checkLinkTarget(path, entry.linkname ?? '');
    if ((type === 'file' || type === 'link') && (entry.mode & 0o111) !== 0 && (entry.mode & 0o100) === 0) {
      // pip makes a file with any x bit executable; tarfile's data filter only one with the owner's.
      throw new RefusedInput(`${path}: mode 0${(entry.mode & 0o7777).toString(8)} has an x bit but not the owner's (pip would make it executable, tarfile's data filter would not)`);
    }
    if (type === 'link') {
      const target = seen.get(checkMemberName(entry.linkname ?? ''));
      if (!target || (target.type !== 'file' && target.type !== 'link')) {
        throw new RefusedInput(`${path}: hard link to ${JSON.stringify(entry.linkname)}, which is not an earlier regular file`);
      }
      if (((entry.mode & 0o111) !== 0) !== ((target.mode & 0o111) !== 0)) {
        // pip gives the link its own header's x bit; tarfile sets the shared inode's mode from the link.
        throw new RefusedInput(`${path}: hard link whose x bit (mode 0${(entry.mode & 0o7777).toString(8)}) differs from its target ${target.path}'s (installers disagree on both files)`);
      }
      linkname = target.type === 'link' ? target.linkname : target.path;
    }
    const hash = createHash('sha256');
    let size = 0;
    for await (const chunk of body) {
      hash.update(chunk);
      if (type === 'file' && spool) await spool.write(chunk, 0, chunk.length, this.spoolOffset + size);
      size += chunk.length;
    }
    const member: IndexedMember = { path, type, mode: entry.mode, mtime: entry.mtime, spoolOffset: this.spoolOffset, size, sha256: hash.digest('hex'), linkname };
    if (type === 'link') {
      // A hard link is another name for its target's data and mode.
      const root = seen.get(linkname)!;
      member.sha256 = root.sha256;
      member.mode = root.mode;
    }
    if (type === 'file') this.spoolOffset += size;
    this.members.push(member);
    seen.set(path, member);
    noteHeaderChanges(this.changes, member, entry);
  }

  /** The members, once the archive-wide rules hold (and, given the input tar's size, its output's bounds). */
  finish(inputTarSize?: number): { members: IndexedMember[]; changes: ChangeLog } {
    const { members } = this;
    if (members.length === 0) throw new RefusedInput('tar: the archive has no members');
    // What an installer writes: nothing under a file or a link, no link that leads out of the top
    // directory pip extracts from, once the archive's other links are followed.
    checkParentsAreDirectories(members);
    checkSymlinksResolved(members, sharedTopDirectory(members.map((m) => m.path)));
    if (inputTarSize !== undefined) checkOutputBounds(members, inputTarSize);
    return { members, changes: this.changes };
  }
}

function memberType(type: TarReadType, path: string): TarMemberType {
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
  }
}

/** Records which header fields of an input member differ from the normal form (the rows that do not depend on options). */
function noteHeaderChanges(changes: ChangeLog, member: IndexedMember, entry: TarEntryHeader): void {
  // A hard link is read with its target's mode (./plan.ts gives it that mode).
  for (const [field, example] of tarRuleDepartures(member.path, { ...entry, type: member.type, mode: member.mode })) changes.add(field, example);
}

/** The content view of the indexed input: what the output must hold. */
export function sdistIndexContent(index: SdistIndex): ContentRecord[] {
  return withImpliedDirectories(index.members.map(asContentRecord));
}

export function asContentRecord(member: IndexedMember): ContentRecord {
  const base = { name: member.path, executable: false, sha256: '', linkTarget: '' };
  if (member.type === 'directory') return { ...base, type: 'directory' };
  if (member.type === 'symlink') return { ...base, type: 'symlink', linkTarget: member.linkname };
  return { ...base, type: 'file', executable: (member.mode & 0o111) !== 0, sha256: member.sha256 };
}

/** Reads the content view of a .tar.gz (used to verify what was written, and by check and digest). */
export async function readSdistContent(path: string): Promise<ContentRecord[]> {
  return sdistIndexContent(await indexSdist(path, null));
}

/** The first `limit` bytes of the named file members; a hard link's are its target's, which comes earlier. */
export async function readSdistMemberHeads(path: string, names: readonly string[], limit: number): Promise<Map<string, MemberHead>> {
  const found = new Map<string, MemberHead>();
  if (names.length === 0) return found;
  const wanted = new Set(names);
  const linkTargets = new Map<string, string>();
  const isFile = (type: TarReadType) => type === 'file' || type === 'contiguous-file';
  await walkSdist(path, async (entry, body) => {
    const name = contentName(entry.name);
    if (entry.type === 'link') linkTargets.set(name, contentName(entry.linkname ?? ''));
    if (wanted.has(name) && isFile(entry.type)) found.set(name, await readHead(body, limit, false));
  });
  const rootOf = (name: string): string => {
    let root = name;
    for (let hops = 0; linkTargets.has(root) && hops < linkTargets.size; hops += 1) root = linkTargets.get(root)!;
    return root;
  };
  const viaLinks = [...wanted].filter((name) => !found.has(name) && linkTargets.has(name));
  if (viaLinks.length === 0) return found;
  const roots = new Set(viaLinks.map(rootOf));
  const rootData = new Map<string, MemberHead>();
  await walkSdist(path, async (entry, body) => {
    const name = contentName(entry.name);
    if (roots.has(name) && isFile(entry.type)) rootData.set(name, await readHead(body, limit, false));
  });
  for (const name of viaLinks) {
    const data = rootData.get(rootOf(name));
    if (data) found.set(name, data);
  }
  return found;
}
