import { tmpdir } from 'node:os';
import { checkArtefact } from '../normalize/artefact.js';
import { removeStaleScratch } from '../normalize/scratch.js';
import { handlerFor } from '../normalize/index.js';
import { expandArtefactPaths } from '../paths.js';
import { processFiles, resolveSettings } from './shared.js';
import type { CommonFlags, Report } from './shared.js';

export type CheckFlags = CommonFlags;

/** `reprodist check [PATH...]`: exit 0 when all are in normal form, 1 when any is not, 2 on any error. */
export async function runCheck(flags: CheckFlags): Promise<Report> {
  const { options, jobs, paths } = resolveSettings(flags);
  const { files, problems } = await expandArtefactPaths(paths);
  await removeStaleScratch(tmpdir());
  const results = await processFiles(files, options, jobs, flags, (file, compressing) => checkArtefact(handlerFor(file)!, file, compressing));
  const failed = problems.length > 0 || results.some((r) => r.status === 'refused' || r.status === 'error');
  const exitCode = failed ? 2 : results.some((r) => r.status === 'not-normal') ? 1 : 0;
  return { command: 'check', epoch: options.epoch, results, problems, exitCode };
}
