// Jobs whose bytes are in a shared slot (./pool.ts): a worker runs them, or the calling thread does
// when it is idle before a worker is free. Either way the compressed bytes land in the same slot.
import { deflateBlockWasm } from './zlib-wasm.js';
import type { DeflateBlockJob } from './job.js';
import { deflateWhole } from './members.js';
import type { WholeDeflateJob, WholeDeflateResult } from './members.js';

/** A block job with its bytes in a shared slot, with room there for the compressed bytes. */
export interface SlotJob extends DeflateBlockJob {
  output: Uint8Array;
}

/**
 * The compressed length when the bytes are in the slot's output (nothing allocated, which in a worker
 * would pile up in its own malloc arena), else the bytes.
 */
export function compressBlockInSlot(job: SlotJob): number | Uint8Array {
  const compressed = deflateBlockWasm(job, job.output);
  return compressed.buffer === job.output.buffer ? compressed.length : compressed;
}

/** Small inputs deflated whole (./members.ts), inputs and results in a shared slot. */
export interface WholeSlotJob extends WholeDeflateJob {
  into: WholeDeflateResult;
}

/** The length of the slot's deflated bytes; their lengths are in the slot too. */
export function deflateWholeInSlot(job: WholeSlotJob): number {
  return deflateWhole(job, job.into);
}
