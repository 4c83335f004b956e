// `reprodist [normalize] [PATH...]`: exit 0 when every file was written or already normal, else 2.
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { handlerFor, normalizeArtefact, removeStaleScratch } from '../normalize/index.js';
import type { BatchDisplay } from '../normalize/index.js';
import { isFailure, reportOutcome, runOverArtefacts, settingOptions } from './artefacts.js';
import type { ArtefactFlags, Report } from './artefacts.js';
import type { Verb } from './verb.js';

export interface NormalizeFlags extends ArtefactFlags {
  out?: string;
}

export async function normalizePaths(flags: NormalizeFlags, display?: BatchDisplay): Promise<Report> {
  const { out } = flags;
  const { settings, results, problems } = await runOverArtefacts(
    flags,
    async (files) => {
      if (out) await mkdir(out, { recursive: true });
      for (const dir of new Set(out ? [out] : files.map((f) => dirname(f)))) await removeStaleScratch(dir);
    },
    (file, options) => normalizeArtefact(handlerFor(file)!, file, options, out),
    display,
  );
  const failed = problems.length > 0 || results.some(isFailure);
  return { command: 'normalize', epoch: settings.options.epoch, results, problems, exitCode: failed ? 2 : 0 };
}

export const normalizeVerb: Verb<NormalizeFlags> = {
  command: ['normalize [paths..]', '$0 [paths..]'],
  describe: 'rewrite artefacts in normal form (the default command)',
  options: (y) => settingOptions(y).option('out', { type: 'string', describe: 'write the normalized files to this directory instead of in place' }),
  run: async (flags, context) => reportOutcome(await normalizePaths(flags, context.progress)),
};
