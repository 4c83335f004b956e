// Small inputs deflated whole, many in one job. An input of at most DEFLATE_BLOCK_SIZE bytes is one
// block of the block scheme (./stream.ts), so each one's bytes are what a DeflateStream of it gives.
// A wheel holds thousands of small members: a job per member would cost a round trip to a worker
// each, and a worker waiting on this thread's event loop between them.
import { DEFLATE_BLOCK_SIZE, NO_DICTIONARY } from './job.js';
import type { BlockCompressor } from './job.js';
import { deflateBlockWasm } from './zlib-wasm.js';

/** Inputs up to this size can be deflated whole: one block. */
export const WHOLE_INPUT_BYTES = DEFLATE_BLOCK_SIZE;
/** An input's deflated length in a result when deflating does not make it smaller: its bytes are not kept. */
export const NOT_SMALLER = 0xffffffff;

export interface WholeDeflateJob {
  /** zlib level. */
  level: number;
  /** The inputs, back to back. */
  input: Uint8Array;
  /** Each input's length. */
  lengths: Uint32Array;
}

/** Where a job's results go: `deflated` as long as the job's input, `deflatedLengths` one per input. */
export interface WholeDeflateResult {
  /** The deflated bytes of the inputs that deflating made smaller, back to back; no bytes for the others. */
  deflated: Uint8Array;
  /** Each input's deflated length, or NOT_SMALLER. */
  deflatedLengths: Uint32Array;
}

/** Runs a job; the default runs it in this thread, a worker pool may run it elsewhere. */
export type WholeDeflater = (job: WholeDeflateJob) => Promise<WholeDeflateResult>;

/**
 * One input of at most WHOLE_INPUT_BYTES as one block job, run by `compress` (a pool's, or this
 * thread's): the bytes a DeflateStream of it gives, without the stream's copy of the input.
 */
export function deflateWholeInput(input: Uint8Array, level: number, compress: BlockCompressor): Promise<Uint8Array> {
  if (input.length > WHOLE_INPUT_BYTES) throw new RangeError(`an input of ${input.length} bytes is more than one block`);
  return compress({ input, dictionary: NO_DICTIONARY, level, last: true });
}

export const deflateWholeInThisThread: WholeDeflater = async (job) => {
  const into: WholeDeflateResult = { deflated: new Uint8Array(job.input.length), deflatedLengths: new Uint32Array(job.lengths.length) };
  return { ...into, deflated: into.deflated.subarray(0, deflateWhole(job, into)) };
};

/**
 * Runs the job with its results written `into` (a worker's are in a shared slot, so nothing is
 * allocated there for them, as long as each input's deflate fits what is left of `into.deflated`);
 * returns the length of `into.deflated` used.
 */
export function deflateWhole(job: WholeDeflateJob, into: WholeDeflateResult): number {
  let from = 0;
  let to = 0;
  for (let i = 0; i < job.lengths.length; i++) {
    const input = job.input.subarray(from, from + job.lengths[i]!);
    from += input.length;
    const deflated = deflateBlockWasm({ input, dictionary: NO_DICTIONARY, level: job.level, last: true }, into.deflated.subarray(to));
    if (deflated.length >= input.length) {
      into.deflatedLengths[i] = NOT_SMALLER;
      continue;
    }
    // Written in place: a deflate smaller than its input always fits what is left of `into.deflated`,
    // as the inputs before it took no more room there than their own length.
    into.deflatedLengths[i] = deflated.length;
    to += deflated.length;
  }
  return to;
}
