// Block compression on worker threads. The blocks are independent (see ./stream.ts), so the bytes do
// not depend on how many threads run them or in which order they finish.
import { availableParallelism } from 'node:os';
import type { Piscina } from 'piscina';
import { DEFLATE_BLOCK_SIZE, DEFLATE_DICTIONARY_SIZE } from './job.js';
import type { SlotJob } from './worker.js';
import type { BlockCompressor } from './job.js';
import { deflateBlockWasm, firstOutputSize } from './zlib-wasm.js';

/** Jobs smaller than this are compressed on the calling thread: a round trip to a worker costs more. */
const SMALL_JOB_BYTES = 4 * 1024;
/**
 * Jobs given to each worker before the calling thread compresses one itself: the one it runs and the
 * next, so that a worker never waits while this thread is busy with its own block or its other work.
 */
const JOBS_PER_WORKER = 2;
/** A job's shared slot: the dictionary, the block, and room for its compressed bytes. */
const SLOT_BYTES = DEFLATE_DICTIONARY_SIZE + DEFLATE_BLOCK_SIZE + firstOutputSize(DEFLATE_BLOCK_SIZE);
/** The workers start once this much input has been seen, so that small artefacts never wait for them. */
const START_AFTER_BYTES = 4 * 1024 * 1024;

export interface DeflatePool {
  compress: BlockCompressor;
  /** How many blocks to keep in flight so that every thread stays busy. */
  blocksInFlight: number;
  close(): Promise<void>;
}

export function defaultJobs(): number {
  return availableParallelism();
}

/**
 * Compression on `threads` threads, at most one per core (more would only wait for a core, and each
 * costs memory: a worker's isolate and its zlib instance are about 12 MiB, docs/limits.md): this one
 * and `threads - 1` workers, started once the input is big enough to need them. A job goes to a
 * worker while it has fewer than JOBS_PER_WORKER, else it runs here: the calling thread has spare
 * time between its reads and writes, and one isolate fewer is a good part of the memory.
 */
export function createDeflatePool(requested: number): DeflatePool {
  const threads = Math.max(1, Math.min(requested, availableParallelism()));
  const workers = threads - 1;
  let pool: Piscina | undefined;
  let starting: Promise<Piscina> | undefined;
  let seen = 0;
  let busy = 0;
  const freeSlots: SharedArrayBuffer[] = [];
  const start = async (): Promise<Piscina> => {
    const { Piscina } = await import('piscina');
    pool = new Piscina({
      filename: new URL('./worker.js', import.meta.url).href,
      minThreads: workers,
      maxThreads: workers,
      // Each worker holds all its jobs, not one at a time: piscina would otherwise post the next only
      // when this thread's event loop takes the last one's result, and this thread is often busy.
      concurrentTasksPerWorker: JOBS_PER_WORKER,
      idleTimeout: 1000,
      // A block job needs a few MiB; small heaps make V8 collect early instead of growing RSS.
      resourceLimits: { maxOldGenerationSizeMb: 16, maxYoungGenerationSizeMb: 2 },
    });
    return pool;
  };
  return {
    compress: async (job) => {
      seen += job.input.length;
      const local = workers === 0 || busy >= workers * JOBS_PER_WORKER || job.input.length < SMALL_JOB_BYTES || (!starting && seen < START_AFTER_BYTES);
      if (local) return deflateBlockWasm(job);
      // The job goes through a shared buffer, one per job on a worker, rather than transferred ones:
      // a fresh MiB landing in a worker per block is garbage there, and its GC lets it pile up. The
      // worker writes the compressed bytes into the same slot, and they are copied out here.
      const slot = freeSlots.pop() ?? new SharedArrayBuffer(SLOT_BYTES);
      busy += 1;
      try {
        const dictionary = new Uint8Array(slot, 0, job.dictionary.length);
        dictionary.set(job.dictionary);
        const input = new Uint8Array(slot, DEFLATE_DICTIONARY_SIZE, job.input.length);
        input.set(job.input);
        const output = new Uint8Array(slot, DEFLATE_DICTIONARY_SIZE + DEFLATE_BLOCK_SIZE);
        const running = pool ?? (await (starting ??= start()));
        const slotJob: SlotJob = { ...job, dictionary, input, output };
        const result = (await running.run(slotJob)) as number | Uint8Array;
        return typeof result === 'number' ? output.slice(0, result) : result;
      } finally {
        busy -= 1;
        freeSlots.push(slot);
      }
    },
    // The workers' jobs and one of this thread's, with room for the oldest to finish last.
    blocksInFlight: workers * JOBS_PER_WORKER + 2,
    close: async () => {
      await pool?.destroy();
    },
  };
}
