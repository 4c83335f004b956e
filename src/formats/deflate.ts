// The deterministic deflate of the normal form (RFC 1951 raw deflate).
//
// node:zlib is Chromium's zlib fork, whose output differs from stock zlib and is not promised to stay
// the same across versions or CPUs, so it is only used for inflating. Compression runs pako with its
// classic hash (`legacyHash`), which reproduces stock zlib byte for byte: its output is fixed by the
// pako version pinned in package-lock.json, and anyone can recompute it with Python's zlib.
//
// The stream is cut into independent blocks of DEFLATE_BLOCK_SIZE input bytes, as pigz does: each
// block is compressed on its own, primed with the previous 32 KiB of input as a preset dictionary, and
// ends with a sync flush (an empty stored block, so it ends on a byte boundary); the last block ends
// with Z_FINISH. Blocks can therefore be compressed in any order, on any number of threads, and the
// concatenation is the same bytes. An input of at most one block is exactly what zlib's
// `compressobj(level, DEFLATED, -15)` gives.
import { crc32 } from 'node:zlib';
import {
  ZStream, Z_BUF_ERROR, Z_DEFAULT_STRATEGY, Z_FINISH, Z_OK, Z_STREAM_END, Z_SYNC_FLUSH,
  zlibDeflate, zlibDeflateInit2, zlibDeflateReset, zlibDeflateSetDictionary,
} from 'pako';

/** CM 8, the deflate method (zlib.h Z_DEFLATED). */
const Z_DEFLATED = 8;

/** Input bytes per independently compressed block. Part of the normal form: changing it changes bytes. */
export const DEFLATE_BLOCK_SIZE = 1 << 20;
/** How much preceding input primes each block: the whole deflate window. */
export const DEFLATE_DICTIONARY_SIZE = 32 * 1024;

export interface DeflateBlockJob {
  /** The block's input, at most DEFLATE_BLOCK_SIZE bytes. */
  input: Uint8Array;
  /** Up to DEFLATE_DICTIONARY_SIZE bytes that precede the block in the stream; empty for the first. */
  dictionary: Uint8Array;
  level: number;
  /** Whether this is the stream's final block (sets BFINAL). */
  last: boolean;
}

/** One zlib state per level, reset between blocks: allocating a new one per block is slow and feeds the GC. */
const states = new Map<number, ZStream>();

function stateFor(level: number): ZStream {
  let strm = states.get(level);
  if (!strm) {
    strm = new ZStream();
    // Raw deflate (windowBits -15), memLevel 8, default strategy: zlib's and Python's defaults.
    const status = zlibDeflateInit2(strm, level, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY, true);
    if (status !== Z_OK) throw new RangeError(`deflate: cannot start at level ${level} (${strm.msg})`);
    states.set(level, strm);
  } else {
    zlibDeflateReset(strm);
  }
  return strm;
}

/** Compresses one block of the stream. A pure function of the job, so it may run in any thread. */
export function deflateBlock(job: DeflateBlockJob): Uint8Array {
  const strm = stateFor(job.level);
  if (job.dictionary.length > 0) zlibDeflateSetDictionary(strm, job.dictionary);
  strm.input = job.input;
  strm.next_in = 0;
  strm.avail_in = job.input.length;
  // deflateBound for raw deflate, plus room for the sync flush's empty stored block.
  let output = new Uint8Array(job.input.length + (job.input.length >> 12) + (job.input.length >> 14) + 64);
  strm.output = output;
  strm.next_out = 0;
  strm.avail_out = output.length;
  const flush = job.last ? Z_FINISH : Z_SYNC_FLUSH;
  for (;;) {
    const status = zlibDeflate(strm, flush);
    if (status !== Z_OK && status !== Z_STREAM_END && status !== Z_BUF_ERROR) throw new Error(`deflate failed: ${strm.msg}`);
    const finished = job.last ? status === Z_STREAM_END : strm.avail_in === 0 && strm.avail_out > 0;
    if (finished) break;
    const grown = new Uint8Array(output.length * 2);
    grown.set(output.subarray(0, strm.next_out));
    output = grown;
    strm.output = output;
    strm.avail_out = output.length - strm.next_out;
  }
  strm.input = EMPTY;
  return output.subarray(0, strm.next_out);
}

const EMPTY = new Uint8Array(0);

/** Runs one block job; the default runs it in this thread, a worker pool may run it elsewhere. */
export type BlockCompressor = (job: DeflateBlockJob) => Promise<Uint8Array>;

export const compressInThisThread: BlockCompressor = async (job) => deflateBlock(job);

/** Where compressed bytes go, in order; awaiting it is the backpressure. */
export type ByteSink = (chunk: Uint8Array) => Promise<void>;

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
  private block = new Uint8Array(DEFLATE_BLOCK_SIZE);
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
    this.dictionary = input.slice(Math.max(0, input.length - DEFLATE_DICTIONARY_SIZE));
    this.block = new Uint8Array(DEFLATE_BLOCK_SIZE);
    this.filled = 0;
    this.inFlight.push(this.compress(job));
    while (this.inFlight.length >= this.maxInFlight) await this.drainOne();
  }

  private async drainOne(): Promise<void> {
    const compressed = await this.inFlight.shift()!;
    this.compressedSize += compressed.length;
    await this.sink(compressed);
  }
}
