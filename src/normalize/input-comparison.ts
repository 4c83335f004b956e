// Whether an artefact's normal form is the input itself, byte for byte: what makes `normalize` say
// `unchanged` and `check` say `normal`.
import type { FileHandle } from 'node:fs/promises';

/** The input's bytes read at a time. */
const READ_BYTES = 1 << 20;

/**
 * Whether the bytes written are the input's, found as they are written: each piece is compared with
 * the input's bytes at the same place, read a MiB at a time, until the first that differs (for an
 * input not in normal form, in its first bytes: a header's time or order), and the input is read no
 * further. Neither side is hashed. Before, the output was hashed as it was written and, where it had
 * the input's length, the input was read whole again and hashed (a wheel's handler reads members, not
 * the file): normalizing the bench wheel with --keep-compression, whose normal form has its length,
 * read 223 MiB then and 170 MiB now, and an sdist's index pass no longer hashes the file as well.
 */
export class InputComparison {
  private file?: FileHandle;
  private readonly buffer: Buffer;
  /** Where the input's bytes in `buffer` start in the file, and how many there are. */
  private bufferStart = 0;
  private bufferLength = 0;
  private length = 0;
  private differs = false;

  /** `open` opens the input as the run opened it (a regular file, never blocking); `size` is its size then. */
  constructor(
    private readonly open: () => Promise<FileHandle>,
    private readonly size: number,
  ) {
    this.buffer = Buffer.allocUnsafe(Math.min(READ_BYTES, size));
  }

  async add(chunk: Uint8Array): Promise<void> {
    for (let at = 0; !this.differs && at < chunk.length; ) {
      const offset = this.length + at;
      if (offset >= this.bufferStart + this.bufferLength && !(await this.load(offset))) break;
      const from = offset - this.bufferStart;
      const count = Math.min(chunk.length - at, this.bufferLength - from);
      if (!this.buffer.subarray(from, from + count).equals(chunk.subarray(at, at + count))) this.differs = true;
      at += count;
    }
    this.length += chunk.length;
    if (this.differs) await this.close();
  }

  /** Whether every byte written was the input's, and they were all of it. */
  async same(): Promise<boolean> {
    await this.close();
    return !this.differs && this.length === this.size;
  }

  /** Lets the input go: on every way out of a run, as `same()` does. */
  async close(): Promise<void> {
    const file = this.file;
    this.file = undefined;
    await file?.close();
  }

  /** The input's bytes from `offset`, or false (and it differs) where the output goes past its end. */
  private async load(offset: number): Promise<boolean> {
    if (offset >= this.size) {
      this.differs = true;
      return false;
    }
    this.file ??= await this.open();
    const { bytesRead } = await this.file.read(this.buffer, 0, Math.min(this.buffer.length, this.size - offset), offset);
    this.bufferStart = offset;
    this.bufferLength = bytesRead;
    if (bytesRead === 0) this.differs = true;
    return bytesRead > 0;
  }
}
