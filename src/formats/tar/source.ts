// Exact reads from a byte stream: the tar reader asks for a header block or part of a member's
// data, and gets it without more than one stream chunk held beyond what it asked for.
import type { Readable } from 'node:stream';

export class ByteSource {
  private readonly chunks: AsyncIterator<Buffer>;
  private held: Buffer = Buffer.alloc(0);
  private ended = false;
  /** Bytes handed out so far: the offset of the next byte in the stream. */
  offset = 0;

  constructor(stream: Readable) {
    this.chunks = (stream as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
  }

  /** Up to `max` bytes (fewer only at the end of the stream, none after it), without copying a held chunk. */
  async readSome(max: number): Promise<Buffer> {
    if (this.held.length === 0 && !(await this.pull())) return Buffer.alloc(0);
    const out = this.held.subarray(0, max);
    this.held = this.held.subarray(out.length);
    this.offset += out.length;
    return out;
  }

  /** Exactly `length` bytes, or fewer when the stream ends first. */
  async read(length: number): Promise<Buffer> {
    while (this.held.length < length && (await this.pull()));
    const out = Buffer.from(this.held.subarray(0, length));
    this.held = this.held.subarray(out.length);
    this.offset += out.length;
    return out;
  }

  private async pull(): Promise<boolean> {
    if (this.ended) return false;
    const next = await this.chunks.next();
    if (next.done) {
      this.ended = true;
      return false;
    }
    const chunk = Buffer.isBuffer(next.value) ? next.value : Buffer.from(next.value as Uint8Array);
    this.held = this.held.length === 0 ? chunk : Buffer.concat([this.held, chunk]);
    return true;
  }
}
