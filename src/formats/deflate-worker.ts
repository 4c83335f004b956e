// Runs in a worker thread of the deflate pool: one block job in, its compressed bytes out.
import { Piscina } from 'piscina';
import { deflateBlock } from './deflate.js';
import type { DeflateBlockJob } from './deflate.js';

export default function compressBlock(job: DeflateBlockJob): unknown {
  const compressed = deflateBlock(job);
  return Piscina.move(compressed);
}
