// Writing a wheel's normal form (docs/normal-form.md, "wheel"), as plan.ts lays it out: members
// recompressed with the deterministic deflate (several at once, so the block pool stays busy) and
// written in normal order by the zip writer; no member data is held whole in memory.
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { constants as zlibConstants, crc32, createInflateRaw, inflateRawSync } from 'node:zlib';
import { BATCH_SLOT_BYTES, BATCH_SLOT_INPUTS, DeflateStream, NOT_SMALLER, WHOLE_INPUT_BYTES, compressInThisThread, deflateWholeInThisThread, deflateWholeInput } from '../../formats/deflate/index.js';
import type { ByteSink } from '../../formats/sink.js';
import { METHOD_DEFLATE, METHOD_STORED, ZipWriter } from '../../formats/zip/index.js';
import type { DirectoryStore, ZipEntry, ZipReader, ZipWriterEntry } from '../../formats/zip/index.js';
import type { HandlerRun } from '../handler.js';
import { DEFAULT_WHEEL_LEVEL } from '../options.js';
import type { NormalizeOptions } from '../options.js';
import { ChangeLog } from '../report.js';
import type { MemberTable } from '../member-table.js';
import { removeScratch, scratchPath } from '../scratch.js';
import { recordProblems } from '../record.js';
import { VERSION_MADE_BY, VERSION_NEEDED, noteEntryChanges, planWheel, plannedHeader, storedName } from './plan.js';
import { WrittenEntries, classify, indexWheel, isRecord, openWheel, readBytes, readWrittenWheel, setReadContent, sha256Hex, wheelContentView } from './read.js';
import type { WheelMember } from './read.js';

/**
 * Compressed bytes of the members in flight stay in memory up to this total, and go to scratch files
 * beyond: members wait for the one being written with their data ready, and a few big ones must not
 * hold tens of MiB between them (docs/limits.md's memory bound).
 */
const IN_MEMORY_LIMIT = 4 << 20;
/**
 * The zip writer's central directory stays in memory up to this size (about 12,000 members), and
 * waits in a scratch file beyond: 86 bytes a member of 40 characters is 8.6 MB at 100,000 members,
 * held to the end of the run.
 */
const DIRECTORY_IN_MEMORY_LIMIT = 1 << 20;
/**
 * Members, or batches of small ones, being read and compressed at once, ahead of the one being
 * written. A member bigger than a batch counts as HEAVY_WEIGHT of them: it holds up to a block of
 * data and the blocks in flight (a few MiB), where a batch holds its 256 KiB twice. A member read
 * whole (up to a block, prepareWhole) counts as WHOLE_WEIGHT: one job holding its data and its
 * slot's copy, three in flight so that both threads of a pool have one (two left the calling thread
 * idle while the worker deflated both: a wheel of 1 MB members used 1.2 cores). Four, not eight:
 * no slower on any wheel of the bench, and four wheels in one run (two at a time) 0.95x the time
 * (paired); each holds less waiting (the bench wheel's peak 120 against 126 MiB). Sixteen: 1.04x.
 */
const MEMBERS_IN_FLIGHT = 4;
const HEAVY_WEIGHT = 4;
const WHOLE_WEIGHT = MEMBERS_IN_FLIGHT / 3;
/**
 * Past this many entries a wheel is compressed on this thread alone, whatever --jobs says. Its
 * tables grow with its entries (about 400 bytes an entry at the peak, RECORD's writing included),
 * and a worker with its isolate and job slots costs 16-20 MiB more: the 100,000-entry wheel of the
 * tests (files of a few bytes) peaked at 126-150 MiB with one, 109-116 MiB without, against the
 * 146 MiB bound, in the same time. Where the files hold more, the bound costs time: wheels of
 * 200-byte files took the same time either way at 30,000 entries, 8-18% longer on one thread from
 * 60,000 to 150,000 (paired runs on a busy machine; the bench's 100,000: 1.18x).
 */
const POOLED_ENTRIES_LIMIT = 50_000;

/** The bytes all SpooledBytes sharing it hold in memory, and how many they may. */
interface MemoryBudget {
  held: number;
  readonly limit: number;
}

/**
 * Bytes written once and read back once (a member's compressed data, the zip writer's directory):
 * in memory while their budget allows, else in a scratch file.
 */
class SpooledBytes implements DirectoryStore {
  private chunks: Uint8Array[] = [];
  private length = 0;
  private spill?: { handle: FileHandle; path: string };

