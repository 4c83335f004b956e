// Block compression on worker threads. The blocks are independent (see ./stream.ts), so the bytes do
// not depend on how many threads run them or in which order they finish.
import { availableParallelism } from 'node:os';
import type { Piscina } from 'piscina';
import { DEFLATE_BLOCK_SIZE, DEFLATE_DICTIONARY_SIZE } from './job.js';
import { compressBlockInSlot, deflateWholeInSlot } from './slot-jobs.js';
import type { SlotJob, WholeSlotJob } from './slot-jobs.js';
import type { BlockCompressor } from './job.js';
import { deflateWholeInThisThread } from './members.js';
import type { WholeDeflater } from './members.js';
import { deflateBlockWasm, firstOutputSize } from './zlib-wasm.js';

/** Jobs smaller than this are compressed on the calling thread: a round trip to a worker costs more. */
const SMALL_JOB_BYTES = 4 * 1024;
/**
 * Jobs given to each worker before the calling thread compresses one itself: the one it runs and the
 * next, so that a worker never waits while this thread is busy with its own block or its other work.
 */
const JOBS_PER_WORKER = 2;
/**
 * Jobs that wait for the first free thread, per worker; beyond them a job runs here at once. Each
 * holds its slot while it waits: two a worker cost about 3 MiB more on the bench wheel than one,
 * for no gain once the workers' count is current (see `held` below).
 */
const WAITING_PER_WORKER = 1;
/**
 * Jobs posted to each worker whose results this thread has not yet taken (finished ones among them):
 * with the waiting ones, the slots in use stay at four a worker, as when a worker's jobs were counted
 * only as their results were taken.
 */
const POSTED_PER_WORKER = JOBS_PER_WORKER + 1;
/** A job's shared slot: the dictionary, the block, and room for its compressed bytes. */
const SLOT_BYTES = DEFLATE_DICTIONARY_SIZE + DEFLATE_BLOCK_SIZE + firstOutputSize(DEFLATE_BLOCK_SIZE);
/** A batch of small inputs goes to a worker when their bytes fit this much of its slot and they are at most BATCH_SLOT_INPUTS. */
export const BATCH_SLOT_BYTES = 256 * 1024;
export const BATCH_SLOT_INPUTS = 256;
/** A batch's shared slot: its inputs, their deflated bytes, then each one's length and deflated length. */
const BATCH_SLOT = {
  input: 0,
  deflated: BATCH_SLOT_BYTES,
  lengths: 2 * BATCH_SLOT_BYTES,
  deflatedLengths: 2 * BATCH_SLOT_BYTES + 4 * BATCH_SLOT_INPUTS,
  size: 2 * BATCH_SLOT_BYTES + 8 * BATCH_SLOT_INPUTS,
} as const;
/** The workers start once this much input has been seen, so that small artefacts never wait for them. */
const START_AFTER_BYTES = 4 * 1024 * 1024;

/** A job that found every worker full: it runs on the first worker to finish one, or here when this thread is idle first. */
interface WaitingJob {
  /** Runs it on the pool once the pool is there; never rejects (the job's own promise does). */
  onWorker(pool: Promise<Piscina>): Promise<void>;
  here(): void;
}

export interface DeflatePool {
  compress: BlockCompressor;
  /** Batches of small inputs deflated whole, under the same rule as blocks: to a worker while one has room, else waiting for the first free thread. */
  deflateWhole: WholeDeflater;
  /** How many blocks to keep in flight so that every thread stays busy. */
  blocksInFlight: number;
  /**
   * Told that at least `bytes` of input are to be compressed: past START_AFTER_BYTES the workers
   * start now, while the caller reads, rather than at the first job that finds them due (an sdist's
   * index pass leaves the second core mostly idle; a worker started after it kept this thread
   * waiting for it, about 70 ms on the bench sdist).
   */
  expect(bytes: number): void;
  close(): Promise<void>;
}

export function defaultJobs(): number {
  return availableParallelism();
}

/**
 * Compression on `threads` threads, at most one per core (more would only wait for a core, and each
 * costs memory: a worker's isolate and its zlib instance are about 12 MiB, docs/limits.md): this one
 * and `threads - 1` workers, started once the input is big enough to need them. A job goes to a
 * worker while it has fewer than JOBS_PER_WORKER; otherwise it waits, and the first worker to finish
 * a job takes it, unless this thread is idle first and runs it here: the calling thread has spare
 * time between its reads and writes, and one isolate fewer is a good part of the memory. (Run here
 * at once, a job took this thread from its reading and writing while the worker ran out of work.)
 * A job runs here at once only when WAITING_PER_WORKER jobs a worker are waiting already.
 */
