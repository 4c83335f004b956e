// Reading a wheel: every member through the strict zip reader, classified and validated as the
// normal form sees it (path, type, exec bit, mtime), its content view, and member data for compare.
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { shownName } from '../../formats/errors.js';
import {
  HOST_UNIX, MSDOS_ATTR_DIRECTORY, S_IFDIR, S_IFLNK, S_IFMT, S_IFREG, externalAttrToUnixMode,
  fromDosDateTime, hostOf, openZip,
} from '../../formats/zip/index.js';
import type { ZipEntry, ZipReader } from '../../formats/zip/index.js';
import { contentName, sortedContentDifferences } from '../content.js';
import type { ContentDifference, ContentRecord, ContentType, ContentView } from '../content.js';
import { RefusedInput } from '../failure.js';
import { MemberTable } from '../member-table.js';
import { SHORTEST_RECORD_LINE_BESIDE_PATH } from '../record.js';
import { readHead } from '../handler.js';
import type { MemberHead } from '../handler.js';
import { HeldLinkBytes, checkLinkTarget, checkMemberName, checkParentsAreDirectories, checkSymlinksResolved, duplicateMember } from '../refusal.js';
import { MAX_ADDED_DIRECTORY_NAMES_FACTOR, MAX_LINK_TARGET_BYTES, MAX_NAME_DEPTH, MAX_OUTPUT_MEMBERS_FACTOR, MAX_RECORD_BYTES, OUTPUT_BYTES_ALLOWANCE, sizeText } from '../limits.js';

/** A member of the input, classified and validated. */
export interface WheelMember {
  entry: ZipEntry;
  path: string;
  type: ContentType;
  executable: boolean;
  /** Seconds since 1970 (UTC) as the input stores it, for `--mtime clamp`. */
  mtime: number;
}

/** `true` when the member lies under a top-level `*.dist-info/` directory. */
export function inDistInfo(path: string): boolean {
  return /^[^/]+\.dist-info\//.test(path);
}

export function isRecord(path: string): boolean {
  return /^[^/]+\.dist-info\/RECORD$/.test(path);
}

/**
 * Normal order is by UTF-8 bytes, except that `*.dist-info/` members come last, and their RECORD
 * very last: a path's rank, the first key of that order.
 */
export function wheelRank(path: string): number {
  return isRecord(path) ? 2 : inDistInfo(path) ? 1 : 0;
}

/** Opens a wheel through the strict zip reader, each entry admitted as its central header is read (admitWithinRecordLimit). */
export function openWheel(path: string): Promise<ZipReader> {
  return openZip(path, { admit: admitWithinRecordLimit() });
}

/**
 * The RECORD limit of docs/limits.md, applied to the central directory as it is read, before the
 * entry table holds it: a RECORD over the limit is refused by its declared size (the zip reader never
 * inflates past it, so what the RECORD check holds is bounded by it), and so is a wheel of more
 * entries than a RECORD within the limit could list, each a line of its name and at least
 * SHORTEST_RECORD_LINE_BESIDE_PATH bytes. Such a wheel has no valid RECORD, and without this its
 * entry and member tables grew with it: 1,000,000 empty files took 248 MiB before their RECORD (84
 * MB) was refused, and `digest`, which does not read a RECORD whole, 305 MiB. Directory entries
 * count as lines too, though a RECORD does not list them: they cost the tables as much as files.
 */
function admitWithinRecordLimit(): (entry: ZipEntry) => void {
  let lines = 0;
  let leastRecordBytes = 0;
  return (entry) => {
    lines += 1;
    // The stored length: a CP437 name is no longer in UTF-8, so this is the least RECORD can take.
    leastRecordBytes += entry.nameLength + SHORTEST_RECORD_LINE_BESIDE_PATH;
    if (leastRecordBytes > MAX_RECORD_BYTES) {
      throw new RefusedInput(
        `${shownName(contentName(entry.name))}: the wheel's entries up to this one, ${lines} of them, would take a RECORD of at least ${leastRecordBytes} bytes ` +
          `(each a line of its name, a sha256 and a size), over the limit of ${sizeText(MAX_RECORD_BYTES)} for a RECORD (docs/limits.md)`,
      );
    }
    if (entry.uncompressedSize > MAX_RECORD_BYTES && isRecord(contentName(entry.name))) {
      throw new RefusedInput(`${shownName(contentName(entry.name))}: RECORD of ${entry.uncompressedSize} bytes, over the limit of ${sizeText(MAX_RECORD_BYTES)} for a RECORD (docs/limits.md)`);
    }
  };
}

