// Runs in a worker thread of the deflate pool: one block job in, its compressed bytes out.
import { Piscina } from 'piscina';
import { deflateBlockWasm } from './zlib-wasm.js';
import type { DeflateBlockJob } from './job.js';

export default function compressBlock(job: DeflateBlockJob): unknown {
  const compressed = deflateBlockWasm(job);
  return Piscina.move(compressed);
}
