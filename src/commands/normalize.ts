// `reprodist [normalize] [PATH...]`: exit 0 when every file was written or already normal, else 2.
import { mkdir, realpath } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { describeError, normalizeArtefact, removeStaleScratch } from '../normalize/index.js';
import type { BatchDisplay } from '../normalize/index.js';
import { UsageError } from '../settings/index.js';
import { reportOutcome, runOverArtefacts, settingOptions } from './artefacts.js';
import type { ArtefactFlags, Report } from './documents.js';
import type { Verb } from './verb.js';

export interface NormalizeFlags extends ArtefactFlags {
  out?: string;
}

export async function normalizePaths(flags: NormalizeFlags, display?: BatchDisplay): Promise<Report> {
  const { out } = flags;
  return runOverArtefacts(
    'normalize',
    flags,
    async (artefacts) => {
      const files = artefacts.map((artefact) => artefact.path);
      if (out) {
        checkOutCollisions(files, out);
        await makeOutDir(out);
      }
      // In place, a symlinked artefact is written beside its target: that is where scratch may be left.
      const dirs = out ? [out] : await Promise.all(files.map(async (f) => dirname(await realpath(f).catch(() => f))));
      for (const dir of new Set(dirs)) await removeStaleScratch(dir);
    },
    ({ path, handler }, options) => normalizeArtefact(handler, path, options, out),
    display,
  );
}

/** The --out directory, made if missing; anything else in its place is refused before anything is written. */
async function makeOutDir(out: string): Promise<void> {
  try {
    await mkdir(out, { recursive: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST' || code === 'ENOTDIR') throw new UsageError(`--out ${out}: not a directory (a file is in the way); name a directory, which is made if missing`);
    throw new UsageError(`--out ${out}: cannot make the directory: ${describeError(error)}`);
  }
}

/** With --out, two inputs of one name would land on one output: refused before anything is written. */
function checkOutCollisions(files: readonly string[], out: string): void {
  const byName = new Map<string, string[]>();
  for (const file of files) byName.set(basename(file), [...(byName.get(basename(file)) ?? []), file]);
  const clashes = [...byName].filter(([, inputs]) => inputs.length > 1);
  if (clashes.length === 0) return;
  const [name, inputs] = clashes[0]!;
  const more = clashes.length > 1 ? ` (and ${clashes.length - 1} more name${clashes.length > 2 ? 's' : ''})` : '';
  throw new UsageError(`--out ${out}: ${inputs.join(' and ')} would both be written to ${join(out, name)}${more}; nothing was written, normalize them into different directories`);
}

export const normalizeVerb: Verb<NormalizeFlags> = {
  command: ['normalize [paths..]', '$0 [paths..]'],
  describe: 'rewrite artefacts in normal form (the default command)',
  options: (y) => settingOptions(y).option('out', { type: 'string', describe: 'write the normalized files to this directory instead of in place' }),
  run: async (flags, context) => reportOutcome(await normalizePaths(flags, context.progress), flags.verbose),
};