/**
 * A member as pip and installer read it (both through zipfile): a name ending in `/` is a
 * directory and nothing else is; the mode is the high 16 bits of the external attributes whatever
 * the host, and a file is executable when that mode is a regular file's with an x bit. Where other
 * readers (unzip) take an entry otherwise, it is refused rather than guessed at.
 */
export function classify(entry: ZipEntry): WheelMember {
  const path = checkMemberName(entry.name);
  const unixMode = externalAttrToUnixMode(entry.externalAttr);
  const format = unixMode & S_IFMT;
  const unixHost = hostOf(entry.versionMadeBy) === HOST_UNIX;
  let type: ContentType;
  if (entry.name.endsWith('/')) {
    if (format !== 0 && format !== S_IFDIR && format !== S_IFREG) {
      throw new RefusedInput(`${shownName(path)}: zip entry named as a directory has Unix file type 0${format.toString(8)}`);
    }
    type = 'directory';
  } else if (format === S_IFDIR || (entry.externalAttr & MSDOS_ATTR_DIRECTORY) !== 0) {
    throw new RefusedInput(`${shownName(path)}: zip entry with a directory attribute but no trailing slash (pip writes a file, unzip a directory)`);
  } else if (format === S_IFLNK) {
    if (!unixHost) throw new RefusedInput(`${shownName(path)}: zip symlink entry made on a non-Unix host (unzip takes it for a file)`);
    // From the declared size, before the target is read: every verb reads it whole.
    if (entry.uncompressedSize > MAX_LINK_TARGET_BYTES) {
      throw new RefusedInput(`${shownName(path)}: symlink target of ${entry.uncompressedSize} bytes, over the limit of ${sizeText(MAX_LINK_TARGET_BYTES)} for a link target (docs/limits.md)`);
    }
    type = 'symlink';
  } else if (format === S_IFREG) {
    type = 'file';
  } else if (format === 0) {
    if (unixMode & 0o111) throw new RefusedInput(`${shownName(path)}: zip entry with x bits but no file type in its mode (pip makes it not executable, unzip executable)`);
    type = 'file';
  } else {
    throw new RefusedInput(`${shownName(path)}: zip member of Unix file type 0${format.toString(8)} (a device, fifo or socket) is refused`);
  }
  if (type === 'directory' && entry.uncompressedSize !== 0) throw new RefusedInput(`${shownName(path)}: directory entry with ${entry.uncompressedSize} bytes of data`);
  return { entry, path, type, executable: type === 'file' && (unixMode & 0o111) !== 0, mtime: entryMtime(entry) };
}

/**
 * The wheel's members as rows of one table: row i is the central directory's entry i, classified
 * (a file's sha256 and a symlink's target are set once its data is read: setReadContent), then a
 * row for every parent directory the wheel does not hold. Refuses what no installer can extract one
 * way: two members of one name, a member under a file or link. No object or string is kept per
 * member (a Map of paths cost about 100 bytes a member more, issue 22).
 */
export function indexWheel(zip: ZipReader): MemberTable {
  // Room for the implied directories too: rows for about one per 8 members (the columns double
  // past it, holding the old and the new arrays until a collection), and names' bytes for as many
  // as addParentDirectoriesWithin lets in. The system maps the bytes as they are first written, so
  // room never written costs no memory, where doubling copied what was there (grown from an eighth
  // more, 4,000 entries of 4 KB names each in two directories of its own: digest 145 -> 123 MiB,
  // compare 210 -> 171; from its first 64 KiB, the table of 16 MB of names had 32 MB dead).
  const table = new MemberTable(zip.entryCount + Math.ceil(zip.entryCount / 8), zip.nameBytes + maxAddedNameBytes(zip.nameBytes));
  // Targets counted by their declared sizes, before any is read.
  const symlinkBytes = new HeldLinkBytes('symlinks');
  for (let index = 0; index < zip.entryCount; index++) {
    const { path, type, executable, entry } = classify(zip.entry(index));
    if (table.find(path) >= 0) throw duplicateMember(path);
    if (type === 'symlink') symlinkBytes.add(path, entry.uncompressedSize);
    table.add({ name: path, kind: type, mode: executable ? 0o755 : 0o644, mtime: 0, size: entry.uncompressedSize, dataOffset: 0 });
  }
  checkParentsAreDirectories(table.names(), (path) => table.kindOf(path));
  addParentDirectoriesWithin(table, zip.entryCount, zip.nameBytes);
  return table;
}

