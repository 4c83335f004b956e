// gzip file format, RFC 1952. Reading inflates with node:zlib (which checks CRC-32 and ISIZE of every
// member and follows multi-member files); writing uses the deterministic DeflateStream.
import { open } from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
import type { Gunzip } from 'node:zlib';
import { PassThrough } from 'node:stream';
import { finished } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import type { ByteCoverage } from './coverage.js';
import { FormatError } from './errors.js';
import { DeflateStream, compressInThisThread } from './deflate/stream.js';
import type { BlockCompressor } from './deflate/job.js';
import type { DeflateSummary } from './deflate/stream.js';
import { DrainWait } from './sink.js';
import type { ByteSink } from './sink.js';

// RFC 1952 section 2.3.1, FLG bits.
const FTEXT = 0x01;
const FHCRC = 0x02;
const FEXTRA = 0x04;
const FNAME = 0x08;
const FCOMMENT = 0x10;
const FRESERVED = 0xe0;

/** RFC 1952 section 2.3.1: ID1 ID2, the magic number. */
const GZIP_MAGIC = [0x1f, 0x8b] as const;
/** CM = 8: deflate, the only method RFC 1952 defines. */
const CM_DEFLATE = 8;
/** OS = 3: Unix. What gzip, pigz and zlib write on Unix; the normal form writes it everywhere. */
export const GZIP_OS_UNIX = 3;
/**
 * The largest header read (docs/limits.md): FEXTRA alone may be 2 + 65535 bytes, and FNAME and
 * FCOMMENT have no bound in RFC 1952, so a longer header is refused as over this limit.
 */
export const MAX_GZIP_HEADER_BYTES = 1 << 20;
/**
 * The inflated stream's pieces, and the compressed file's reads. Each piece is a trip from libuv's
 * thread to this one and back before zlib goes on, and each read one more: node:zlib's default
 * (16 KiB) made every consumer (hashes, the tar reader, the spool) take 32 times as many trips for
 * the same bytes, and 128 KiB pieces from 64 KiB reads inflated the bench sdist in 520-570 ms where
 * these take 430-450 ms. (Each piece is a new buffer, garbage once read: bigger ones cost memory.)
 */
const INFLATE_CHUNK = 512 * 1024;
const FILE_READ_CHUNK = 256 * 1024;
/** The first read of a header; longer ones are read again with more, up to MAX_GZIP_HEADER_BYTES. */
const FIRST_HEADER_READ = 64 * 1024;

/** The header ended before its fields did: with more of the file, it may still be whole. */
class GzipHeaderTruncated extends FormatError {}

/** The header fields of a gzip member (RFC 1952 section 2.3). */
export interface GzipHeader {
  /** FLG: flag bits, as stored. */
  flags: number;
  /** MTIME: seconds since 1970 or 0 for none. */
  mtime: number;
  /** XFL: extra flags, 2 = maximum compression, 4 = fastest (informational only). */
  xfl: number;
  /** OS: the file system the file was made on. */
  os: number;
  /** FNAME: the original file name (ISO 8859-1), when FLG.FNAME is set. */
  fileName?: string;
  /** FCOMMENT: a comment, when FLG.FCOMMENT is set. */
  comment?: string;
  /** FEXTRA: length of the extra field, when FLG.FEXTRA is set. */
  extraLength?: number;
  /** Whether FLG.FHCRC announced a header CRC-16. */
  headerCrc: boolean;
}

/** A parsed header, its length, and the ranges of its fields (RFC 1952 section 2.3) for a ByteCoverage. */
interface ParsedGzipHeader {
  header: GzipHeader;
  length: number;
  fields: [start: number, end: number, what: string][];
}

