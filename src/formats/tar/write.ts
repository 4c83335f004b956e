// Writing tar: members in the order given, each header from ./header.ts, data, padding, and the end.
import type { ByteSink } from '../sink.js';
import { encodeTarHeaders, tarEnd, tarPadding } from './header.js';
import type { TarWriteMember } from './header.js';

/** Writes members and the end of the archive to a sink, counting bytes for the end padding. */
export class TarWriter {
  private written = 0;

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
  }

  private async put(bytes: Uint8Array): Promise<void> {
    if (bytes.length === 0) return;
    this.written += bytes.length;
    await this.sink(bytes);
  }
}