  constructor(
    private readonly workDir: string,
    private readonly budget: MemoryBudget,
  ) {}

  readonly append: ByteSink = async (chunk) => {
    if (!this.spill && this.budget.held + chunk.length > this.budget.limit) {
      const path = scratchPath(this.workDir, 'spool');
      this.spill = { handle: await open(path, 'wx+', 0o600), path };
      for (const held of this.chunks) await this.spill.handle.write(held);
      this.release();
    }
    if (this.spill) await this.spill.handle.write(chunk);
    else {
      this.chunks.push(chunk);
      this.budget.held += chunk.length;
    }
    this.length += chunk.length;
  };

  /**
   * The bytes, in the pieces appended or read back a MiB at a time. With `reused`, every piece read
   * back is a view of it, valid until the next is asked for: for a consumer that keeps none, as the
   * zip writer's sink keeps none of the directory. A new buffer a read left 12 MiB of dead ones at
   * the peak (a directory of 18 MB). The compressed members' pieces may be kept (an inflater queues
   * them), so theirs are new.
   */
  async *read(reused?: Buffer): AsyncGenerator<Uint8Array> {
    if (!this.spill) {
      yield* this.chunks;
      return;
    }
    for (let at = 0; at < this.length; ) {
      const length = Math.min(1 << 20, this.length - at);
      const buffer = reused && reused.length >= length ? reused : Buffer.allocUnsafe(length);
      const { bytesRead } = await this.spill.handle.read(buffer, 0, length, at);
      at += bytesRead;
      yield buffer.subarray(0, bytesRead);
    }
  }

  /** Gives the bytes held in memory back to the budget. */
  private release(): void {
    for (const held of this.chunks) this.budget.held -= held.length;
    this.chunks = [];
  }

  async dispose(): Promise<void> {
    this.release();
    if (this.spill) {
      await this.spill.handle.close();
      await removeScratch(this.spill.path);
    }
  }
}

/** A member ready to be written: its header fields and where its bytes come from. */
interface PreparedMember {
  member: WheelMember;
  /** Known once the data is written when only the write reads it (a big member whose compression is kept). */
  sha256: string;
  size: number;
  crc32: number;
  method: number;
  compressedSize: number;
  /** The uncompressed data of a symlink: its target. */
  kept?: Buffer;
  /**
   * Whether `data` is checked already: the very bytes the zip reader checked (kept compression), so
   * checking them again as they are written would only repeat it.
   */
  checked?: boolean;
  /**
   * The uncompressed data, when it is in memory anyway (a batch's input): what is written is then
   * checked against it byte for byte, which is surer than its hash and a fraction of the work.
   */
  original?: Uint8Array;
  data: () => ZipWriterEntry['data'];
  dispose: () => Promise<void>;
}

const NO_DATA = { data: () => Buffer.alloc(0), dispose: async () => undefined };

/**
 * Reads a member once (checking its CRC and size), hashes it and compresses it the normal way. A
 * small member is read whole, in one read shared with its neighbours; a large one is streamed.
 */
async function prepare(zip: ZipReader, member: WheelMember, options: NormalizeOptions, workDir: string, budget: MemoryBudget): Promise<PreparedMember> {
  const { entry } = member;
  if (member.type === 'directory') return { member, sha256: '', size: 0, crc32: 0, method: METHOD_STORED, compressedSize: 0, ...NO_DATA };
  const whole = zip.isSmall(entry) ? await zip.readSmallMember(entry) : undefined;
  const kept = member.type === 'symlink' ? { kept: whole?.data ?? (await readBytes(zip, entry)) } : {};
  if (options.keepCompression) {
    const stored = { member, ...kept, size: entry.uncompressedSize, crc32: entry.crc32, method: entry.method, compressedSize: entry.compressedSize, checked: true };
    if (whole) {
      // Only the stored bytes wait to be written; the inflated ones are dropped once hashed.
      const bytes = whole.stored;
      return { ...stored, sha256: sha256Hex(whole.data), data: () => bytes, dispose: NO_DATA.dispose };
    }
    // A big member is read once, as it is written, and checked by the zip reader as it passes.
    const prepared: PreparedMember = { ...stored, sha256: '', data: () => hashedAsWritten(zip, prepared), dispose: NO_DATA.dispose };
    return prepared;
  }
  if (whole) return prepareWhole(member, whole.data, kept, options);
  const compressed = new SpooledBytes(workDir, budget);
  try {
    const deflate = new DeflateStream(options.level ?? DEFAULT_WHEEL_LEVEL, compressed.append, options.compressor, options.blocksInFlight);
    const hash = createHash('sha256');
    for await (const chunk of zip.openMemberStream(entry)) {
      hash.update(chunk as Buffer);
      await deflate.write(chunk as Buffer);
    }
    const { crc32, size, compressedSize } = await deflate.end();
    const sha256 = hash.digest('hex');
    // Stored only when deflate would not make it smaller (empty files among them): content decides.
    if (compressedSize >= size) {
      await compressed.dispose();
      return { member, sha256, size, ...kept, crc32, method: METHOD_STORED, compressedSize: size, data: () => zip.openMemberStream(entry), dispose: NO_DATA.dispose };
    }
    return { member, sha256, size, ...kept, crc32, method: METHOD_DEFLATE, compressedSize, data: () => compressed.read(), dispose: () => compressed.dispose() };
  } catch (error) {
    await compressed.dispose();
    throw error;
  }
}