/** Parses the first member's header from the start of a file. */
function parseGzipHeader(bytes: Uint8Array): ParsedGzipHeader {
  if (bytes.length < 10) throw new FormatError(`gzip: file is ${bytes.length} bytes, shorter than a gzip header (10)`);
  if (bytes[0] !== GZIP_MAGIC[0] || bytes[1] !== GZIP_MAGIC[1]) {
    throw new FormatError(`gzip: not a gzip file (bytes 0-1 are ${hex(bytes[0]!)} ${hex(bytes[1]!)}, expected 1f 8b)`);
  }
  if (bytes[2] !== CM_DEFLATE) throw new FormatError(`gzip: byte 2 (CM) is ${bytes[2]}, only 8 (deflate) exists`);
  const flags = bytes[3]!;
  if (flags & FRESERVED) throw new FormatError(`gzip: byte 3 (FLG) ${hex(flags)} sets reserved bits`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const header: GzipHeader = {
    flags,
    mtime: view.getUint32(4, true),
    xfl: bytes[8]!,
    os: bytes[9]!,
    headerCrc: (flags & FHCRC) !== 0,
  };
  // Every reader skips FEXTRA by XLEN and reads FNAME and FCOMMENT to their NUL alike (zlib and
  // Python's gzip); zlib checks FHCRC, which Python skips, so a wrong one is refused when inflating.
  const fields: ParsedGzipHeader['fields'] = [[0, 2, 'ID1 ID2'], [2, 3, 'CM'], [3, 4, 'FLG'], [4, 8, 'MTIME'], [8, 9, 'XFL'], [9, 10, 'OS']];
  let at = 10;
  const need = (n: number, what: string) => {
    if (at + n > bytes.length) throw new GzipHeaderTruncated(`gzip: header truncated in ${what} at byte ${at}`);
    fields.push([at, at + n, what]);
  };
  if (flags & FEXTRA) {
    need(2, 'XLEN');
    header.extraLength = view.getUint16(at, true);
    at += 2;
    need(header.extraLength, 'FEXTRA');
    at += header.extraLength;
  }
  const zeroTerminated = (what: string): string => {
    const end = bytes.indexOf(0, at);
    if (end < 0) throw new GzipHeaderTruncated(`gzip: header truncated in ${what} starting at byte ${at}`);
    const text = Buffer.from(bytes.subarray(at, end)).toString('latin1');
    fields.push([at, end + 1, what]);
    at = end + 1;
    return text;
  };
  if (flags & FNAME) header.fileName = zeroTerminated('FNAME');
  if (flags & FCOMMENT) header.comment = zeroTerminated('FCOMMENT');
  if (flags & FHCRC) {
    need(2, 'FHCRC');
    at += 2;
  }
  return { header, length: at, fields };
}

export interface GunzipSource {
  header: GzipHeader;
  /** The uncompressed bytes of every member in turn; pass its errors through asGzipError. */
  stream: Readable;
  /** The file's size when it was opened. */
  fileSize: number;
}

/**
 * Opens a gzip file: its first header, and a stream of the inflated contents of all its members. The
 * header is read in growing pieces up to MAX_GZIP_HEADER_BYTES. After the last member only zero bytes
 * (padding) may follow (docs/limits.md): zlib stops at the first byte that does not start a member,
 * and ignores the rest when that byte is zero, so the rest is checked here. The file is read once, to
 * its end, whatever follows the last member, so every run and every verb sees the same bytes. With a
 * coverage, the header's fields, the deflate members and the padding are marked on it.
 */
export async function openGunzip(path: string, coverage?: ByteCoverage): Promise<GunzipSource> {
  const handle = await open(path, 'r');
  let parsed: ParsedGzipHeader;
  let fileSize: number;
  try {
    fileSize = (await handle.stat()).size;
    parsed = await readHeader(handle, fileSize);
  } finally {
    await handle.close();
  }
  const file = createReadStream(path, { highWaterMark: FILE_READ_CHUNK });
  const gunzip = createGunzipStream();
  // Room for a few pieces, so that zlib inflates on while the reader is busy with one.
  const out = new PassThrough({ highWaterMark: 4 * INFLATE_CHUNK });
  gunzip.on('error', (error) => out.destroy(error));
  gunzip.pipe(out, { end: false });
  // A reader that stops early (a refusal) destroys the stream, which stops the reading here too.
  out.on('close', () => {
    file.destroy();
    gunzip.destroy();
  });
  // zlib ends its output at the end of the last member, which is before the file's end when padding
  // follows: the rest is still read here, and checked below.
  const inflated = finished(gunzip, { writable: false });
  inflated.catch(() => undefined);
  const feed = async (): Promise<void> => {
    let ended = false;
    void inflated.then(() => { ended = true; }, () => undefined);
    // Once zlib has ended the loop goes on reading (ended); once it has failed, a wait throws its error.
    const room = new DrainWait(inflated);
    let read = 0;
    for await (const chunk of file as AsyncIterable<Buffer>) {
      read += chunk.length;
      if (!ended && !gunzip.write(chunk)) await room.for(gunzip);
    }
    gunzip.end();
    await inflated;
    if (read !== fileSize) throw new Error(`${path}: the file changed while it was read (${read} bytes read, ${fileSize} when it was opened)`);
    const consumed = gunzip.bytesWritten;
    await checkPadding(path, consumed, fileSize);
    if (coverage) {
      for (const [start, end, what] of parsed.fields) coverage.mark(start, end, `gzip header: ${what}`);
      coverage.mark(parsed.length, consumed, 'gzip deflate data and trailers (inflated by zlib, CRC-32 and ISIZE checked)');
      coverage.mark(consumed, fileSize, 'gzip zero padding after the last member');
    }
  };
  feed().then(() => out.end(), (error: unknown) => out.destroy(error as Error));
  return { header: parsed.header, stream: out, fileSize };
}

async function readHeader(handle: Awaited<ReturnType<typeof open>>, fileSize: number): Promise<ParsedGzipHeader> {
  for (let length = Math.min(FIRST_HEADER_READ, fileSize); ; length = Math.min(length * 4, MAX_GZIP_HEADER_BYTES, fileSize)) {
    const buffer = Buffer.alloc(length);
    const { bytesRead } = await handle.read(buffer, 0, length, 0);
    try {
      return parseGzipHeader(buffer.subarray(0, bytesRead));
    } catch (error) {
      if (!(error instanceof GzipHeaderTruncated) || bytesRead >= fileSize) throw error;
      if (bytesRead >= MAX_GZIP_HEADER_BYTES) {
        throw new FormatError(`gzip: header longer than ${MAX_GZIP_HEADER_BYTES} bytes (FNAME or FCOMMENT), the limit for a gzip header (docs/limits.md)`);
      }
    }
  }
}

/** A gunzip stream (node:zlib) that gives its output in pieces of INFLATE_CHUNK. */
export function createGunzipStream(): Gunzip {
  return createGunzip({ chunkSize: INFLATE_CHUNK });
}

/** Refuses anything but zero bytes after the last member, which ends at `consumed`. */
async function checkPadding(path: string, consumed: number, fileSize: number): Promise<void> {
  if (consumed >= fileSize) return;
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(Math.min(1 << 20, fileSize - consumed));
    for (let at = consumed; at < fileSize; ) {
      const { bytesRead } = await handle.read(buffer, 0, Math.min(buffer.length, fileSize - at), at);
      if (bytesRead === 0) return;
      const nonZero = buffer.subarray(0, bytesRead).findIndex((byte) => byte !== 0);
      if (nonZero >= 0) throw new FormatError(`gzip: data after a member is neither a gzip member nor zero padding (byte ${at + nonZero})`);
      at += bytesRead;
    }
  } finally {
    await handle.close();
  }
}