/**
 * Adds a row for every parent directory the wheel does not hold, within the bounds an sdist's normal
 * form has (docs/limits.md, "Output bounded by input"), refusing the wheel at the first row past
 * them: the rows and their names' bytes would otherwise grow with the square of the names' depth (a
 * wheel of 1.8 MB, 2,000 names 200 levels deep, asked for 400,000 rows and 80 MB of names: 187 MiB).
 * The rows' bound alone would not bound the names: a few names 256 levels deep and 4,096 bytes long
 * beside many short ones could have each of their rows name 2 KB on average.
 */
function addParentDirectoriesWithin(table: MemberTable, entries: number, entryNameBytes: number): void {
  const maxRows = MAX_OUTPUT_MEMBERS_FACTOR * entries + MAX_NAME_DEPTH;
  const maxNameBytes = maxAddedNameBytes(entryNameBytes);
  let nameBytes = 0;
  table.addParentDirectories((dir) => {
    nameBytes += Buffer.byteLength(dir, 'utf8');
    if (table.count > maxRows) {
      throw new RefusedInput(`the wheel's content view would hold more than ${maxRows} members (${MAX_OUTPUT_MEMBERS_FACTOR} × its ${entries} entries + ${MAX_NAME_DEPTH}) once every parent directory has its own, over the limit for a wheel (docs/limits.md)`);
    }
    if (nameBytes > maxNameBytes) {
      throw new RefusedInput(`the parent directories the wheel does not hold would have more than ${sizeText(maxNameBytes)} of names (${MAX_ADDED_DIRECTORY_NAMES_FACTOR} × its entries' ${entryNameBytes} bytes + ${sizeText(OUTPUT_BYTES_ALLOWANCE)}), over the limit for a wheel (docs/limits.md)`);
    }
  });
}

/** The names' bytes of the parent directories a wheel whose entries' names take `entryNameBytes` may have added. */
function maxAddedNameBytes(entryNameBytes: number): number {
  return MAX_ADDED_DIRECTORY_NAMES_FACTOR * entryNameBytes + OUTPUT_BYTES_ALLOWANCE;
}

/** The UT extra field's mtime when there is one (it is UTC), else the DOS fields read as UTC. */
function entryMtime(entry: ZipEntry): number {
  if (entry.extendedMtime !== undefined) return entry.extendedMtime;
  try {
    return fromDosDateTime(entry);
  } catch {
    return 0;
  }
}

async function hashStream(stream: Readable): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of stream) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** A member's data whole: only for small members, or those whose declared size has a limit (symlinks, the RECORD). */
export async function readBytes(zip: ZipReader, entry: ZipEntry): Promise<Buffer> {
  if (zip.isSmall(entry)) return (await zip.readSmallMember(entry)).data;
  const bytes = Buffer.allocUnsafe(entry.uncompressedSize);
  let at = 0;
  for await (const chunk of zip.openMemberStream(entry)) {
    bytes.set(chunk as Buffer, at);
    at += (chunk as Buffer).length;
  }
  return bytes.subarray(0, at);
}

/** What reading a member's data tells its row (indexWheel's): a file's sha256, a symlink's target (checked here). */
export function setReadContent(table: MemberTable, member: WheelMember, sha256: string, data: Buffer | undefined): void {
  if (member.type === 'file') table.setSha256(member.entry.index, Buffer.from(sha256, 'hex'));
  if (member.type === 'symlink') table.setLinkTarget(member.entry.index, checkLinkTarget(member.path, data?.toString('utf8') ?? ''));
}

/** The wheel's content view from its table, once its symlinks are known to stay inside. */
export function wheelContentView(table: MemberTable): Iterable<ContentRecord> {
  checkSymlinksResolved(table.symlinks(), '');
  return table.contentView();
}

/** A member read once and hashed; its data is kept when small, and always for a symlink (its target). */
async function digestMember(zip: ZipReader, member: WheelMember): Promise<{ sha256: string; data?: Buffer }> {
  if (member.type === 'directory') return { sha256: '' };
  if (zip.isSmall(member.entry) || member.type === 'symlink') {
    const data = await readBytes(zip, member.entry);
    return { sha256: sha256Hex(data), data };
  }
  return { sha256: await hashStream(zip.openMemberStream(member.entry)) };
}

