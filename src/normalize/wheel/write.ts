// Writing a wheel's normal form (docs/normal-form.md, "wheel"): members recompressed with the
// deterministic deflate (several at once, so the block pool stays busy) and written in normal order
// by the zip writer; no member data is held whole in memory.
import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { DeflateStream } from '../../formats/deflate/index.js';
import type { ByteSink } from '../../formats/sink.js';
import {
  FLAG_DATA_DESCRIPTOR, FLAG_UTF8, HOST_UNIX, METHOD_DEFLATE, METHOD_STORED, MSDOS_ATTR_DIRECTORY, S_IFDIR, S_IFLNK, S_IFREG,
  VERSION_DEFLATE, ZipWriter, makeVersionMadeBy, openZip, toDosDateTime, unixModeToExternalAttr,
} from '../../formats/zip/index.js';
import type { ZipReader, ZipWriterEntry } from '../../formats/zip/index.js';
import { withImpliedDirectories } from '../content.js';
import type { ContentRecord } from '../content.js';
import { RefusedInput } from '../failure.js';
import type { HandlerRun } from '../handler.js';
import { DEFAULT_WHEEL_LEVEL, normalFileMode, normalMtime } from '../options.js';
import type { NormalizeOptions } from '../options.js';
import { ChangeLog } from '../report.js';
import { ancestorsOf, checkSymlinksResolved } from '../refusal.js';
import { MAX_RECORD_BYTES, sizeText } from '../limits.js';
import { removeScratch, scratchPath } from '../scratch.js';
import { recordProblems } from '../record.js';
import { WHEEL_FIELDS } from './fields.js';
import { checkWheelTree, classify, compareWheelPaths, contentRecordOf, hashStream, inDistInfo, isRecord, readBytes, sha256Hex } from './read.js';
import type { WheelMember } from './read.js';

/** Unix, spec version 2.0: what Python's zipfile writes on every platform. */
const VERSION_MADE_BY = makeVersionMadeBy(HOST_UNIX, VERSION_DEFLATE);
/** A member's compressed bytes stay in memory up to this size, and go to a scratch file beyond. */
const IN_MEMORY_LIMIT = 4 << 20;
/** Members being read and compressed at once, ahead of the one being written. */
const MEMBERS_IN_FLIGHT = 8;

/** Compressed bytes of one member, in memory or, when large, in a scratch file. */
class CompressedData {
  private chunks: Uint8Array[] = [];
  private length = 0;
  private spill?: { handle: FileHandle; path: string };

  constructor(private readonly workDir: string) {}

  readonly sink: ByteSink = async (chunk) => {
    if (!this.spill && this.length + chunk.length > IN_MEMORY_LIMIT) {
      const path = scratchPath(this.workDir, 'spool');
      this.spill = { handle: await open(path, 'wx+', 0o600), path };
      for (const held of this.chunks) await this.spill.handle.write(held);
      this.chunks = [];
    }
    if (this.spill) await this.spill.handle.write(chunk);
    else this.chunks.push(chunk);
    this.length += chunk.length;
  };

  async *read(): AsyncGenerator<Uint8Array> {
    if (!this.spill) {
      yield* this.chunks;
      return;
    }
    for (let at = 0; at < this.length; ) {
      const buffer = Buffer.allocUnsafe(Math.min(1 << 20, this.length - at));
      const { bytesRead } = await this.spill.handle.read(buffer, 0, buffer.length, at);
      at += bytesRead;
      yield buffer.subarray(0, bytesRead);
    }
  }

  async dispose(): Promise<void> {
    this.chunks = [];
    if (this.spill) {
      await this.spill.handle.close();
      await removeScratch(this.spill.path);
    }
  }
}

/** A member ready to be written: its header fields and where its bytes come from. */
interface PreparedMember {
  member: WheelMember;
  sha256: string;
  size: number;
  crc32: number;
  method: number;
  compressedSize: number;
  /** The uncompressed data, kept for a symlink (its target) and the RECORD (checked against the files). */
  kept?: Buffer;
  data: () => ZipWriterEntry['data'];
  dispose: () => Promise<void>;
}

const NO_DATA = { data: () => Buffer.alloc(0), dispose: async () => undefined };

/**
 * Reads a member once (checking its CRC and size), hashes it and compresses it the normal way. A
 * small member is read whole, in one read shared with its neighbours; a large one is streamed.
 */