/** Turns zlib's errors while inflating into FormatErrors that say what is wrong; others pass. */
export function asGzipError(error: unknown): unknown {
  const code = (error as { code?: unknown } | null)?.code;
  if (!(error instanceof Error) || typeof code !== 'string' || !code.startsWith('Z_')) return error;
  return new FormatError(describeZlibError(error as Error & { code: string }));
}

function describeZlibError(error: Error & { code?: string }): string {
  if (error.code === 'Z_BUF_ERROR') return 'gzip: compressed data is truncated (unexpected end of file)';
  if (/incorrect data check/.test(error.message)) return 'gzip: CRC-32 of the inflated data does not match the trailer';
  if (/incorrect length check/.test(error.message)) return 'gzip: ISIZE in the trailer does not match the inflated length';
  if (/incorrect header check/.test(error.message)) return 'gzip: data after a member is neither a gzip member nor zero padding';
  return `gzip: corrupt compressed data (${error.message})`;
}

/** XFL as zlib sets it for a level (RFC 1952 section 2.3.1): 2 for maximum compression, 4 for the fastest, else 0. */
export function normalXfl(level: number): number {
  return level === 9 ? 2 : level === 1 ? 4 : 0;
}

/**
 * The fixed header of the normal form (RFC 1952 section 2.3): no FNAME, FEXTRA, FCOMMENT or FHCRC,
 * MTIME 0, XFL as zlib sets it for the level, OS Unix. It equals what `gzip -9n` writes.
 */
export function normalGzipHeader(level: number): Uint8Array {
  return Uint8Array.of(GZIP_MAGIC[0], GZIP_MAGIC[1], CM_DEFLATE, 0, 0, 0, 0, 0, normalXfl(level), GZIP_OS_UNIX);
}

/** Writes one gzip member in the normal form: header, deterministic deflate, CRC-32 and ISIZE trailer. */
export class GzipWriter {
  private readonly deflate: DeflateStream;
  private started = false;

  constructor(
    private readonly level: number,
    private readonly sink: ByteSink,
    compress: BlockCompressor = compressInThisThread,
    maxInFlight = 1,
  ) {
    this.deflate = new DeflateStream(level, sink, compress, maxInFlight);
  }

  async write(data: Uint8Array): Promise<void> {
    await this.start();
    await this.deflate.write(data);
  }

  /** Ends the member; returns what its trailer was computed from, for a caller that checks it. */
  async end(): Promise<DeflateSummary> {
    await this.start();
    const summary = await this.deflate.end();
    const { crc32, size } = summary;
    // RFC 1952 section 2.3.1: CRC32, then ISIZE (input size modulo 2^32), both little-endian.
    const trailer = new Uint8Array(8);
    const view = new DataView(trailer.buffer);
    view.setUint32(0, crc32, true);
    view.setUint32(4, size % 2 ** 32, true);
    await this.sink(trailer);
    return summary;
  }

  private async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    await this.sink(normalGzipHeader(this.level));
  }
}

/** The FLG bits a header sets, by name, for reports. */
export function gzipFlagNames(flags: number): string[] {
  const names: [number, string][] = [[FTEXT, 'FTEXT'], [FHCRC, 'FHCRC'], [FEXTRA, 'FEXTRA'], [FNAME, 'FNAME'], [FCOMMENT, 'FCOMMENT']];
  return names.filter(([bit]) => flags & bit).map(([, name]) => name);
}

function hex(byte: number): string {
  return byte.toString(16).padStart(2, '0');
}