/** The content view of a wheel: every member read back and hashed. */
export async function readWheelContent(path: string): Promise<ContentView> {
  const zip = await openWheel(path);
  try {
    const table = indexWheel(zip);
    for (let index = 0; index < zip.entryCount; index++) {
      const member = classify(zip.entry(index));
      const { sha256, data } = await digestMember(zip, member);
      setReadContent(table, member, sha256, data);
    }
    return wheelContentView(table);
  } finally {
    await zip.close();
  }
}

/**
 * Where and how each entry of a wheel being written went, in writing order, its data checked as it
 * was written (write.ts): what the wheel's directory, read back, must say of it.
 */
export class WrittenEntries {
  private readonly localHeaderOffset: Float64Array;
  private readonly compressedSize: Float64Array;
  private readonly crc32: Uint32Array;
  private entries = 0;

  /** For a wheel of `count` entries. */
  constructor(count: number) {
    this.localHeaderOffset = new Float64Array(count);
    this.compressedSize = new Float64Array(count);
    this.crc32 = new Uint32Array(count);
  }

  get count(): number {
    return this.entries;
  }

  add(localHeaderOffset: number, compressedSize: number, crc32: number): void {
    if (this.entries === this.crc32.length) throw new RangeError(`more than the ${this.crc32.length} entries planned written`);
    this.localHeaderOffset[this.entries] = localHeaderOffset;
    this.compressedSize[this.entries] = compressedSize;
    this.crc32[this.entries] = crc32;
    this.entries += 1;
  }

  /** Whether the directory places entry `index` where it was written, with the length and CRC-32 its data was checked with. */
  matches(entry: ZipEntry, index: number): boolean {
    return index < this.entries && entry.localHeaderOffset === this.localHeaderOffset[index] &&
      entry.compressedSize === this.compressedSize[index] && entry.crc32 === this.crc32[index];
  }
}

/**
 * How the wheel just written differs from what was written, without reading its members again: the
 * strict reader reads its whole structure (every header, every member's place), each entry must be
 * where it was written with the data checked as it was written, and each member, classified as an
 * input's is, must have the content of the input's row written there (`order`, the plan's), its sha256
 * the one that data was checked against. Symlinks are read
 * again: their target is content. No table of the output is made.
 */
export async function readWrittenWheel(path: string, written: WrittenEntries, table: MemberTable, order: Uint32Array): Promise<ContentDifference[]> {
  const zip = await openWheel(path);
  try {
    if (zip.entryCount !== written.count) throw new Error(`verification failed: the wheel's directory lists ${zip.entryCount} entries, ${written.count} were written`);
    for (let index = 0; index < zip.entryCount; index++) {
      const entry = zip.entry(index);
      if (!written.matches(entry, index)) {
        throw new Error(`verification failed: ${contentName(entry.name)} is not in the wheel's directory as it was written`);
      }
      const member = classify(entry);
      const read: ContentRecord = { name: member.path, type: member.type, executable: member.executable, sha256: '', linkTarget: '' };
      const row = order[index]!;
      if (member.type === 'file') read.sha256 = table.sha256(row);
      if (member.type === 'symlink') read.linkTarget = checkLinkTarget(member.path, (await readBytes(zip, entry)).toString('utf8'));
      const differences = sortedContentDifferences([table.contentRecord(row)], [read]);
      if (differences.length > 0) return differences;
    }
    return [];
  } finally {
    await zip.close();
  }
}

/** The first `limit` bytes of the named file members; reading stops there, as the size is in the header. */
export async function readWheelMemberHeads(path: string, names: readonly string[], limit: number): Promise<Map<string, MemberHead>> {
  const found = new Map<string, MemberHead>();
  if (names.length === 0) return found;
  const wanted = new Set(names);
  const zip = await openWheel(path);
  try {
    for (let index = 0; index < zip.entryCount; index++) {
      const stored = zip.entryName(index);
      const name = contentName(stored);
      if (!wanted.has(name) || stored.endsWith('/')) continue;
      const entry = zip.entry(index);
      const { head } = await readHead(zip.openMemberStream(entry), limit, true);
      found.set(name, { size: entry.uncompressedSize, head });
    }
  } finally {
    await zip.close();
  }
  return found;
}
