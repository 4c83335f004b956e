// `reprodist compare A B`: exit 0 when every pair is byte-identical, 1 when any differs, 2 on error.
import { compare } from '../compare/index.js';
import type { OutputLines } from './output.js';
import { problemLines } from './output.js';
import { comparisonHeader, renderOneSided, renderPair } from './render.js';
import { COUNT, POSITIVE_COUNT, flagValue } from '../settings/index.js';
import { reportOptions, writeReports } from './reports.js';
import { hideNormalFormFlags, refuseNormalFormFlags } from './verb.js';
import type { Verb } from './verb.js';

export interface CompareFlags {
  a: string;
  b: string;
  /** How many differing members get a diff. */
  diffs: number;
  /** Lines per diff. */
  diffLines: number;
  verbose: boolean;
}

export const compareVerb: Verb<CompareFlags> = {
  command: 'compare <a> <b>',
  describe: 'say whether two artefacts (or two directories of them) are byte-identical, and if not, how they differ; exit 0 identical, 1 differ, 2 error',
  options: (y) =>
    reportOptions(hideNormalFormFlags(y))
      .positional('a', { type: 'string', demandOption: true, describe: 'an sdist or wheel, or a directory of them' })
      .positional('b', { type: 'string', demandOption: true, describe: 'the same kind of file, or a directory (paired by file name, else by project and kind)' })
      .option('diffs', { type: 'string', default: 5, coerce: flagValue(COUNT, '--diffs'), describe: 'how many members whose content differs get a diff' })
      .option('diff-lines', { type: 'string', default: 40, coerce: flagValue(POSITIVE_COUNT, '--diff-lines'), describe: 'lines per diff' }),
  async run(flags, { styles }) {
    refuseNormalFormFlags('compare', flags);
    const result = await compare(flags.a, flags.b, { maxDiffs: flags.diffs, diffLines: flags.diffLines });
    const text: OutputLines[] = problemLines(result.problems);
    const header = comparisonHeader(result, styles.out);
    if (header) text.push({ stream: 'out', wrong: false, lines: [header] });
    for (const pair of result.results) {
      const failed = pair.status === 'refused' || pair.status === 'error';
      text.push({ stream: failed ? 'err' : 'out', wrong: pair.status !== 'identical', lines: renderPair(pair, failed ? styles.err : styles.out, undefined, pair.name, flags.verbose) });
    }
    // One piece per file, so that --quiet keeps every one.
    for (const line of renderOneSided(result, styles.out)) text.push({ stream: 'out', wrong: true, lines: [line] });
    await writeReports(flags, result);
    return { exitCode: result.exitCode, json: result, text };
  },
};
