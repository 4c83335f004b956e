// Exact reads from a byte stream: the tar reader asks for a header block or part of a member's
// data, and gets it without more than one stream chunk held beyond what it asked for. read() hands
// out copies and readSome() views into the chunk: once the next chunk is asked for, this holds
// nothing of the last, and only a caller that kept a view does.

export class ByteSource {
  private readonly chunks: AsyncIterator<Uint8Array>;
  private held: Buffer = Buffer.alloc(0);
  private ended = false;
  /** Bytes handed out so far: the offset of the next byte in the stream. */
  offset = 0;

  constructor(stream: AsyncIterable<Uint8Array>) {
    this.chunks = stream[Symbol.asyncIterator]();
  }

  /** Up to `max` bytes (fewer only at the end of the stream, none after it), without copying a held chunk. */
  async readSome(max: number): Promise<Buffer> {
    if (this.held.length === 0 && !(await this.pull())) return Buffer.alloc(0);
    const out = this.held.subarray(0, max);
    this.held = this.held.subarray(out.length);
    this.offset += out.length;
    return out;
  }

  /**
   * Exactly `length` bytes, or fewer when the stream ends first, in a buffer of their own. Bytes that
   * span chunks are copied piece by piece, so the chunk that completes them is held as it is, not
   * copied again (chunks can be large, reads small).
   */
  async read(length: number): Promise<Buffer> {
    if (this.held.length >= length) {
      const out = Buffer.from(this.held.subarray(0, length));
      this.held = this.held.subarray(length);
      this.offset += length;
      return out;
    }
    const out = Buffer.allocUnsafe(length);
    let filled = 0;
    for (;;) {
      const piece = this.held.subarray(0, length - filled);
      out.set(piece, filled);
      filled += piece.length;
      this.held = this.held.subarray(piece.length);
      if (filled === length || !(await this.pull())) break;
    }
    this.offset += filled;
    return filled === length ? out : out.subarray(0, filled);
  }

  /** Replaces the held bytes, all used, with the next chunk; false at the end of the stream. */
  private async pull(): Promise<boolean> {
    if (this.ended) return false;
    const next = await this.chunks.next();
    if (next.done) {
      this.ended = true;
      return false;
    }
    const { value } = next;
    this.held = Buffer.isBuffer(value) ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
    return true;
  }
}
