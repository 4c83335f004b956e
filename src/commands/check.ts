// `reprodist check [PATH...]`: exit 0 when all are in normal form, 1 when any is not, 2 on any error.
import { tmpdir } from 'node:os';
import { checkArtefact, handlerFor, removeStaleScratch } from '../normalize/index.js';
import type { BatchDisplay } from '../normalize/index.js';
import { isFailure, reportOutcome, runOverArtefacts, settingOptions } from './artefacts.js';
import type { ArtefactFlags, Report } from './artefacts.js';
import type { Verb } from './verb.js';

export async function checkPaths(flags: ArtefactFlags, display?: BatchDisplay): Promise<Report> {
  const { settings, results, problems } = await runOverArtefacts(
    flags,
    () => removeStaleScratch(tmpdir()),
    (file, options) => checkArtefact(handlerFor(file)!, file, options),
    display,
  );
  const failed = problems.length > 0 || results.some(isFailure);
  const exitCode = failed ? 2 : results.some((r) => r.status === 'not-normal') ? 1 : 0;
  return { command: 'check', epoch: settings.options.epoch, results, problems, exitCode };
}

export const checkVerb: Verb<ArtefactFlags> = {
  command: 'check [paths..]',
  describe: 'exit 0 if every artefact is in normal form, 1 if not (saying what would change), 2 on error',
  options: settingOptions,
  run: async (flags, context) => reportOutcome(await checkPaths(flags, context.progress), flags.verbose),
};