export function createDeflatePool(requested: number): DeflatePool {
  const threads = Math.max(1, Math.min(requested, availableParallelism()));
  const workers = threads - 1;
  let pool: Piscina | undefined;
  let starting: Promise<Piscina> | undefined;
  let seen = 0;
  // Jobs posted to the workers that they have not finished: a worker counts its own down as it
  // ends one, so the count is right while this thread is busy. (Counted here as each result is
  // taken, it lagged: this thread, deflating a block of its own, saw the worker full, ran the next
  // one itself too, and the worker sat idle a third of a run of four wheels.)
  const held = new Int32Array(new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT));
  // Jobs posted whose results this thread has not taken: each holds its slot until then.
  let posted = 0;
  const freeSlots: SharedArrayBuffer[] = [];
  const freeBatchSlots: SharedArrayBuffer[] = [];
  const start = async (): Promise<Piscina> => {
    const { Piscina } = await import('piscina');
    pool = new Piscina({
      filename: new URL('./worker.js', import.meta.url).href,
      minThreads: workers,
      maxThreads: workers,
      // Each worker holds all its jobs, not one at a time: piscina would otherwise post the next only
      // when this thread's event loop takes the last one's result, and this thread is often busy.
      // piscina's own count of a worker's jobs is `posted` below: it drops only when this thread
      // takes a result. `held`, counted down by the worker, decides when a worker has room.
      concurrentTasksPerWorker: POSTED_PER_WORKER,
      workerData: { held },
      idleTimeout: 1000,
      // A block job needs a few MiB; small heaps make V8 collect early instead of growing RSS.
      resourceLimits: { maxOldGenerationSizeMb: 16, maxYoungGenerationSizeMb: 2 },
    });
    return pool;
  };
  /** Whether a job of `bytes` runs here at once: no worker, too small, or the pool not yet due. */
  const runsHere = (bytes: number): boolean => {
    seen += bytes;
    return workers === 0 || bytes < SMALL_JOB_BYTES || (!starting && seen < START_AFTER_BYTES);
  };
  /** Jobs that found every worker full, oldest first. */
  const waiting: WaitingJob[] = [];
  let idleRunDue = false;
  const toWorker = (job: WaitingJob): void => {
    Atomics.add(held, 0, 1);
    posted += 1;
    void job.onWorker(pool ? Promise.resolve(pool) : (starting ??= start())).finally(() => {
      posted -= 1;
      toWorkers();
    });
  };
  /** The waiting jobs, oldest first, to the workers while they have room. */
  const toWorkers = (): void => {
    while (waiting.length > 0 && Atomics.load(held, 0) < workers * JOBS_PER_WORKER && posted < workers * POSTED_PER_WORKER) toWorker(waiting.shift()!);
  };
  // A setImmediate callback runs once the I/O callbacks that are ready have run: this thread's own
  // work comes first, and a job runs here only when nothing else would.
  const runOneWhenIdle = (): void => {
    idleRunDue = false;
    toWorkers();
    waiting.shift()?.here();
    if (waiting.length > 0) whenIdle();
  };
  const whenIdle = (): void => {
    if (idleRunDue) return;
    idleRunDue = true;
    setImmediate(runOneWhenIdle);
  };
  /** Runs a job held in a shared slot on a worker or here, whichever is free first (see above). */
  const dispatch = <T>(onWorker: (pool: Piscina) => Promise<T>, here: () => T): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const job: WaitingJob = {
        onWorker: (running) => running.then(onWorker).then(resolve, reject),
        here: () => {
          try {
            resolve(here());
          } catch (error) {
            reject(error);
          }
        },
      };
      waiting.push(job);
      toWorkers();
      if (waiting.length > workers * WAITING_PER_WORKER) waiting.pop()!.here();
      else if (waiting.length > 0) whenIdle();
    });
  return {
    compress: async (job) => {
      if (runsHere(job.input.length)) return deflateBlockWasm(job);
      // The job goes through a shared buffer, one per job on a worker, rather than transferred ones:
      // a fresh MiB landing in a worker per block is garbage there, and its GC lets it pile up. The
      // worker writes the compressed bytes into the same slot, and they are copied out here.
      const slot = freeSlots.pop() ?? new SharedArrayBuffer(SLOT_BYTES);
      try {
        const dictionary = new Uint8Array(slot, 0, job.dictionary.length);
        dictionary.set(job.dictionary);
        const input = new Uint8Array(slot, DEFLATE_DICTIONARY_SIZE, job.input.length);
        input.set(job.input);
        const output = new Uint8Array(slot, DEFLATE_DICTIONARY_SIZE + DEFLATE_BLOCK_SIZE);
        const slotJob: SlotJob = { ...job, dictionary, input, output };
        const result = await dispatch((running) => running.run(slotJob) as Promise<number | Uint8Array>, () => compressBlockInSlot(slotJob));
        return typeof result === 'number' ? output.slice(0, result) : result;
      } finally {
        freeSlots.push(slot);
      }
    },
    deflateWhole: async (job) => {
      const count = job.lengths.length;
      const fitsSlot = count <= BATCH_SLOT_INPUTS && job.input.length <= BATCH_SLOT_BYTES;
      if (!fitsSlot || runsHere(job.input.length)) return deflateWholeInThisThread(job);
      // Through a shared slot, as blocks go: the worker allocates nothing for the job or its results.
      const slot = freeBatchSlots.pop() ?? new SharedArrayBuffer(BATCH_SLOT.size);
      try {
        const input = new Uint8Array(slot, BATCH_SLOT.input, job.input.length);
        input.set(job.input);
        const lengths = new Uint32Array(slot, BATCH_SLOT.lengths, count);
        lengths.set(job.lengths);
        const into = { deflated: new Uint8Array(slot, BATCH_SLOT.deflated, job.input.length), deflatedLengths: new Uint32Array(slot, BATCH_SLOT.deflatedLengths, count) };
        const slotJob: WholeSlotJob = { level: job.level, input, lengths, into };
        const used = await dispatch((running) => running.run(slotJob, { name: 'deflateWholeInSlot' }) as Promise<number>, () => deflateWholeInSlot(slotJob));
        return { deflated: into.deflated.slice(0, used), deflatedLengths: into.deflatedLengths.slice() };
      } finally {
        freeBatchSlots.push(slot);
      }
    },
    // The workers' jobs and one of this thread's, with room for the oldest to finish last.
    blocksInFlight: workers * JOBS_PER_WORKER + 2,
    expect: (bytes) => {
      if (workers > 0 && bytes >= START_AFTER_BYTES) starting ??= start();
    },
    close: async () => {
      await pool?.destroy();
    },
  };
}
