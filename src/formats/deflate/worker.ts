// Runs in a worker thread of the deflate pool: one block job in, its compressed bytes out.
import { Piscina } from 'piscina';
import { deflateBlockWasm } from './zlib-wasm.js';
import type { DeflateBlockJob } from './job.js';
import { deflateWhole } from './members.js';
import type { WholeDeflateJob, WholeDeflateResult } from './members.js';

/** A job as the pool posts it: its bytes in a shared slot, with room there for the compressed bytes. */
export interface SlotJob extends DeflateBlockJob {
  output: Uint8Array;
}

/**
 * The compressed length when the bytes are in the slot's output (nothing allocated in this thread, whose
 * freed buffers would otherwise pile up in its own malloc arena), else the bytes, moved.
 */
export default function compressBlock(job: SlotJob): unknown {
  const compressed = deflateBlockWasm(job, job.output);
  return compressed.buffer === job.output.buffer ? compressed.length : Piscina.move(compressed);
}

/** Small inputs deflated whole (./members.ts) as the pool posts them: inputs and results in a shared slot. */
export interface WholeSlotJob extends WholeDeflateJob {
  into: WholeDeflateResult;
}

/** The length of the slot's deflated bytes; their lengths are in the slot too. */
export function deflateWholeInSlot(job: WholeSlotJob): number {
  return deflateWhole(job, job.into);
}
