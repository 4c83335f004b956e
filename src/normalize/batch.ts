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

/** Runs `work` on every file; results come back in the order of `files`. */
export async function runBatch(
  files: readonly string[],
  options: NormalizeOptions,
  jobs: number,
  work: (file: string, options: NormalizeOptions) => Promise<ArtefactResult>,
  display?: BatchDisplay,
): Promise<ArtefactResult[]> {
  const pool = jobs > 1 ? createDeflatePool(jobs) : undefined;
  const shared = pool ? { ...options, compressor: pool.compress, blocksInFlight: pool.blocksInFlight } : options;
  const results: ArtefactResult[] = new Array(files.length);
  let next = 0;
  const lane = async () => {
    for (let i = next++; i < files.length; i = next++) {
      const { report, finish } = display?.start(files[i]!) ?? { finish: () => undefined };
      results[i] = await work(files[i]!, report ? { ...shared, onProgress: report } : shared);
      finish();
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(files.length, jobs > 1 ? 2 : 1) }, lane));
  } finally {
    display?.stop();
    await pool?.close();
  }
  return results;
}
