// The strict zip reader (APPNOTE 4.3.6): it accepts only archives that every mainstream reader must
// understand the same way and refuses the rest with a ZipFormatError naming the record and offset.
// Opening validates the whole structure (./directory.ts); member data is read only when a stream asks.
import type { FileHandle } from 'node:fs/promises';
import { open } from 'node:fs/promises';
import { once } from 'node:events';
import { Readable } from 'node:stream';
import { constants as zlibConstants, createInflateRaw, crc32 as zlibCrc32, inflateRawSync } from 'node:zlib';
import type { ByteCoverage } from '../coverage.js';
import { parseArchive, readExtraFields } from './directory.js';
import { describe } from './entry.js';
import type { EntryExtraFields, ZipEntry } from './entry.js';
import type { EntryTable } from './entry-table.js';
import { CHUNK, DataWindow, PositionedFile, ReadAhead } from './io.js';
import { METHOD_STORED, ZipFormatError, hex32 } from './records.js';
/** Positioned read size for member data: large enough that per-read overhead does not dominate. */
const DATA_CHUNK = 1024 * 1024;
/**
 * Bytes read at a time for small members (the window of readSmallMember). Smaller than DATA_CHUNK:
 * members are asked for in writing order, which jumps about the file, and each jump past the window
 * reads a new one. Normalizing the bench wheel (57 MB) with --keep-compression, the run read 279 MiB
 * in all with windows of 1 MiB and 223 MiB with 256 KiB, and took a median 1.62 s against 1.87 s
 * (10 and 14 runs, alternating; 512, 128 and 64 KiB were in between). Recompressing it, `check` of
 * it and of triton, and 100,000 small members took the same time either way.
 */
const WINDOW_BYTES = 256 * 1024;

export interface ZipReaderOptions {
  /** Closed by `close()` (default: left to the caller). */
  closeHandle?: boolean;
  /** Marks each byte range the reader checked: the records as it opens, each member's data once read and checked. */
  coverage?: ByteCoverage;
  /**
   * Told of each central directory entry as it is read, before the reader keeps it; throws to refuse
   * the archive there: a caller's limits on what it holds, applied before the entry table grows.
   */
  admit?: (entry: ZipEntry) => void;
}

/** Opens the zip at `path`, validates its whole structure, and returns a reader that owns the file. */
export async function openZip(path: string, options: Pick<ZipReaderOptions, 'coverage' | 'admit'> = {}): Promise<ZipReader> {
  const handle = await open(path, 'r');
  try {
    return await ZipReader.fromFileHandle(handle, { ...options, closeHandle: true });
  } catch (err) {
    await handle.close();
    throw err;
  }
}

/**
 * A validated archive. Everything is read with positioned reads; member data is read only when a
 * stream asks for it. Member streams may run concurrently.
 */
export class ZipReader {
  /** The archive comment (4.4.26), as stored. */
  readonly comment: Uint8Array;
  /** Size of the file in bytes. */
  readonly fileSize: number;
  readonly centralDirectoryOffset: number;
  readonly centralDirectorySize: number;
  /** Whether the archive ends with a zip64 end of central directory record and locator. */
  readonly zip64: boolean;
  private readonly handle: FileHandle;
  private readonly closeHandle: boolean;
  private readonly file: PositionedFile;
  private readonly window: DataWindow;
  /** Where extraFields reads headers again, made at its first call. */
  private headers: { central: ReadAhead; members: ReadAhead } | undefined;
  private readonly coverage: ByteCoverage | undefined;
  /** Members in central directory order. */
  private readonly table: EntryTable;
  private closed = false;

  private constructor(init: {
    handle: FileHandle;
    closeHandle: boolean;
    coverage: ByteCoverage | undefined;
    entries: EntryTable;
    comment: Uint8Array;
    fileSize: number;
    centralDirectoryOffset: number;
    centralDirectorySize: number;
    zip64: boolean;
  }) {
    this.handle = init.handle;
    this.file = new PositionedFile(init.handle, init.fileSize);
    this.window = new DataWindow(this.file, init.centralDirectoryOffset, WINDOW_BYTES);
    this.closeHandle = init.closeHandle;
    this.coverage = init.coverage;
    this.table = init.entries;
    this.comment = init.comment;
    this.fileSize = init.fileSize;
    this.centralDirectoryOffset = init.centralDirectoryOffset;
    this.centralDirectorySize = init.centralDirectorySize;
    this.zip64 = init.zip64;
  }

