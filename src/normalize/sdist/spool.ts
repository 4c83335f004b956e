// The spool: the file data of an sdist's members, written in archive order as the index pass reads
// them, and read back in normal order by the writer (sorting needs random access; the data is never
// held in memory). A scratch file beside the output (../scratch.ts).
import type { FileHandle } from 'node:fs/promises';

/** Spool writes and reads go in pieces of this size. */
const SPOOL_CHUNK = 1 << 20;

/**
 * Appends to the spool through a buffer: members' data arrive in the inflater's pieces, which would
 * be many small writes, each a round trip to libuv's threads. A full buffer is written while the next
 * fills (one write in flight), so the index pass does not wait on the disk between pieces.
 */
export class SpoolWriter {
  private buffer = Buffer.allocUnsafe(SPOOL_CHUNK);
  private spare = Buffer.allocUnsafe(SPOOL_CHUNK);
  private filled = 0;
  private writing: Promise<void> = Promise.resolve();
  /** Bytes appended so far: the spool offset of the next byte. */
  size = 0;

  /** `onWritten` hears how many bytes the spool holds after each write. */
  constructor(private readonly spool: FileHandle, private readonly onWritten: (bytes: number) => void = () => undefined) {}

  async append(data: Uint8Array): Promise<void> {
    for (let at = 0; at < data.length; ) {
      const take = Math.min(data.length - at, SPOOL_CHUNK - this.filled);
      this.buffer.set(data.subarray(at, at + take), this.filled);
      this.filled += take;
      at += take;
      this.size += take;
      if (this.filled === SPOOL_CHUNK) await this.flush();
    }
  }

  /** Starts writing what is buffered, once the previous write is done; `finish` waits for it. */
  async flush(): Promise<void> {
    await this.writing;
    const full = this.buffer.subarray(0, this.filled);
    const position = this.size - this.filled;
    [this.buffer, this.spare] = [this.spare, this.buffer];
    this.filled = 0;
    this.writing = writeAll(this.spool, full, position).then(() => this.onWritten(position + full.length));
    // A failure is reported by the next flush or by finish; until then it must not be an unhandled one.
    this.writing.catch(() => undefined);
  }

  /** Writes what is left; the spool then holds every byte appended. */
  async finish(): Promise<void> {
    await this.flush();
    await this.writing;
  }
}

/** Writes all of `bytes` at `position`. */
export async function writeAll(spool: FileHandle, bytes: Uint8Array, position: number): Promise<void> {
  for (let done = 0; done < bytes.length; ) {
    const { bytesWritten } = await spool.write(bytes, done, bytes.length - done, position + done);
    done += bytesWritten;
  }
}

/**
 * Reads a member's data back from the spool into one reused buffer: each chunk is consumed (hashed
 * and copied into a deflate block) before the next read, and not allocating a MiB per read keeps
 * the garbage collector, and so memory, quiet on large members.
 */
export async function* readSpool(spool: FileHandle, offset: number, size: number, buffer: Buffer): AsyncGenerator<Uint8Array> {
  for (let done = 0; done < size; ) {
    const { bytesRead } = await spool.read(buffer, 0, Math.min(buffer.length, size - done), offset + done);
    if (bytesRead === 0) throw new Error('spool file ended early');
    done += bytesRead;
    yield buffer.subarray(0, bytesRead);
  }
}

/**
 * Reads members' data back from the spool for the writer. A member that fits is a view of one reused
 * window of the spool, read a chunk at a time: members in spool order, or near it, are then one read
 * per chunk, not one per member (a read is a round trip to libuv's threads, and sdists hold thousands
 * of small files). A view is valid until the next member is asked for. Larger members are streamed.
 */
export class SpoolReader {
  private readonly window = Buffer.allocUnsafe(SPOOL_CHUNK);
  /** The spool offset of the window's first byte, and how many bytes it holds. */
  private start = 0;
  private held = 0;

  constructor(private readonly spool: FileHandle) {}

  async *member(offset: number, size: number): AsyncGenerator<Uint8Array> {
    if (size > SPOOL_CHUNK) {
      this.held = 0; // the window is the streaming buffer now
      yield* readSpool(this.spool, offset, size, this.window);
      return;
    }
    if (offset < this.start || offset + size > this.start + this.held) await this.fill(offset, size);
    yield this.window.subarray(offset - this.start, offset - this.start + size);
  }

  /**
   * Reads a window from `offset` holding at least `size` bytes, and what follows them up to a chunk.
   * Only bytes the spool holds now are taken: while the index pass still writes it (./early.ts), the
   * window can end before the chunk does.
   */
  private async fill(offset: number, size: number): Promise<void> {
    this.start = offset;
    this.held = 0;
    while (this.held < size) {
      const { bytesRead } = await this.spool.read(this.window, this.held, SPOOL_CHUNK - this.held, offset + this.held);
      if (bytesRead === 0) throw new Error('spool file ended early');
      this.held += bytesRead;
    }
  }
}

/** A buffer for readSpool. */
export function spoolReadBuffer(): Buffer {
  return Buffer.allocUnsafe(SPOOL_CHUNK);
}
