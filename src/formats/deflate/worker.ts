// Runs in a worker thread of the deflate pool: one block job in, its compressed (and, when the job
// asks, checked) bytes out.
import { Piscina } from 'piscina';
import { runBlockJob } from './stream.js';
import type { DeflateBlockJob } from './job.js';

export default function compressBlock(job: DeflateBlockJob): unknown {
  const compressed = runBlockJob(job);
  return Piscina.move(compressed);
}
