// `reprodist check [PATH...]`: exit 0 when all are in normal form, 1 when any is not, 2 on any error.
import { tmpdir } from 'node:os';
import { checkArtefact, removeStaleScratch } from '../normalize/index.js';
import type { BatchDisplay } from '../normalize/index.js';
import { reportOutcome, runOverArtefacts, settingOptions } from './artefacts.js';
import type { ArtefactFlags, Report } from './documents.js';
import type { Verb } from './verb.js';

export async function checkPaths(flags: ArtefactFlags, display?: BatchDisplay): Promise<Report> {
  return runOverArtefacts('check', flags, () => removeStaleScratch(tmpdir()), ({ path, handler }, options) => checkArtefact(handler, path, options), display);
}

export const checkVerb: Verb<ArtefactFlags> = {
  command: 'check [paths..]',
  describe: 'exit 0 if every artefact is in normal form, 1 if not (saying what would change), 2 on error',
  options: settingOptions,
  run: async (flags, context) => reportOutcome(await checkPaths(flags, context.progress), flags.verbose),
};
