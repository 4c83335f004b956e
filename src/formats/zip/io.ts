// Positioned reads for the zip reader: whole records at known offsets, and a read-ahead window for
// walking a region (the central directory, the members) in offset order.
import type { FileHandle } from 'node:fs/promises';
import { ZipFormatError } from './records.js';
/** Read-ahead for the central directory, batch size for writing it, and inflate output chunk size. */
export const CHUNK = 64 * 1024;

/** Positioned reads on a file of known size; reading past the end is a "truncated" ZipFormatError. */
export class PositionedFile {
  constructor(
    readonly handle: FileHandle,
    readonly size: number,
  ) {}

  async read(offset: number, length: number, what: string): Promise<Buffer> {
    if (offset < 0 || offset + length > this.size) {
      throw new ZipFormatError(
        `truncated: ${what} at offset ${offset} needs ${length} bytes, but the file ends at offset ${this.size}`,
        offset,
      );
    }
    const buf = Buffer.allocUnsafe(length); // every byte is read below, or this throws
    let done = 0;
    while (done < length) {
      const { bytesRead } = await this.handle.read(buf, done, length - done, offset + done);
      if (bytesRead === 0) {
        throw new ZipFormatError(`truncated: ${what} at offset ${offset}: file ended after ${done} of ${length} bytes`, offset + done);
      }
      done += bytesRead;
    }
    return buf;
  }
}

/**
 * Reads through a region (the central directory, or the members before it) with a read-ahead window,
 * so that walking it in offset order costs one positioned read per window, not one per record.
 */
export class ReadAhead {
  private buf: Buffer = Buffer.alloc(0);
  private bufStart = 0;
  constructor(
    private readonly file: PositionedFile,
    /** Where the region ends, and what starts there (for error messages). */
    readonly end: number,
    private readonly endWhat: string,
  ) {}

  /** `what` names the bytes in an error or a read; it is called only then, as most bytes are in the buffer already. */
  async bytes(offset: number, length: number, what: () => string): Promise<Buffer> {
    if (offset + length > this.end) {
      throw new ZipFormatError(
        `${what()} at offset ${offset} needs ${length} bytes, but ${this.endWhat} at offset ${this.end}`,
        offset,
      );
    }
    if (offset < this.bufStart || offset + length > this.bufStart + this.buf.length) {
      const want = Math.min(Math.max(length, CHUNK), this.end - offset);
      this.buf = await this.file.read(offset, want, what());
      this.bufStart = offset;
    }
    return this.buf.subarray(offset - this.bufStart, offset - this.bufStart + length);
  }
}

/**
 * The members' data read through one large window that moves forward: members taken in about the
 * order they are stored cost one positioned read per window, not one or two each. Loads are
 * serialized, so members asked for concurrently in storage order share windows. A slice handed out
 * stays valid, as each window is a new buffer.
 */
export class DataWindow {
  private buf: Buffer = Buffer.alloc(0);
  private bufStart = 0;
  private loading: Promise<void> = Promise.resolve();

  constructor(
    private readonly file: PositionedFile,
    private readonly end: number,
    private readonly size: number,
  ) {}

  /** `what` names the bytes in an error; it is called only then, as most reads need no name. */
  async bytes(offset: number, length: number, what: () => string): Promise<Buffer> {
    const held = this.slice(offset, length);
    if (held) return held;
    const load = this.loading.then(async () => {
      if (this.slice(offset, length)) return;
      this.buf = await this.file.read(offset, Math.min(Math.max(length, this.size), this.end - offset), what());
      this.bufStart = offset;
    });
    this.loading = load.catch(() => undefined);
    await load;
    return this.slice(offset, length) ?? this.file.read(offset, length, what());
  }

  private slice(offset: number, length: number): Buffer | undefined {
    const from = offset - this.bufStart;
    return from >= 0 && from + length <= this.buf.length ? this.buf.subarray(from, from + length) : undefined;
  }
}
