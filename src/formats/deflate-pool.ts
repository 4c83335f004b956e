// Block compression on worker threads. The blocks are independent (see deflate.ts), so the bytes do
// not depend on how many threads run them or in which order they finish.
import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import type { BlockCompressor } from './deflate.js';

export interface DeflatePool {
  compress: BlockCompressor;
  /** How many blocks to keep in flight so that every thread stays busy. */
  blocksInFlight: number;
  close(): Promise<void>;
}

export function defaultJobs(): number {
  return availableParallelism();
}

export function createDeflatePool(threads: number): DeflatePool {
  const pool = new Piscina({
    filename: new URL('./deflate-worker.js', import.meta.url).href,
    minThreads: threads,
    maxThreads: threads,
    idleTimeout: 1000,
    // A block job needs a few MiB; small heaps make V8 collect early instead of growing RSS.
    resourceLimits: { maxOldGenerationSizeMb: 32, maxYoungGenerationSizeMb: 4 },
  });
  return {
    compress: (job) => pool.run(job, { transferList: [job.input.buffer as ArrayBuffer] }) as Promise<Uint8Array>,
    blocksInFlight: threads * 2,
    close: () => pool.destroy(),
  };
}