/**
 * A small member, in memory whole: one deflate job, its input the data read (no stream's copy of it),
 * so that several such members in flight hold little more than their data.
 */
async function prepareWhole(member: WheelMember, data: Buffer, kept: { kept?: Buffer }, options: NormalizeOptions): Promise<PreparedMember> {
  const deflated = await deflateWholeInput(data, options.level ?? DEFAULT_WHEEL_LEVEL, options.compressor ?? compressInThisThread);
  const read = { member, sha256: sha256Hex(data), size: data.length, ...kept, crc32: crc32(data) >>> 0, dispose: NO_DATA.dispose };
  // Stored where deflating does not make it smaller, as prepare() decides.
  if (deflated.length >= data.length) return { ...read, method: METHOD_STORED, compressedSize: data.length, data: () => data };
  return { ...read, method: METHOD_DEFLATE, compressedSize: deflated.length, original: data, data: () => deflated };
}

/** A member's stored bytes, read and checked as they are written; its sha256 is known at their end. */
async function* hashedAsWritten(zip: ZipReader, prepared: PreparedMember): AsyncGenerator<Uint8Array> {
  const hash = createHash('sha256');
  yield* zip.openCheckedRawStream(prepared.member.entry, (uncompressed) => hash.update(uncompressed));
  prepared.sha256 = hash.digest('hex');
}

/** What is prepared and written together: a member alone, or a batch of small files. */
type WriteUnit = WheelMember | WheelMember[];

/**
 * The members in writing order (entry indices, as planned), each classified as it comes, small files
 * in a row gathered into batches (not when compression is kept), each deflated in one job
 * (../../formats/deflate/members.ts), on a worker or here, not one per member. A batch holds what a
 * worker's slot does; a member bigger than that goes alone.
 */
function* writeUnits(ordered: Uint32Array, zip: ZipReader, options: NormalizeOptions): Generator<WriteUnit> {
  let batch: WheelMember[] = [];
  let batchBytes = 0;
  function* cut(): Generator<WriteUnit> {
    if (batch.length > 0) yield batch;
    batch = [];
    batchBytes = 0;
  }
  for (const index of ordered) {
    const member = classify(zip.entry(index));
    const { entry } = member;
    const batched = !options.keepCompression && member.type === 'file' && zip.isSmall(entry) &&
      entry.uncompressedSize <= Math.min(BATCH_SLOT_BYTES, WHOLE_INPUT_BYTES);
    // Writing order is kept: a member that goes alone ends the batch before it.
    if (!batched || batch.length === BATCH_SLOT_INPUTS || batchBytes + entry.uncompressedSize > BATCH_SLOT_BYTES) yield* cut();
    if (batched) {
      batch.push(member);
      batchBytes += entry.uncompressedSize;
    } else yield member;
  }
  yield* cut();
}

/**
 * A batch of small files, each read whole (checked by the zip reader) and hashed here, then deflated
 * together in one job; stored, as prepare() decides, where deflating does not make one smaller.
 */
