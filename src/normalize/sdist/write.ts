// Writing an sdist's normal form: the planned members as one tar, gzipped with the deterministic
// deflate, member data read back from the spool that indexing filled. The writing verifies itself:
// the gzip is inflated as it is written and must give exactly the tar written, the tar is read back
// by the strict reader as it is written and each member's content must be its planned row's, and the gzip
// trailer must describe the tar that was read back. What was written is then what it must be,
// without reading the output file again.
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import type { FileHandle } from 'node:fs/promises';
import { crc32 } from 'node:zlib';
import { GzipWriter, GZIP_OS_UNIX, createGunzipStream, gzipFlagNames, normalXfl } from '../../formats/gzip.js';
import { TarWriter } from '../../formats/tar/index.js';
import { HandOff } from './hand-off.js';
import { DrainWait } from '../../formats/sink.js';
import type { ByteSink } from '../../formats/sink.js';
import { describeContentDifferences } from '../content.js';
import type { ContentDifference } from '../content.js';
import { describeError } from '../failure.js';
import type { NormalizeOptions } from '../options.js';
import { SDIST_FIELDS } from './fields.js';
import { checkWrittenTar } from './read.js';
import { SpoolReader } from './spool.js';
import type { SdistIndex } from './read.js';
import type { PlannedMember, WrittenOrder } from './plan.js';

/** What writeSdist writes: a plan, or members made as they come (./early.ts), and their data's size so far for progress. */
export interface WritePlan {
  members: Iterable<PlannedMember> | AsyncIterable<PlannedMember>;
  readonly dataBytes: number;
}

export interface SdistWriteResult {
  /** sha256 of the uncompressed tar written. */
  tarSha256: string;
}

/**
 * Writes the planned members as a normal-form .tar.gz to `sink`. With `expected` (the input's rows,
 * in the order written), the writing is verified as it goes (see the top of this module) and throws when it fails.
 */
export async function writeSdist(
  plan: WritePlan, spool: FileHandle, sink: ByteSink, level: number, options: NormalizeOptions, expected?: WrittenOrder,
): Promise<SdistWriteResult> {
  const inflated = expected ? new OutputInflater() : undefined;
  const gzip = new GzipWriter(level, inflated ? async (bytes) => {
    await inflated.write(bytes);
    await sink(bytes);
  } : sink, options.compressor, options.blocksInFlight);
  const readBack = expected ? new TarReadBack(expected) : undefined;
  const tarHash = createHash('sha256');
  const tar = new TarWriter(async (bytes) => {
    tarHash.update(bytes);
    await readBack?.write(bytes);
    await gzip.write(bytes);
  });
  const data = new SpoolReader(spool);
  let done = 0;
  try {
    for await (const { header, source } of plan.members) {
      await tar.writeMember(header, source ? data.member(source.spoolOffset, source.size) : undefined);
      done += source?.size ?? 0;
      options.onProgress?.(done, plan.dataBytes);
    }
    await tar.end();
  } finally {
    readBack?.end();
  }
  const trailer = await gzip.end();
  const tarSha256 = tarHash.digest('hex');
  if (inflated && readBack) {
    if ((await inflated.end()) !== tarSha256) throw new Error('verification failed: the gzip written does not inflate to the tar that was written');
    const { differences, crc, size } = await readBack.result();
    if (trailer.crc32 !== crc || trailer.size !== size) {
      throw new Error(`verification failed: the gzip trailer says CRC-32 ${trailer.crc32} of ${trailer.size} bytes, the tar read back has ${crc} of ${size}`);
    }
    if (differences.length > 0) throw new Error(`verification failed: ${describeContentDifferences(differences)}`);
  }
  return { tarSha256 };
}

/**
 * Inflates the gzip written, as it is written, with node:zlib (another inflater than the deflater
 * that made it, running on libuv's threads), which checks CRC-32 and ISIZE against the trailer; the
 * sha256 of what it gives must be the tar's.
 */
class OutputInflater {
  private readonly gunzip = createGunzipStream();
  private readonly hash = createHash('sha256');
  private readonly done: Promise<void>;
  private readonly room: DrainWait;

  constructor() {
    this.gunzip.on('data', (chunk: Buffer) => void this.hash.update(chunk));
    this.done = once(this.gunzip, 'end').then(() => undefined, (error: unknown) => {
      throw new Error(`verification failed: the gzip written does not inflate (${describeError(error)})`);
    });
    this.room = new DrainWait(this.done);
  }

  /** Waits for room, and throws the inflate's failure once there is one. */
  async write(bytes: Uint8Array): Promise<void> {
    if (!this.gunzip.write(bytes)) await this.room.for(this.gunzip);
  }

  async end(): Promise<string> {
    this.gunzip.end();
    await this.done;
    return this.hash.digest('hex');
  }
}

/**
 * The tar being written, read back by the strict reader as it is written: each piece is handed to
 * the reader, and the writer goes on once the reader is done with it, so nothing is copied (the
 * writer reuses its buffers) and nothing piles up.
 */
class TarReadBack {
  private readonly stream = new HandOff();
  private readonly checked: Promise<ContentDifference[]>;
  private crc = 0;
  private size = 0;

  constructor(expected: WrittenOrder) {
    this.checked = checkWrittenTar(this.stream, expected).catch((error: unknown) => {
      throw new Error(`verification failed: the tar written does not read back (${describeError(error)})`);
    });
    // A failure is reported by result(); until then it only stops write() from waiting. (Not a race
    // of each write against it: every race adds a reaction to it that lives as long as it does.)
    this.checked.catch(() => this.stream.abandon());
  }

  async write(bytes: Uint8Array): Promise<void> {
    this.crc = crc32(bytes, this.crc);
    this.size += bytes.length;
    await this.stream.write(bytes);
  }

  end(): void {
    this.stream.end();
  }

  async result(): Promise<{ differences: ContentDifference[]; crc: number; size: number }> {
    return { differences: await this.checked, crc: this.crc >>> 0, size: this.size };
  }
}

/** Notes the gzip-level changes once the tar-level outcome is known. */
export function noteGzipChanges(index: SdistIndex, written: SdistWriteResult, level: number): void {
  const { gzipHeader: header, changes } = index;
  const flags = gzipFlagNames(header.flags);
  const before = changes.size;
  if (flags.length > 0) changes.add(SDIST_FIELDS.gzipFlags, flags.join(' '));
  if (header.fileName !== undefined) changes.add(SDIST_FIELDS.gzipName, header.fileName);
  if (header.mtime !== 0) changes.add(SDIST_FIELDS.gzipMtime, String(header.mtime));
  if (header.os !== GZIP_OS_UNIX) changes.add(SDIST_FIELDS.gzipOs, String(header.os));
  if (header.xfl !== normalXfl(level)) changes.add(SDIST_FIELDS.gzipXfl, String(header.xfl));
  const tarChanged = changes.list().some((c) => c.field.startsWith('tar '));
  // No sha256 of the input's tar: it stopped at a member noted as changed, so the tar changed.
  const sameTar = index.tarSha256 !== undefined && written.tarSha256 === index.tarSha256;
  if (!sameTar && !tarChanged) changes.add(SDIST_FIELDS.tarEncoding, 'whole archive');
  if (sameTar && changes.size === before) changes.add(SDIST_FIELDS.gzipData, 'same tar, other deflate');
}
