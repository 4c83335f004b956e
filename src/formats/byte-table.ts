// Bytes appended one piece after another into one buffer that grows as they come: the names of a
// table's rows, its extra fields or link targets, each piece addressed by where it starts and its
// length. The zip entry table and the member table keep theirs in these.

/** A first buffer of this many bytes at least: a table that gets any bytes at all gets some hundreds. */
const FIRST_BYTES = 4096;

export class ByteTable {
  private buffer: Buffer;
  private used = 0;

  /**
   * `capacity`: the bytes expected (past them the table grows by half again, copying what is there).
   * A buffer of 1 MiB or more is mapped by the system as it is first written, so room that is never
   * written costs no memory.
   */
  constructor(capacity = 0) {
    this.buffer = Buffer.allocUnsafe(capacity);
  }

  /** Every byte appended so far and the room after them: read pieces from it, never keep it (growing replaces it). */
  get bytes(): Buffer {
    return this.buffer;
  }

  /** How many bytes have been appended. */
  get length(): number {
    return this.used;
  }

  /** Appends `source` (from `start` to `end`) and returns where it starts. */
  append(source: Uint8Array, start = 0, end = source.length): number {
    const at = this.room(end - start);
    // A Buffer copies without a view made of it (the member table appends a name per member).
    if (Buffer.isBuffer(source)) source.copy(this.buffer, at, start, end);
    else this.buffer.set(source.subarray(start, end), at);
    this.used += end - start;
    return at;
  }

  /** Appends `text` as UTF-8, `byteLength` bytes (Buffer.byteLength's), and returns where it starts. */
  appendText(text: string, byteLength: number): number {
    const at = this.room(byteLength);
    this.buffer.write(text, at, byteLength, 'utf8');
    this.used += byteLength;
    return at;
  }

  /** The piece at `start`, `length` bytes: a view that the next append may leave behind. */
  view(start: number, length: number): Buffer {
    return this.buffer.subarray(start, start + length);
  }

  /** Makes room for `length` more bytes; returns where they go. */
  private room(length: number): number {
    if (this.used + length > this.buffer.length) {
      const grown = Buffer.allocUnsafe(Math.max(this.used + length, Math.ceil(this.buffer.length * 1.5), FIRST_BYTES));
      this.buffer.copy(grown, 0, 0, this.used);
      this.buffer = grown;
    }
    return this.used;
  }
}