async function prepare(zip: ZipReader, member: WheelMember, options: NormalizeOptions, workDir: string): Promise<PreparedMember> {
  const { entry } = member;
  if (member.type === 'directory') return { member, sha256: '', size: 0, crc32: 0, method: METHOD_STORED, compressedSize: 0, ...NO_DATA };
  const whole = zip.isSmall(entry) ? await zip.readSmallMember(entry) : undefined;
  const uncompressed = () => whole?.data ?? zip.openMemberStream(entry);
  const kept = member.type === 'symlink' || isRecord(member.path) ? { kept: whole?.data ?? (await readBytes(zip, entry)) } : {};
  if (options.keepCompression) {
    const { sha256, size } = whole ? { sha256: sha256Hex(whole.data), size: whole.data.length } : await hashStream(zip.openMemberStream(entry));
    const data = () => whole?.stored ?? zip.openRawStream(entry);
    return { member, sha256, size, ...kept, crc32: entry.crc32, method: entry.method, compressedSize: entry.compressedSize, data, dispose: NO_DATA.dispose };
  }
  const compressed = new CompressedData(workDir);
  try {
    const deflate = new DeflateStream(options.level ?? DEFAULT_WHEEL_LEVEL, compressed.sink, options.compressor, options.blocksInFlight);
    const hash = createHash('sha256');
    for await (const chunk of whole ? [whole.data] : zip.openMemberStream(entry)) {
      hash.update(chunk as Buffer);
      await deflate.write(chunk as Buffer);
    }
    const { crc32, size, compressedSize } = await deflate.end();
    const sha256 = hash.digest('hex');
    // Stored only when deflate would not make it smaller (empty files among them): content decides.
    if (compressedSize >= size) {
      await compressed.dispose();
      return { member, sha256, size, ...kept, crc32, method: METHOD_STORED, compressedSize: size, data: uncompressed, dispose: NO_DATA.dispose };
    }
    return { member, sha256, size, ...kept, crc32, method: METHOD_DEFLATE, compressedSize, data: () => compressed.read(), dispose: () => compressed.dispose() };
  } catch (error) {
    await compressed.dispose();
    throw error;
  }
}

/** The name a member is stored under: directory entries carry their trailing slash. */
function storedName(member: WheelMember): string {
  return member.type === 'directory' ? `${member.path}/` : member.path;
}

function externalAttr(member: WheelMember): number {
  if (member.type === 'directory') return unixModeToExternalAttr(S_IFDIR | 0o755) + MSDOS_ATTR_DIRECTORY;
  if (member.type === 'symlink') return unixModeToExternalAttr(S_IFLNK | 0o777);
  return unixModeToExternalAttr(S_IFREG | normalFileMode(member.executable ? 0o755 : 0o644));
}

/** Notes how an input entry's header differs from what the normal form writes for it. */
function noteEntryChanges(changes: ChangeLog, prepared: PreparedMember, written: { dosTime: number; dosDate: number; flags: number; externalAttr: number }): void {
  const { entry, path } = prepared.member;
  if (entry.dosTime !== written.dosTime || entry.dosDate !== written.dosDate) changes.add(WHEEL_FIELDS.time, path);
  if (entry.externalAttr !== written.externalAttr) changes.add(WHEEL_FIELDS.externalAttr, `${path} (0x${entry.externalAttr.toString(16)})`);
  if (entry.extraFields.length > 0 || entry.localExtraFields.length > 0) {
    const ids = [...new Set([...entry.localExtraFields, ...entry.extraFields].map((f) => `0x${f.id.toString(16).padStart(4, '0')}`))];
    changes.add(WHEEL_FIELDS.extraFields, `${path} (${ids.join(' ')})`);
  }
  // Members of 4 GiB and more need zip64, and the writer raises their version needed to 4.5.
  if (entry.versionNeeded !== VERSION_DEFLATE && Math.max(prepared.size, prepared.compressedSize) < 0xffffffff) {
    changes.add(WHEEL_FIELDS.versionNeeded, `${path} (${entry.versionNeeded})`);
  }
  if (entry.versionMadeBy !== VERSION_MADE_BY) changes.add(WHEEL_FIELDS.versionMadeBy, `${path} (0x${entry.versionMadeBy.toString(16)})`);
  if (entry.flags !== written.flags) changes.add(WHEEL_FIELDS.flags, `${path} (0x${entry.flags.toString(16)}${entry.flags & FLAG_DATA_DESCRIPTOR ? ', data descriptor' : ''})`);
  if (entry.method !== prepared.method || entry.compressedSize !== prepared.compressedSize) changes.add(WHEEL_FIELDS.compressedData, path);
  if (entry.internalAttr !== 0) changes.add(WHEEL_FIELDS.internalAttr, path);
  if (entry.commentBytes.length > 0) changes.add(WHEEL_FIELDS.comments, path);
}

/** Runs `work` over items with up to `limit` in flight, handing results to `consume` in order. */
async function inOrder<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>, consume: (result: R) => Promise<void>): Promise<void> {
  const running: Promise<R>[] = [];
  let next = 0;
  const fill = () => {
    while (next < items.length && running.length < limit) {
      const promise = work(items[next++]!);
      promise.catch(() => undefined); // awaited below, in order; this only stops an unhandled rejection
      running.push(promise);
    }
  };
  fill();
  while (running.length > 0) {
    const result = await running.shift()!;
    fill();
    await consume(result);
  }
}

