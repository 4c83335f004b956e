// Runs in a worker thread of the deflate pool: the slot jobs of ./slot-jobs.ts, posted by ./pool.ts.
import { Piscina } from 'piscina';
import { compressBlockInSlot } from './slot-jobs.js';
import type { SlotJob } from './slot-jobs.js';

export { deflateWholeInSlot } from './slot-jobs.js';

/** The compressed length when the bytes are in the slot, else the bytes, moved rather than copied. */
export default function compressBlock(job: SlotJob): unknown {
  const compressed = compressBlockInSlot(job);
  return typeof compressed === 'number' ? compressed : Piscina.move(compressed);
}
