// Running one verb's work over many artefacts: compression on `jobs` threads (a pool only when
// jobs > 1) and, when there are threads to spare, two artefacts at a time so that reading and
// verifying one overlaps compressing the other. The bytes do not depend on any of it.
import { createDeflatePool, defaultJobs } from '../formats/deflate/index.js';
import type { ArtefactResult } from './artefact.js';
import type { NormalizeOptions } from './options.js';

export { defaultJobs };

/** What a display is told while a batch runs: one reporter per artefact, stopped at the end. */
export interface BatchDisplay {
  start(file: string): { report?: (done: number, total: number) => void; finish: () => void };
  stop(): void;
}

/** Runs `work` on every artefact; results come back in the order of `artefacts`. */
export async function runBatch<Artefact extends { path: string }>(
  artefacts: readonly Artefact[],
  options: NormalizeOptions,
  jobs: number,
  work: (artefact: Artefact, options: NormalizeOptions) => Promise<ArtefactResult>,
  display?: BatchDisplay,
): Promise<ArtefactResult[]> {
  const pool = jobs > 1 ? createDeflatePool(jobs) : undefined;
  const shared = pool
    ? { ...options, compressor: pool.compress, wholeDeflater: pool.deflateWhole, blocksInFlight: pool.blocksInFlight, expectCompression: pool.expect }
    : options;
  const results: ArtefactResult[] = new Array(artefacts.length);
  let next = 0;
  const lane = async () => {
    for (let i = next++; i < artefacts.length; i = next++) {
      const { report, finish } = display?.start(artefacts[i]!.path) ?? { finish: () => undefined };
      results[i] = await work(artefacts[i]!, report ? { ...shared, onProgress: report } : shared);
      finish();
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(artefacts.length, jobs > 1 ? 2 : 1) }, lane));
  } finally {
    display?.stop();
    await pool?.close();
  }
  return results;
}