/**
 * The RECORD limit of docs/limits.md, from the declared size, before any member is read: the zip
 * reader never inflates past the declared size, so the RECORD read whole later is bounded by it.
 * (A symlink target's limit is checked as each member is classified.)
 */
function checkDeclaredSizes(members: readonly WheelMember[]): void {
  for (const { path, entry } of members) {
    if (isRecord(path) && entry.uncompressedSize > MAX_RECORD_BYTES) {
      throw new RefusedInput(`${path}: RECORD of ${entry.uncompressedSize} bytes, over the limit of ${sizeText(MAX_RECORD_BYTES)} for a RECORD (docs/limits.md)`);
    }
  }
}

/**
 * The members to write, in normal order, with what that changes noted. Apart so that its sets and
 * lists are gone before the members are written (100,000 members make them large).
 */
function plan(members: readonly WheelMember[], changes: ChangeLog): WheelMember[] {
  checkWheelTree(members);
  checkDeclaredSizes(members);
  // Directory entries carry nothing but their existence: kept only where nothing lies beneath.
  const ancestors = new Set<string>();
  for (const member of members) for (const dir of ancestorsOf(member.path)) ancestors.add(dir);
  const kept = members.filter((m) => m.type !== 'directory' || !ancestors.has(m.path));
  for (const dropped of members) {
    if (dropped.type === 'directory' && ancestors.has(dropped.path)) changes.add(WHEEL_FIELDS.directories, `${dropped.path}/ (dropped)`);
  }
  const ordered = [...kept].sort((a, b) => compareWheelPaths(storedName(a), storedName(b)));
  const inputOrder = kept.map((m) => m.path);
  if (ordered.some((m, i) => m.path !== inputOrder[i])) {
    const firstDistInfo = inputOrder.findIndex(inDistInfo);
    const distInfoNotLast = firstDistInfo >= 0 && inputOrder.slice(firstDistInfo).some((p) => !inDistInfo(p));
    const moved = ordered.filter((m, i) => m.path !== inputOrder[i]).length;
    changes.add(WHEEL_FIELDS.order, `${moved} of ${ordered.length} members move${distInfoNotLast ? ' (.dist-info/ is not last)' : ''}`);
  }
  return ordered;
}

export async function normalizeWheel(inputPath: string, sink: ByteSink, options: NormalizeOptions, workDir: string): Promise<HandlerRun> {
  const zip = await openZip(inputPath);
  try {
    if (zip.entries.length === 0) throw new RefusedInput('zip: the wheel has no members');
    const changes = new ChangeLog();
    if (zip.comment.length > 0) changes.add(WHEEL_FIELDS.archiveComment, `${zip.comment.length} bytes`);
    const ordered = plan(zip.entries.map(classify), changes);
    const writer = new ZipWriter(sink);
    const content: ContentRecord[] = [];
    const fileHashes = new Map<string, { sha256: string; size: number }>();
    let recordBytes: Buffer | undefined;
    const { dosDate, dosTime } = toDosDateTime(options.epoch);
    const total = ordered.reduce((sum, m) => sum + m.entry.uncompressedSize, 0);
    let done = 0;
    await inOrder(ordered, MEMBERS_IN_FLIGHT, (member) => prepare(zip, member, options, workDir), async (prepared) => {
      try {
        const { member } = prepared;
        const record = contentRecordOf(member, prepared.sha256, prepared.kept);
        const time = options.mtime === 'epoch' ? { dosDate, dosTime } : toDosDateTime(normalMtime(member.mtime, options));
        const fields = {
          ...time,
          flags: /^[\x00-\x7f]*$/.test(member.path) ? 0 : FLAG_UTF8,
          externalAttr: externalAttr(member),
        };
        noteEntryChanges(changes, prepared, fields);
        await writer.addEntry({
          nameBytes: Buffer.from(storedName(member), 'utf8'),
          versionMadeBy: VERSION_MADE_BY,
          versionNeeded: VERSION_DEFLATE,
          internalAttr: 0,
          method: prepared.method,
          crc32: prepared.crc32,
          compressedSize: prepared.compressedSize,
          uncompressedSize: prepared.size,
          data: prepared.data(),
          ...fields,
        });
        content.push(record);
        if (member.type === 'file') fileHashes.set(member.path, { sha256: prepared.sha256, size: prepared.size });
        if (isRecord(member.path)) recordBytes = prepared.kept;
        done += prepared.size;
        options.onProgress?.(done, total);
      } finally {
        await prepared.dispose();
      }
    });
    await writer.finish();
    checkSymlinksResolved(content.map((r) => ({ path: r.name, type: r.type, linkname: r.linkTarget })), '');
    return { changes: changes.list(), content: withImpliedDirectories(content), problems: recordProblems(recordBytes, fileHashes) };
  } finally {
    await zip.close();
  }
}
