import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { normalizeArtefact } from '../normalize/artefact.js';
import { removeStaleScratch } from '../normalize/scratch.js';
import { handlerFor } from '../normalize/index.js';
import { expandArtefactPaths } from '../paths.js';
import { processFiles, resolveSettings } from './shared.js';
import type { CommonFlags, Report } from './shared.js';

export interface NormalizeFlags extends CommonFlags {
  out?: string;
}

/** `reprodist [normalize] [PATH...]`: exit 0 when every file was written or already normal, else 2. */
export async function runNormalize(flags: NormalizeFlags): Promise<Report> {
  const { options, jobs, paths } = resolveSettings(flags);
  const { files, problems } = await expandArtefactPaths(paths);
  if (flags.out) await mkdir(flags.out, { recursive: true });
  const targetDirs = new Set(flags.out ? [flags.out] : files.map((f) => dirname(f)));
  for (const dir of targetDirs) await removeStaleScratch(dir);
  const results = await processFiles(files, options, jobs, flags, (file, compressing) => normalizeArtefact(handlerFor(file)!, file, compressing, flags.out));
  const failed = problems.length > 0 || results.some((r) => r.status === 'refused' || r.status === 'error');
  return { command: 'normalize', epoch: options.epoch, results, problems, exitCode: failed ? 2 : 0 };
}