  /**
   * Validates the archive in an open file. The handle is closed by `close()` only if `closeHandle`;
   * on a validation error it is left open for the caller.
   */
  static async fromFileHandle(handle: FileHandle, options: ZipReaderOptions = {}): Promise<ZipReader> {
    const { size } = await handle.stat();
    const file = new PositionedFile(handle, size);
    const parsed = await parseArchive(file, options);
    return new ZipReader({ handle, closeHandle: options.closeHandle ?? false, coverage: options.coverage, fileSize: size, ...parsed });
  }

  /** How many members the central directory lists. */
  get entryCount(): number {
    return this.table.count;
  }

  /** The members' decoded names' length in UTF-8, all together: what a table of them needs. */
  get nameBytes(): number {
    return this.table.nameBytes;
  }

  /** The member at `index` in central directory order, as a new object at each call. */
  entry(index: number): ZipEntry {
    return this.table.entry(index);
  }

  /** The member's name (as `entry(index).name`, without the rest of the entry). */
  entryName(index: number): string {
    return this.table.name(index);
  }

  /** Every member, in central directory order: an object each, for archives of a size to list. */
  listEntries(): ZipEntry[] {
    return Array.from({ length: this.table.count }, (_, index) => this.table.entry(index));
  }

  /**
   * The member's uncompressed bytes. Inflates as it is read, with bounded memory, and errors with a
   * ZipFormatError as soon as the output exceeds the declared uncompressed size, or at the end if the
   * size or CRC-32 differs or the deflate stream does not end exactly at the declared compressed size.
   */
  openMemberStream(entry: ZipEntry): Readable {
    this.checkOwnEntry(entry);
    const chunks = entry.method === METHOD_STORED ? this.storedChunks(entry) : this.inflatedChunks(entry);
    return Readable.from(chunks, { objectMode: false, highWaterMark: CHUNK });
  }

  /**
   * The member's bytes as stored, for copying without recompression, checked as they pass as
   * openMemberStream checks them: `take` is handed the uncompressed bytes as they are inflated, and
   * the stream errors with a ZipFormatError once they fail a check (at the latest after the last
   * stored byte). The data is read once for both the copy and its check.
   */
  openCheckedRawStream(entry: ZipEntry, take: (uncompressed: Buffer) => void): Readable {
    this.checkOwnEntry(entry);
    return Readable.from(this.checkedRawChunks(entry, take), { objectMode: false, highWaterMark: CHUNK });
  }

  /**
   * The member's extra field records, local and central, read again from the file: the reader keeps
   * only their IDs (ZipEntry's extraFieldIds and localExtraFieldIds) and the UT record's time.
   * Entries asked for in directory order cost a read per 64 KiB of headers.
   */
  extraFields(entry: ZipEntry): Promise<EntryExtraFields> {
    this.checkOwnEntry(entry);
    this.headers ??= {
      central: new ReadAhead(this.file, this.centralDirectoryOffset + this.centralDirectorySize, 'the central directory ends'),
      members: new ReadAhead(this.file, this.centralDirectoryOffset, 'the central directory starts'),
    };
    return readExtraFields(this.headers.central, this.headers.members, entry);
  }

  /** Whether readSmallMember takes this member: its compressed and declared sizes are both small. */
  isSmall(entry: ZipEntry): boolean {
    return entry.compressedSize <= SMALL_MEMBER_BYTES && entry.uncompressedSize <= SMALL_MEMBER_BYTES;
  }

  /**
   * A small member whole, checked as openMemberStream checks it: its stored bytes and its
   * uncompressed bytes (one buffer when stored). One read serves many members stored in a row.
   */
  async readSmallMember(entry: ZipEntry): Promise<{ stored: Buffer; data: Buffer }> {
    this.checkOwnEntry(entry);
    if (!this.isSmall(entry)) throw new RangeError(`${describe(entry)} is not small: read it as a stream`);
    const stored = await this.window.bytes(entry.dataOffset, entry.compressedSize, () => `data of ${describe(entry)}`);
    if (entry.method === METHOD_STORED) {
      checkMemberEnd(entry, stored.length, zlibCrc32(stored));
      this.markData(entry);
      return { stored, data: stored };
    }
    const data = inflateWhole(entry, stored);
    this.markData(entry);
    return { stored, data };
  }

