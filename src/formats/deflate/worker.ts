// Runs in a worker thread of the deflate pool: the slot jobs of ./slot-jobs.ts, posted by ./pool.ts.
import { Piscina, workerData } from 'piscina';
import { compressBlockInSlot, deflateWholeInSlot as deflateWholeHere } from './slot-jobs.js';
import type { SlotJob, WholeSlotJob } from './slot-jobs.js';

/** The pool's count of the jobs posted to workers and not finished (pool.ts). */
const { held } = workerData as { held: Int32Array };

/** Runs a job and counts it finished before its result goes back: the calling thread may post the next at once. */
function counted<T>(job: () => T): T {
  try {
    return job();
  } finally {
    Atomics.sub(held, 0, 1);
  }
}

/** The compressed length when the bytes are in the slot, else the bytes, moved rather than copied. */
export default function compressBlock(job: SlotJob): unknown {
  return counted(() => {
    const compressed = compressBlockInSlot(job);
    return typeof compressed === 'number' ? compressed : Piscina.move(compressed);
  });
}

export function deflateWholeInSlot(job: WholeSlotJob): number {
  return counted(() => deflateWholeHere(job));
}
