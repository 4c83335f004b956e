// Writing an sdist's normal form: the planned members as one tar, gzipped with the deterministic
// deflate, member data read back from the spool that indexing filled.
import { createHash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import { GzipWriter, GZIP_OS_UNIX, gzipFlagNames, normalGzipHeader, parseGzipHeader } from '../../formats/gzip.js';
import { TarWriter } from '../../formats/tar/index.js';
import type { ByteSink } from '../../formats/sink.js';
import type { NormalizeOptions } from '../options.js';
import { SDIST_FIELDS } from './fields.js';
import type { PlannedMember } from './plan.js';
import type { SdistIndex } from './read.js';

/** Spool reads in pieces of this size. */
const SPOOL_CHUNK = 1 << 20;

export interface SdistWriteResult {
  /** sha256 of the uncompressed tar written. */
  tarSha256: string;
}

/** Writes the planned members as a normal-form .tar.gz to `sink`. */
export async function writeSdist(planned: PlannedMember[], spool: FileHandle, sink: ByteSink, level: number, options: NormalizeOptions): Promise<SdistWriteResult> {
  const gzip = new GzipWriter(level, sink, options.compressor, options.blocksInFlight);
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
  const before = changes.size;
  if (flags.length > 0) changes.add(SDIST_FIELDS.gzipFlags, flags.join(' '));
  if (header.fileName !== undefined) changes.add(SDIST_FIELDS.gzipName, header.fileName);
  if (header.mtime !== 0) changes.add(SDIST_FIELDS.gzipMtime, String(header.mtime));
  if (header.os !== GZIP_OS_UNIX) changes.add(SDIST_FIELDS.gzipOs, String(header.os));
  if (header.xfl !== normal.xfl) changes.add(SDIST_FIELDS.gzipXfl, String(header.xfl));
  const tarChanged = changes.list().some((c) => c.field.startsWith('tar '));
  if (written.tarSha256 !== index.tarSha256 && !tarChanged) changes.add(SDIST_FIELDS.tarEncoding, 'whole archive');
  if (written.tarSha256 === index.tarSha256 && changes.size === before) changes.add(SDIST_FIELDS.gzipData, 'same tar, other deflate');
}
