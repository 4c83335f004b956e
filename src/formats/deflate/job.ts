// One block of the deterministic deflate (see ./stream.ts for the block scheme): the job a compressor
// runs, wherever it runs (this thread or a worker), the constants that fix the scheme, and the check
// that a compressed block inflates back to its input.
import { inflateRawSync } from 'node:zlib';

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
  /**
   * Whether the job inflates what it made and checks it against `input` (checkDeflatedBlock) before
   * returning: verification where the block is compressed, on that thread.
   */
  check?: boolean;
}

/**
 * Runs one block job; the default runs it in this thread, a worker pool may run it elsewhere. It must
 * be done with `job.input` when it returns (copy it if it runs later): the stream reuses that buffer.
 */
export type BlockCompressor = (job: DeflateBlockJob) => Promise<Uint8Array>;

/**
 * A block that ends with a sync flush is followed here by an empty final block (BFINAL, fixed codes,
 * end-of-block), so that inflating it must end exactly at the end of the bytes given.
 */
const EMPTY_FINAL_BLOCK = Uint8Array.of(0x03, 0x00);

/**
 * Throws unless `compressed` is a correct block of the scheme for `job`: inflated by node:zlib (another
 * inflater than the deflater that made it), primed with the job's dictionary, it gives exactly
 * `job.input`, and it takes all of its bytes to do so. A block that is not the last must end on a
 * byte boundary with no BFINAL (the empty final block appended after it is then the stream's end); the
 * last must end the stream by itself. Together that makes the concatenation of the blocks one deflate
 * stream of the concatenated inputs.
 */
export function checkDeflatedBlock(job: DeflateBlockJob, compressed: Uint8Array): void {
  const stream = job.last ? compressed : Buffer.concat([compressed, EMPTY_FINAL_BLOCK]);
  const problem = (what: string) => new Error(`verification failed: a deflate block of ${job.input.length} bytes ${what}`);
  let inflated: { buffer: Buffer; engine: { bytesWritten: number } };
  try {
    inflated = inflateRawSync(stream, {
      ...(job.dictionary.length > 0 ? { dictionary: job.dictionary } : {}),
      // One byte more than the input is enough to see that it is longer; inflating into one buffer of
      // that size, rather than many small ones joined at the end, makes one allocation per block.
      maxOutputLength: job.input.length + 1,
      chunkSize: Math.max(job.input.length + 1, 64),
      info: true,
    }) as unknown as typeof inflated;
  } catch (error) {
    throw problem(`does not inflate (${(error as Error).message})`);
  }
  if (inflated.engine.bytesWritten !== stream.length) {
    throw problem(job.last ? 'ends before its last byte' : 'ends the deflate stream (BFINAL) though more blocks follow');
  }
  if (!inflated.buffer.equals(job.input)) throw problem('inflates to other bytes than its input');
}
