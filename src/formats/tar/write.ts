// Writing tar: members in the order given, each header from ./header.ts, data, padding, and the end.
import type { ByteSink } from '../sink.js';
import { encodeTarHeaders, tarEnd, tarPadding } from './header.js';
import type { TarWriteMember } from './header.js';

/**
 * Pieces smaller than this (headers, padding, small members' data) are gathered into one buffer and
 * handed to the sink together: an sdist of thousands of small files is then a sink call per 64 KiB,
 * not three per member (each one a chain of awaits through hashing, reading back and deflating).
 */
const GATHER_BYTES = 64 * 1024;

/**
 * Writes members and the end of the archive to a sink, counting bytes for the end padding. A piece
 * handed to the sink may be reused once the sink's promise resolves.
 */
export class TarWriter {
  private written = 0;
  private readonly gathered = Buffer.allocUnsafe(GATHER_BYTES);
  private filled = 0;

  constructor(private readonly sink: ByteSink) {}

  async writeMember(member: TarWriteMember, data?: AsyncIterable<Uint8Array>): Promise<void> {
    await this.put(encodeTarHeaders(member));
    let length = 0;
    if (data) {
      for await (const chunk of data) {
        length += chunk.length;
        await this.put(chunk);
      }
    }
    if (length !== member.size) throw new Error(`tar: ${member.name}: wrote ${length} bytes of data, header says ${member.size}`);
    await this.put(tarPadding(length));
  }

  async end(): Promise<void> {
    await this.put(tarEnd(this.written));
    await this.flush();
  }

  private async put(bytes: Uint8Array): Promise<void> {
    if (bytes.length === 0) return;
    this.written += bytes.length;
    if (this.filled + bytes.length > GATHER_BYTES) await this.flush();
    if (bytes.length >= GATHER_BYTES) {
      await this.sink(bytes);
      return;
    }
    this.gathered.set(bytes, this.filled);
    this.filled += bytes.length;
  }

  /** Hands what is gathered to the sink; the buffer is filled again once the sink is done with it. */
  private async flush(): Promise<void> {
    if (this.filled === 0) return;
    const piece = this.gathered.subarray(0, this.filled);
    this.filled = 0;
    await this.sink(piece);
  }
}
