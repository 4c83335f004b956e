// One block of the deterministic deflate (see ./stream.ts for the block scheme): the job a compressor
// runs, wherever it runs (this thread or a worker), and the constants that fix the scheme.

/** Input bytes per independently compressed block. Part of the normal form: changing it changes bytes. */
export const DEFLATE_BLOCK_SIZE = 1 << 20;
/** How much preceding input primes each block: the whole deflate window. */
export const DEFLATE_DICTIONARY_SIZE = 32 * 1024;
/** A stream's first block has no preceding input. */
export const NO_DICTIONARY = new Uint8Array(0);
/** The levels zlib's deflateInit2 takes: -1 (its default, 6), 0 (stored, no compression) to 9. */
export const ZLIB_LEVELS = { min: -1, max: 9 } as const;

export interface DeflateBlockJob {
  /** The block's input, at most DEFLATE_BLOCK_SIZE bytes. */
  input: Uint8Array;
  /** Up to DEFLATE_DICTIONARY_SIZE bytes that precede the block in the stream; empty for the first. */
  dictionary: Uint8Array;
  /** One of ZLIB_LEVELS. */
  level: number;
  /** Whether this is the stream's final block (sets BFINAL). */
  last: boolean;
}

/**
 * Runs one block job; the default runs it in this thread, a worker pool may run it elsewhere. It must
 * be done with `job.input` when it returns (copy it if it runs later): the stream reuses that buffer.
 */
export type BlockCompressor = (job: DeflateBlockJob) => Promise<Uint8Array>;