async function prepareBatch(zip: ZipReader, members: readonly WheelMember[], options: NormalizeOptions): Promise<PreparedMember[]> {
  const lengths = new Uint32Array(members.length);
  for (const [i, { entry }] of members.entries()) lengths[i] = entry.uncompressedSize;
  const input = new Uint8Array(lengths.reduce((sum, length) => sum + length, 0));
  const hashes: string[] = [];
  let at = 0;
  for (const { entry } of members) {
    const { data } = await zip.readSmallMember(entry);
    input.set(data, at);
    at += data.length;
    hashes.push(sha256Hex(data));
  }
  const level = options.level ?? DEFAULT_WHEEL_LEVEL;
  const { deflated, deflatedLengths } = await (options.wholeDeflater ?? deflateWholeInThisThread)({ level, input, lengths });
  const prepared: PreparedMember[] = [];
  let from = 0;
  let to = 0;
  for (const [i, member] of members.entries()) {
    const data = input.subarray(from, from + lengths[i]!);
    from += data.length;
    const stored = deflatedLengths[i] === NOT_SMALLER;
    const bytes = stored ? data : deflated.subarray(to, to + deflatedLengths[i]!);
    to += stored ? 0 : bytes.length;
    prepared.push({
      member, sha256: hashes[i]!, size: data.length, crc32: member.entry.crc32, method: stored ? METHOD_STORED : METHOD_DEFLATE,
      compressedSize: bytes.length, ...(stored ? {} : { original: data }), data: () => bytes, dispose: NO_DATA.dispose,
    });
  }
  return prepared;
}

/** Deflated data of up to this size, compressed and not, is inflated for its check in one call; beyond, as a stream. */
const CHECKED_WHOLE_LIMIT = 1 << 20;

/**
 * A member's stored bytes on their way to the writer, checked as they pass: inflated by node:zlib
 * (not the deflate that made them) when deflated, they must give the size, CRC-32 and sha256 the
 * member was read with. A wheel is then verified as it is written, and only its structure is read
 * back (readWrittenWheel).
 */
async function* checkedAsWritten(prepared: PreparedMember, data: ZipWriterEntry['data']): AsyncGenerator<Uint8Array> {
  const hash = createHash('sha256');
  let crc = 0;
  let size = 0;
  const take = (bytes: Uint8Array) => {
    hash.update(bytes);
    crc = crc32(bytes, crc);
    size += bytes.length;
  };
  const deflated = prepared.method === METHOD_DEFLATE;
  const held: Uint8Array[] = [];
  const inflater = deflated && Math.max(prepared.size, prepared.compressedSize) > CHECKED_WHOLE_LIMIT ? createInflateRaw() : undefined;
  inflater?.on('data', take);
  const inflated = inflater && once(inflater, 'end');
  inflated?.catch(() => undefined); // awaited below; an inflate error fails the check there
  for await (const chunk of data instanceof Uint8Array ? [data] : data) {
    yield chunk;
    if (inflater) {
      if (!inflater.write(chunk)) await once(inflater, 'drain');
    } else if (deflated) held.push(chunk);
    else take(chunk);
  }
  const failed = (why: string) => new Error(`verification failed: ${prepared.member.path}: the data written ${why}`);
  let whole: Buffer | undefined;
  try {
    if (inflater) {
      inflater.end();
      await inflated;
    } else if (deflated) {
      // Output room of the member's size, not node:zlib's default 16 KiB: that buffer is made anew
      // for every call, 1.5 GB of them for 100,000 small members.
      const size = Math.max(1, prepared.size);
      whole = inflateRawSync(held.length === 1 ? held[0]! : Buffer.concat(held), { chunkSize: Math.max(zlibConstants.Z_MIN_CHUNK, size), maxOutputLength: size });
    }
  } catch (error) {
    throw failed(`does not inflate (${(error as Error).message})`);
  }
  if (whole && prepared.original) {
    if (!whole.equals(prepared.original)) throw failed('is not the data read');
    return;
  }
  if (whole) take(whole);
  if (size !== prepared.size) throw failed(`gives ${size} bytes, not ${prepared.size}`);
  if (crc >>> 0 !== prepared.crc32 >>> 0 || hash.digest('hex') !== prepared.sha256) throw failed('is not the data read');
}

/**
 * Runs `work` over items, taken as they are started, with up to `limit` of `weight` in flight (one
 * item at least), handing results to `consume` in order.
 */