  /** Closes the file if this reader owns it. Streams still running then fail. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.closeHandle) await this.handle.close();
  }

  /** The member's data was read whole and checked: its size, its CRC-32, and deflate's end. */
  private markData(entry: ZipEntry): void {
    this.coverage?.mark(entry.dataOffset, entry.dataOffset + entry.compressedSize, `data of ${describe(entry)}`);
  }

  private checkOwnEntry(entry: ZipEntry): void {
    if (!this.table.holds(entry)) throw new TypeError('entry does not belong to this ZipReader');
    if (this.closed) throw new Error('ZipReader is closed');
  }

  private async *rawChunks(entry: ZipEntry): AsyncGenerator<Buffer> {
    const end = entry.dataOffset + entry.compressedSize;
    for (let at = entry.dataOffset; at < end; ) {
      const length = Math.min(DATA_CHUNK, end - at);
      const buf = Buffer.allocUnsafe(length);
      const { bytesRead } = await this.handle.read(buf, 0, length, at);
      if (bytesRead === 0) {
        throw new ZipFormatError(
          `${describe(entry)}: truncated: data ends at offset ${at}, ${end - at} bytes before the declared end ${end} (did the file change?)`,
          at,
        );
      }
      at += bytesRead;
      yield bytesRead === length ? buf : buf.subarray(0, bytesRead);
    }
  }

  private async *storedChunks(entry: ZipEntry): AsyncGenerator<Buffer> {
    let produced = 0;
    let crc = 0;
    for await (const chunk of this.rawChunks(entry)) {
      produced += chunk.length;
      crc = zlibCrc32(chunk, crc);
      yield chunk;
    }
    checkMemberEnd(entry, produced, crc);
    this.markData(entry);
  }

  private async *checkedRawChunks(entry: ZipEntry, take: (uncompressed: Buffer) => void): AsyncGenerator<Buffer> {
    if (entry.method === METHOD_STORED) {
      for await (const chunk of this.storedChunks(entry)) {
        take(chunk);
        yield chunk;
      }
      return;
    }
    const inflater = createInflateRaw({ chunkSize: CHUNK });
    let produced = 0;
    let crc = 0;
    inflater.on('data', (chunk: Buffer) => {
      produced += chunk.length;
      if (produced > entry.uncompressedSize) return inflater.destroy(inflatesTooMuch(entry, `${produced} bytes from ${inflater.bytesWritten} compressed bytes`));
      crc = zlibCrc32(chunk, crc);
      take(chunk);
    });
    // An error is thrown below: from `errored` between writes, or by the wait for 'drain' or 'end'
    // it comes during.
    inflater.on('error', () => undefined);
    try {
      for await (const chunk of this.rawChunks(entry)) {
        if (inflater.errored) throw inflater.errored;
        yield chunk;
        if (!inflater.write(chunk)) await once(inflater, 'drain');
      }
      if (inflater.errored) throw inflater.errored;
      const ended = once(inflater, 'end');
      inflater.end();
      await ended;
    } catch (err) {
      if (err instanceof ZipFormatError) throw err;
      throw inflateError(entry, err, inflater.bytesWritten);
    } finally {
      inflater.destroy();
    }
    this.checkInflated(entry, inflater.bytesWritten, produced, crc);
  }

  private async *inflatedChunks(entry: ZipEntry): AsyncGenerator<Buffer> {
    if (this.isSmall(entry)) {
      yield (await this.readSmallMember(entry)).data;
      return;
    }
    const inflater = createInflateRaw({ chunkSize: CHUNK });
    const stop = new AbortController();
    const raw = this.rawChunks(entry);
    // Feeds the compressed bytes in, honouring backpressure; a read error fails the inflater, which
    // makes the loop below throw it.
    const feeding = (async () => {
      try {
        for await (const chunk of raw) {
          if (stop.signal.aborted) return;
          if (!inflater.write(chunk)) await once(inflater, 'drain', { signal: stop.signal });
        }
        inflater.end();
      } catch (err) {
        if (!stop.signal.aborted) inflater.destroy(err instanceof Error ? err : new Error(String(err)));
      }
    })();
    let produced = 0;
    let crc = 0;
    try {
      for await (const chunk of inflater as AsyncIterable<Buffer>) {
        produced += chunk.length;
        if (produced > entry.uncompressedSize) {
          throw inflatesTooMuch(entry, `${produced} bytes from ${inflater.bytesWritten} compressed bytes`);
        }
        crc = zlibCrc32(chunk, crc);
        yield chunk;
      }
    } catch (err) {
      if (err instanceof ZipFormatError) throw err;
      throw inflateError(entry, err, inflater.bytesWritten);
    } finally {
      stop.abort();
      inflater.destroy();
      await feeding;
    }
    this.checkInflated(entry, inflater.bytesWritten, produced, crc);
  }

