// An independent implementation of one block of the normal form's deflate, for tests: pako 3 with
// its classic hash reproduces stock zlib, so it must agree byte for byte with the WebAssembly zlib
// that reprodist ships. Output space is given exactly as src/formats/deflate/zlib-wasm.ts gives it.
import {
  ZStream, Z_BUF_ERROR, Z_DEFAULT_STRATEGY, Z_FINISH, Z_OK, Z_STREAM_END, Z_SYNC_FLUSH,
  zlibDeflate, zlibDeflateInit2, zlibDeflateReset, zlibDeflateSetDictionary,
} from 'pako';
import type { DeflateBlockJob } from '../../src/formats/deflate/index.js';

/** CM 8, the deflate method (zlib.h Z_DEFLATED). */
const Z_DEFLATED = 8;

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