async function inOrder<T, R>(
  items: Iterator<T>, limit: number, weight: (item: T) => number, work: (item: T) => Promise<R>, consume: (result: R) => Promise<void>,
): Promise<void> {
  const running: { result: Promise<R>; weight: number }[] = [];
  let next = items.next();
  let inFlight = 0;
  const fill = () => {
    for (; !next.done; next = items.next()) {
      const item = next.value;
      const itemWeight = weight(item);
      if (running.length > 0 && inFlight + itemWeight > limit) return;
      const result = work(item);
      result.catch(() => undefined); // awaited below, in order; this only stops an unhandled rejection
      running.push({ result, weight: itemWeight });
      inFlight += itemWeight;
    }
  };
  fill();
  while (running.length > 0) {
    const { result, weight: done } = running.shift()!;
    const value = await result;
    inFlight -= done;
    fill();
    await consume(value);
  }
}

/** A closure of its own, so that it keeps only these alive, not the input's reader beside them. */
function readBack(written: WrittenEntries, table: MemberTable, order: Uint32Array): HandlerRun['readWritten'] {
  return (path) => readWrittenWheel(path, written, table, order);
}

/** The options without the run's worker pool: compression on this thread. */
function onThisThread({ compressor, wholeDeflater, blocksInFlight, expectCompression, ...options }: NormalizeOptions): NormalizeOptions {
  return options;
}

export async function normalizeWheel(inputPath: string, sink: ByteSink, runOptions: NormalizeOptions, workDir: string, verify = false): Promise<HandlerRun> {
  const zip = await openWheel(inputPath);
  const options = zip.entryCount > POOLED_ENTRIES_LIMIT ? onThisThread(runOptions) : runOptions;
  // Recompressed, the members are at least the file's size in input (kept, nothing is compressed).
  if (!options.keepCompression) options.expectCompression?.(zip.fileSize);
  const directory = new SpooledBytes(workDir, { held: 0, limit: DIRECTORY_IN_MEMORY_LIMIT });
  try {
    const changes = new ChangeLog();
    const table = indexWheel(zip);
    const ordered = planWheel(zip, table, changes);
    const writer = new ZipWriter(sink, { append: directory.append, read: () => directory.read(Buffer.allocUnsafe(1 << 20)) });
    const written = new WrittenEntries(ordered.length);
    const budget: MemoryBudget = { held: 0, limit: IN_MEMORY_LIMIT };
    // Read again for its check once every file is in the table, rather than held whole until then.
    let record: ZipEntry | undefined;
    // Only a progress bar needs it: an entry object per member otherwise made for nothing.
    const total = options.onProgress ? ordered.reduce((sum, index) => sum + zip.entry(index).uncompressedSize, 0) : 0;
    let done = 0;
    const write = async (prepared: PreparedMember) => {
      try {
        const { member } = prepared;
        const header = plannedHeader(member, options);
        noteEntryChanges(changes, member, header, prepared);
        const localHeaderOffset = writer.offset;
        const data = prepared.data();
        await writer.addEntry({
          nameBytes: Buffer.from(storedName(member), 'utf8'),
          versionMadeBy: VERSION_MADE_BY,
          versionNeeded: VERSION_NEEDED,
          internalAttr: 0,
          method: prepared.method,
          crc32: prepared.crc32,
          compressedSize: prepared.compressedSize,
          uncompressedSize: prepared.size,
          data: verify && member.type !== 'directory' && !prepared.checked ? checkedAsWritten(prepared, data) : data,
          ...header,
        });
        setReadContent(table, member, prepared.sha256, prepared.kept);
        written.add(localHeaderOffset, prepared.compressedSize, prepared.crc32);
        if (isRecord(member.path)) record = member.entry;
        done += prepared.size;
        options.onProgress?.(done, total);
      } finally {
        await prepared.dispose();
      }
    };
    await inOrder(
      writeUnits(ordered, zip, options),
      MEMBERS_IN_FLIGHT,
      (unit) => (Array.isArray(unit) || unit.entry.uncompressedSize <= BATCH_SLOT_BYTES ? 1 : zip.isSmall(unit.entry) ? WHOLE_WEIGHT : HEAVY_WEIGHT),
      async (unit) => (Array.isArray(unit) ? prepareBatch(zip, unit, options) : [await prepare(zip, unit, options, workDir, budget)]),
      async (prepared) => {
        for (const one of prepared) await write(one);
      },
    );
    await writer.finish();
    return {
      changes: changes.list(),
      content: wheelContentView(table),
      problems: await recordProblems(record && zip.openMemberStream(record), table),
      ...(verify ? { readWritten: readBack(written, table, ordered) } : {}),
    };
  } finally {
    await directory.dispose();
    await zip.close();
  }
}
