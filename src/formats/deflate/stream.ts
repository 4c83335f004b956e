// The deterministic deflate of the normal form (RFC 1951 raw deflate).
//
// node:zlib is Chromium's zlib fork, whose output differs from stock zlib and is not promised to stay
// the same across versions or CPUs, so it is only used for inflating. Compression runs stock zlib
// 1.2.13 compiled to WebAssembly (./zlib-wasm.ts, built reproducibly by native/zlib-wasm/build.sh):
// its output is fixed by that binary, which ships with reprodist, whatever the machine; pako 3 with
// its classic hash and Python's zlib give the same bytes (test/unit/zlib-wasm.test.ts, test/cli/sdist.test.ts).
//
// The stream is cut into independent blocks of DEFLATE_BLOCK_SIZE input bytes, as pigz does: each
// block is compressed on its own, primed with the previous 32 KiB of input as a preset dictionary, and
// ends with a sync flush (an empty stored block, so it ends on a byte boundary); the last block ends
// with Z_FINISH. Blocks can therefore be compressed in any order, on any number of threads, and the
// concatenation is the same bytes. An input of at most one block is exactly what zlib's
// `compressobj(level, DEFLATED, -15)` gives.
import { crc32 } from 'node:zlib';
import type { ByteSink } from '../sink.js';
import { DEFLATE_BLOCK_SIZE, DEFLATE_DICTIONARY_SIZE } from './job.js';
import type { BlockCompressor, DeflateBlockJob } from './job.js';
import { deflateBlockWasm } from './zlib-wasm.js';

export const compressInThisThread: BlockCompressor = async (job) => deflateBlockWasm(job);

export interface DeflateSummary {
  /** CRC-32 (ISO 3309) of the uncompressed input. */
  crc32: number;
  /** Uncompressed length in bytes. */
  size: number;
  /** Compressed length in bytes. */
  compressedSize: number;
}

/**
 * Streams input through the block scheme described at the top of this module. A full block is held
 * back until more input arrives, so that an input of exactly one block is one Z_FINISH block.
 * At most `maxInFlight` blocks are being compressed at once, which bounds memory.
 */
export class DeflateStream {
  /** The block being filled; it starts small and grows to DEFLATE_BLOCK_SIZE, since most members are small. */
  private block = new Uint8Array(0);
  private filled = 0;
  private dictionary: Uint8Array = new Uint8Array(0);
  private readonly inFlight: Promise<Uint8Array>[] = [];
  private crc = 0;
  private size = 0;
  private compressedSize = 0;

  constructor(
    private readonly level: number,
    private readonly sink: ByteSink,
    private readonly compress: BlockCompressor = compressInThisThread,
    private readonly maxInFlight = 1,
  ) {}

  async write(data: Uint8Array): Promise<void> {
    this.crc = crc32(data, this.crc);
    this.size += data.length;
    let at = 0;
    while (at < data.length) {
      if (this.filled === DEFLATE_BLOCK_SIZE) await this.submit(false);
      const take = Math.min(data.length - at, DEFLATE_BLOCK_SIZE - this.filled);
      if (this.filled + take > this.block.length) this.grow(this.filled + take);
      this.block.set(data.subarray(at, at + take), this.filled);
      this.filled += take;
      at += take;
    }
  }

  async end(): Promise<DeflateSummary> {
    await this.submit(true);
    while (this.inFlight.length > 0) await this.drainOne();
    return { crc32: this.crc >>> 0, size: this.size, compressedSize: this.compressedSize };
  }

  private async submit(last: boolean): Promise<void> {
    const input = this.block.subarray(0, this.filled);
    const job: DeflateBlockJob = { input, dictionary: this.dictionary, level: this.level, last };
    if (!last) this.dictionary = input.slice(Math.max(0, input.length - DEFLATE_DICTIONARY_SIZE));
    const compressing = this.compress(job);
    // A job that fails (a worker that died) is reported when its turn comes in drainOne; if the stream
    // is abandoned before then for another failure, it must not also be an unhandled one.
    compressing.catch(() => undefined);
    this.inFlight.push(compressing);
    // The compressor is done with the input once it returns, so a full block's buffer is refilled.
    this.filled = 0;
    while (this.inFlight.length >= this.maxInFlight) await this.drainOne();
  }

  private grow(needed: number): void {
    const grown = new Uint8Array(Math.min(DEFLATE_BLOCK_SIZE, Math.max(needed, 2 * this.block.length)));
    grown.set(this.block.subarray(0, this.filled));
    this.block = grown;
  }

  private async drainOne(): Promise<void> {
    const compressed = await this.inFlight.shift()!;
    this.compressedSize += compressed.length;
    await this.sink(compressed);
  }
}