  /** A member inflated to its end: the deflate stream fills its compressed size, and its output has the declared size and CRC-32. */
  private checkInflated(entry: ZipEntry, consumed: number, produced: number, crc: number): void {
    checkDeflateEnd(entry, consumed);
    checkMemberEnd(entry, produced, crc);
    this.markData(entry);
  }
}

/**
 * Members up to this size (compressed and declared) are inflated in one synchronous call: a stream
 * per member costs more than the inflating itself in wheels of thousands of small files. The
 * declared size bounds the output, so memory stays bounded too.
 */
const SMALL_MEMBER_BYTES = 1 << 20;
const MIN_CHUNK = zlibConstants.Z_MIN_CHUNK;

/** The same checks as inflatedChunks(), for a small member's data in one inflate call. */
function inflateWhole(entry: ZipEntry, compressed: Buffer): Buffer {
  let inflated: Buffer;
  let consumed: number;
  try {
    // One output buffer of the declared size (and a byte to see a lie), not a 16 KiB one per member.
    const result = inflateRawSync(compressed, { info: true, chunkSize: Math.max(MIN_CHUNK, entry.uncompressedSize + 1), maxOutputLength: entry.uncompressedSize + 1 }) as unknown as { buffer: Buffer; engine: { bytesWritten: number } };
    inflated = result.buffer;
    consumed = result.engine.bytesWritten;
  } catch (err) {
    if ((err as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE') {
      throw inflatesTooMuch(entry, `${entry.uncompressedSize + 1} bytes`);
    }
    throw inflateError(entry, err, 0);
  }
  if (inflated.length > entry.uncompressedSize) throw inflatesTooMuch(entry, `${inflated.length} bytes`);
  checkDeflateEnd(entry, consumed);
  checkMemberEnd(entry, inflated.length, zlibCrc32(inflated));
  return inflated;
}

/** A lying header: inflating stopped as soon as the output passed the declared size. */
function inflatesTooMuch(entry: ZipEntry, stoppedAfter: string): ZipFormatError {
  return new ZipFormatError(
    `${describe(entry)}: inflates to more than its declared uncompressed size of ${entry.uncompressedSize} bytes ` +
      `(stopped after ${stoppedAfter} at offset ${entry.dataOffset})`,
    entry.dataOffset,
  );
}

/** The deflate stream must end exactly at the declared compressed size. */
function checkDeflateEnd(entry: ZipEntry, consumed: number): void {
  if (consumed !== entry.compressedSize) {
    throw new ZipFormatError(
      `${describe(entry)}: deflate stream ends after ${consumed} of the declared ${entry.compressedSize} compressed bytes ` +
        `(${entry.compressedSize - consumed} trailing bytes from offset ${entry.dataOffset + consumed})`,
      entry.dataOffset + consumed,
    );
  }
}

function checkMemberEnd(entry: ZipEntry, produced: number, crc: number): void {
  if (produced !== entry.uncompressedSize) {
    throw new ZipFormatError(
      `${describe(entry)}: uncompressed size is ${produced} bytes, but the header declares ${entry.uncompressedSize}`,
      entry.dataOffset,
    );
  }
  if (crc !== entry.crc32) {
    throw new ZipFormatError(
      `${describe(entry)}: CRC-32 mismatch: data has ${hex32(crc)}, header declares ${hex32(entry.crc32)}`,
      entry.dataOffset,
    );
  }
}

function inflateError(entry: ZipEntry, err: unknown, consumed: number): Error {
  const code = (err as { code?: unknown } | null)?.code;
  const message = err instanceof Error ? err.message : String(err);
  if (code === 'Z_BUF_ERROR') {
    return new ZipFormatError(
      `${describe(entry)}: deflate stream is incomplete: the declared ${entry.compressedSize} compressed bytes ` +
        `(offset ${entry.dataOffset}) end before its final block`,
      entry.dataOffset + entry.compressedSize,
    );
  }
  if (typeof code === 'string' && code.startsWith('Z_')) {
    return new ZipFormatError(
      `${describe(entry)}: invalid deflate data near compressed byte ${consumed} (offset ${entry.dataOffset + consumed}): ${message}`,
      entry.dataOffset + consumed,
    );
  }
  return err instanceof Error ? err : new Error(message);
}
