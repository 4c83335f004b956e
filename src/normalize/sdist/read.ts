// Reading an sdist. walkSdist is the one gunzip-and-tar traversal: normalizing, the content view,
// the metadata view and compare's member data all read a .tar.gz through it. On it, indexSdist
// validates every member and builds what the normal form is planned from.
import { createHash, type Hash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import type { ByteCoverage } from '../../formats/coverage.js';
import { shownName } from '../../formats/errors.js';
import { asGzipError, openGunzip } from '../../formats/gzip.js';
import type { GzipHeader } from '../../formats/gzip.js';
import { readTar } from '../../formats/tar/index.js';
import type { TarEntryHeader, TarReadType } from '../../formats/tar/index.js';
import { contentName, sortedContentDifferences } from '../content.js';
import type { ContentDifference, ContentRecord, ContentView } from '../content.js';
import { RefusedInput } from '../failure.js';
import { withRoom } from '../grow.js';
import { readHead } from '../handler.js';
import type { MemberHead } from '../handler.js';
import { ChangeLog } from '../report.js';
import { HeldLinkBytes, checkLinkTarget, checkMemberName, checkParentsAreDirectories, checkSymlinksResolved, duplicateMember, sharedTopDirectory } from '../refusal.js';
import { MemberTable } from '../member-table.js';
import type { MemberKind } from '../member-table.js';
import { OutputBounds, OutputSize, addParentDirectories } from './bounds.js';
import { IndexFeed } from './feed.js';
import { checkLinkXBit, notAnEarlierFile } from './hard-links.js';
import { NotInNormalOrder } from './plan.js';
import type { WrittenOrder } from './plan.js';
import { RunIndex } from './run-index.js';
import type { DeferredLink } from './run-index.js';
import { RUN_RECORD_CODEC, RUN_ROWS, compareRecords, runIsFull, tableRecords } from './runs.js';
import type { RunRecord } from './runs.js';
import { RunFile } from '../sorted-runs.js';
import { SpoolWriter } from './spool.js';
import { departuresBeforeMode, tarRuleDepartures } from './rules.js';

/** What the traversal saw of the archive as a whole. */
export interface SdistWalk {
  gzipHeader: GzipHeader;
  /**
   * sha256 and length of the uncompressed tar, to tell tar changes from compression changes; the
   * sha256 is undefined when the walk's `hashTar` stopped it (the tar is known to change).
   */
  tarSha256: string | undefined;
  tarSize: number;
}

/** Called per member in archive order. It reads `body` to its end or not at all; the rest is skipped. */
export type TarVisitor = (header: TarEntryHeader, body: AsyncIterable<Uint8Array>) => Promise<void>;

/** Byte coverage of an sdist's two layers: the gzip file's bytes, and the inflated tar stream's. */
export interface SdistCoverage {
  gzip: ByteCoverage;
  tar: ByteCoverage;
}

/**
 * Inflates and reads a .tar.gz member by member. Inflate and tar errors become FormatErrors. The tar
 * is hashed while `hashTar` says so (by default to its end): normalizing needs its sha256 only while
 * no member has been found to change, and it is a pass over every byte (143 MB in the bench sdist).
 */
export async function walkSdist(path: string, visit: TarVisitor, coverage?: SdistCoverage, hashTar: () => boolean = () => true): Promise<SdistWalk> {
  const { header, stream } = await openGunzip(path, coverage?.gzip);
  let tarHash: Hash | undefined = createHash('sha256');
  let tarSize = 0;
  stream.on('data', (chunk: Uint8Array) => {
    if (tarHash && !hashTar()) tarHash = undefined;
    tarHash?.update(chunk);
    tarSize += chunk.length;
  });
  try {
    await walkTar(stream, visit, coverage?.tar);
  } catch (error) {
    stream.destroy();
    throw asGzipError(error);
  }
  return { gzipHeader: header, tarSha256: tarHash?.digest('hex'), tarSize };
}

/** Reads an uncompressed tar stream member by member with the strict reader. */
export async function walkTar(stream: AsyncIterable<Uint8Array>, visit: TarVisitor, coverage?: ByteCoverage): Promise<void> {
  for await (const { header: entry, body } of readTar(stream, coverage)) {
    await visit(entry, body);
    for await (const _ of body) {
      // the reader hands out the next member only once this one's data has been read
    }
  }
}

/** The members: in one table, with the parent directories the normal form adds (./bounds.ts). */
export interface TableIndex extends SdistWalk {
  table: MemberTable;
  runs?: undefined;
  changes: ChangeLog;
}

/** The members: past the rows one table holds, in sorted runs (./run-index.ts), validated. */
export interface RunsIndex extends SdistWalk {
  table?: undefined;
  runs: RunIndex;
  changes: ChangeLog;
}

export type SdistIndex = TableIndex | RunsIndex;

/** Where an index pass may write sorted runs, and how many rows each holds. */
export interface RunSpace {
  workDir: string;
  rowsPerRun: number;
}

/** Reads and validates every member into one table, spooling file data to `spool` when one is given. */
export async function indexSdist(inputPath: string, spool: FileHandle | null): Promise<TableIndex> {
  return (await startIndexSdist(inputPath, spool).index) as TableIndex;
}

/**
 * indexSdist, with a feed that says how far it has got while it runs (for ./early.ts); with
 * `runSpace`, the members go to sorted runs there once one table has its rows.
 */
export function startIndexSdist(inputPath: string, spool: FileHandle | null, runSpace?: RunSpace): { feed: IndexFeed; index: Promise<SdistIndex> } {
  const indexer = new MemberIndexer(spool, runSpace);
  const { feed } = indexer;
  const index = (async (): Promise<SdistIndex> => {
    try {
      const walk = await walkSdist(inputPath, (entry, body) => indexer.visit(entry, body), undefined, () => !indexer.tarChanges);
      await indexer.spooled();
      return { ...walk, ...indexer.finish(walk.tarSize) };
    } catch (error) {
      await indexer.dispose();
      throw error;
    }
  })();
  index.then(() => feed.end(), (error: unknown) => feed.end({ error }));
  return { feed, index };
}

/**
 * Reads the tar being written with the same reader, each member held to the same rules as an input's,
 * and compares it member by member with the one planned at its place: the content view it gives
 * (name, type, executable bit, data, link target) must be that member's. A hard link must name the
 * member planned to hold its data, written before it as a file. Nothing is kept per member but a
 * bit for each file written, so that verifying costs no second table. Returns the first difference, if any.
 */
export async function checkWrittenTar(stream: AsyncIterable<Uint8Array>, expected: WrittenOrder): Promise<ContentDifference[]> {
  let writtenFiles = new Uint8Array(1024);
  let position = 0;
  let differences: ContentDifference[] = [];
  await walkTar(stream, async (entry, body) => {
    if (differences.length > 0) return;
    const { path, kind, linkTarget } = memberAsRead(entry);
    let sha256 = '';
    if (kind === 'file') {
      const hash = createHash('sha256');
      for await (const chunk of body) hash.update(chunk);
      sha256 = hash.digest('hex');
    }
    const read: ContentRecord = { name: path, type: kind === 'link' ? 'file' : kind, executable: false, sha256, linkTarget: linkTarget ?? '' };
    if (read.type === 'file') read.executable = (entry.mode & 0o111) !== 0;
    if (position === expected.count()) {
      differences = sortedContentDifferences([], [read]);
      return;
    }
    const planned = expected.member(position);
    if (kind === 'link') {
      // The data of the file written where the plan put the holder, when the link names it.
      const { linkTo } = planned;
      if (linkTo && checkMemberName(entry.linkname ?? '') === linkTo.name && writtenFiles[linkTo.position] === 1) read.sha256 = planned.record.sha256;
    }
    differences = sortedContentDifferences([planned.record], [read]);
    if (kind === 'file') {
      writtenFiles = withRoom(writtenFiles, position + 1);
      writtenFiles[position] = 1;
    }
    position += 1;
  });
  if (differences.length === 0 && position < expected.count()) differences = sortedContentDifferences([expected.member(position).record], []);
  return differences;
}

/**
 * A member's name, kind and link target as the rules every member of an input is held to read them
 * (those that need no other member).
 */
function memberAsRead(entry: TarEntryHeader): { path: string; kind: MemberKind; linkTarget?: string } {
  const path = checkMemberName(entry.name);
  const kind = memberType(entry.type, path);
  // The sdist format puts everything under `{name}-{version}/`, and pip strips the first path
  // segment as that directory: a file there would be stripped to nothing (pip fails, tarfile
  // installs it), so the two read it differently.
  if (kind !== 'directory' && !path.includes('/')) throw new RefusedInput(`${shownName(path)}: a ${kind} at the top of the sdist, outside its {name}-{version}/ directory (pip takes the first path segment for that directory)`);
  const linkTarget = kind === 'symlink' ? checkLinkTarget(path, entry.linkname ?? '') : undefined;
  if ((kind === 'file' || kind === 'link') && (entry.mode & 0o111) !== 0 && (entry.mode & 0o100) === 0) {
    // pip makes a file with any x bit executable; tarfile's data filter only one with the owner's.
    throw new RefusedInput(`${shownName(path)}: mode 0${(entry.mode & 0o7777).toString(8)} has an x bit but not the owner's (pip would make it executable, tarfile's data filter would not)`);
  }
  return { path, kind, linkTarget };
}

/** Validates and records members one by one, then the archive as a whole. */
class MemberIndexer {
  private readonly changes = new ChangeLog();
  private table = new MemberTable();
  private readonly spool: SpoolWriter | null;
  /** Indexes the first table's rows only: the runs are read merged once they are all written. */
  readonly feed = new IndexFeed(this.table);
  /** The input's members as the normal form's tar would hold them, counted as they are read. */
  private readonly input = new OutputSize();
  // Once the first table is full: the runs, the archive index of the table's first row, and what
  // the runs alone cannot give (./run-index.ts).
  private runs: RunFile<RunRecord> | undefined;
  private firstIndex = 0;
  private readonly symlinks = new Map<string, string>();
  private readonly symlinkBytes = new HeldLinkBytes('symlinks');
  private readonly deferredBytes = new HeldLinkBytes('hard links to files of an earlier sorted run');
  private readonly linkedRoots = new Set<number>();
  private readonly deferred: DeferredLink[] = [];
  private top: string | undefined;

  constructor(spool: FileHandle | null, private readonly runSpace?: RunSpace) {
    this.spool = spool && new SpoolWriter(spool, (bytes) => this.feed.spooled(bytes));
  }

  async visit(entry: TarEntryHeader, body: AsyncIterable<Uint8Array>): Promise<void> {
    const { table, spool } = this;
    const { path, kind, linkTarget } = memberAsRead(entry);
    if (table.find(path) >= 0) throw duplicateMember(path);
    if (kind === 'symlink') this.symlinkBytes.add(path, Buffer.byteLength(linkTarget ?? '', 'utf8'));
    // A hard link is another name for its target's data and mode: it records the file row. One
    // whose target is not in this table may be to a member of an earlier run: it is resolved with
    // the runs, and so is one to such a link.
    let root = -1;
    let deferredTarget: string | undefined;
    if (kind === 'link') {
      const targetName = checkMemberName(entry.linkname ?? '');
      const target = table.find(targetName);
      const unresolved = target >= 0 && table.kind(target) === 'link' && table.linkRow(target) < 0;
      if ((target < 0 && this.runs) || unresolved) deferredTarget = targetName;
      else if (target < 0 || (table.kind(target) !== 'file' && table.kind(target) !== 'link')) throw notAnEarlierFile(path, entry.linkname ?? '');
      else {
        checkLinkXBit(path, entry.mode, table.name(target), table.mode(target));
        root = table.kind(target) === 'link' ? table.linkRow(target) : target;
      }
    }
    const hash = createHash('sha256');
    const dataOffset = spool?.size ?? 0;
    let size = 0;
    for await (const chunk of body) {
      hash.update(chunk);
      if (kind === 'file') await spool?.append(chunk);
      size += chunk.length;
    }
    const mode = root >= 0 ? table.mode(root) : entry.mode;
    const row = table.add({ name: path, kind, mode, mtime: entry.mtime, size, dataOffset, linkTarget: linkTarget ?? deferredTarget, linkRow: root });
    if (root >= 0) table.copySha256(row, root);
    else table.setSha256(row, hash.digest());
    if (!this.runs) this.feed.rowAdded();
    if (root >= 0) this.linkedRoots.add(this.firstIndex + root);
    this.input.addMember({ name: path, type: kind, linkname: linkTarget ?? deferredTarget ?? (root >= 0 ? table.name(root) : ''), size });
    const first = path.split('/', 1)[0]!;
    this.top = this.top === undefined || this.top === first ? first : '';
    // A hard link is read with its target's mode (./plan.ts gives it that mode); one resolved with the runs has that noted then.
    const header = { ...entry, type: kind, mode };
    if (deferredTarget !== undefined) {
      this.deferredBytes.add(path, Buffer.byteLength(deferredTarget, 'utf8'));
      const { departures, held } = departuresBeforeMode(path, header);
      for (const [field, example] of departures) this.changes.add(field, example);
      this.deferred.push({ name: path, target: deferredTarget, archiveIndex: this.firstIndex + row, header: held });
    } else for (const [field, example] of tarRuleDepartures(path, header)) this.changes.add(field, example);
    if (this.runSpace && runIsFull(table, this.runSpace.rowsPerRun)) this.writeRun();
  }

  /** Whether a member read so far is written otherwise by the normal form: the tar then changes. */
  get tarChanges(): boolean {
    return this.changes.size > 0;
  }

  /** Waits until the spool holds every member's data. */
  async spooled(): Promise<void> {
    await this.spool?.finish();
  }

  /**
   * The members, once the archive-wide rules hold, with the parent directories the normal form adds
   * (bounded, given the input tar's size, by its output's bounds).
   */
  finish(inputTarSize = Infinity): { table: MemberTable; changes: ChangeLog } | { runs: RunIndex; changes: ChangeLog } {
    const { table, changes } = this;
    if (this.runs) return { runs: this.runIndex(inputTarSize), changes };
    if (table.count === 0) throw new RefusedInput('tar: the archive has no members');
    // What an installer writes: nothing under a file or a link, no link that leads out of the top
    // directory pip extracts from, once the archive's other links are followed.
    const names = table.names();
    checkParentsAreDirectories(names, (path) => table.kindOf(path));
    checkSymlinksResolved(table.symlinks(), sharedTopDirectory(names));
    addParentDirectories(table, new OutputBounds(this.input, inputTarSize));
    return { table, changes };
  }

  /** Removes the runs written, after a failure before they were handed over. */
  async dispose(): Promise<void> {
    await this.runs?.dispose();
  }

  /** The runs, the last with the rows left in the table, validated. */
  private runIndex(inputTarSize: number): RunIndex {
    if (this.table.count > 0) this.writeRun();
    const { runs, runSpace } = this;
    const index = new RunIndex({
      runs: runs!, input: this.input, inputTarSize, symlinks: this.symlinks, top: this.top ?? '', linkedRoots: this.linkedRoots,
      deferred: this.deferred, workDir: runSpace!.workDir, rowsPerRun: runSpace!.rowsPerRun,
    });
    index.validate(this.changes);
    return index;
  }

  /** Writes the table's rows as a run, sorted in normal order, and starts a table for the next rows. */
  private writeRun(): void {
    const { table } = this;
    if (!this.runs) {
      this.runs = new RunFile(this.runSpace!.workDir, RUN_RECORD_CODEC, compareRecords);
      // The writing that follows the first table (./early.ts) stops: the members are read from the runs.
      this.feed.stop(new NotInNormalOrder());
    }
    for (const [name, target] of table.symlinks()) this.symlinks.set(name, target);
    this.runs.writeRun(tableRecords(table, table.storedOrder(), this.firstIndex));
    this.firstIndex += table.count;
    this.table = new MemberTable();
  }
}

function memberType(type: TarReadType, path: string): MemberKind {
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
      throw new RefusedInput(`${shownName(path)}: ${type} members are refused (an sdist holds files, directories and links)`);
  }
}

/**
 * Reads the content view of a .tar.gz (digest and compare). Past `rowsPerRun` members it is made
 * from sorted runs in the system's temporary directory, which releasing the view removes.
 */
export async function readSdistContent(path: string, rowsPerRun = RUN_ROWS): Promise<ContentView> {
  const index = await startIndexSdist(path, null, { workDir: tmpdir(), rowsPerRun }).index;
  if (!index.runs) return index.table.contentView();
  try {
    return index.runs.contentView();
  } finally {
    await index.runs.dispose();
  }
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
