// `reprodist compare A B`: exit 0 when every pair is byte-identical, 1 when any differs, 2 on error.
import type { CommandModule } from 'yargs';
import { compare } from '../compare/compare.js';
import type { Comparison } from '../compare/compare.js';
import { comparisonHeader, makeStyle, renderOneSided, renderPair, wantsColour } from '../compare/render.js';

export interface CompareFlags {
  a: string;
  b: string;
  json: boolean;
  /** How many differing members get a diff. */
  diffs: number;
  /** Lines per diff. */
  diffLines: number;
}

export async function runCompare(flags: CompareFlags): Promise<number> {
  const result = await compare(flags.a, flags.b, { maxDiffs: flags.diffs, diffLines: flags.diffLines });
  printComparison(result, flags.json);
  return result.exitCode;
}

/** JSON on stdout (docs/compare.md), or human lines: pairs on stdout, refused and errors on stderr. */
export function printComparison(result: Comparison, json: boolean): void {
  if (json) {
    process.stdout.write(`${JSON.stringify({ command: 'compare', ...result }, null, 2)}\n`);
    return;
  }
  for (const problem of result.problems) process.stderr.write(`reprodist: ${problem}\n`);
  const out = makeStyle(wantsColour(process.stdout));
  const err = makeStyle(wantsColour(process.stderr));
  const header = comparisonHeader(result, out);
  if (header) process.stdout.write(`${header}\n`);
  for (const pair of result.pairs) {
    const failed = pair.status === 'refused' || pair.status === 'error';
    (failed ? process.stderr : process.stdout).write(`${renderPair(pair, failed ? err : out).join('\n')}\n`);
  }
  const oneSided = renderOneSided(result, out);
  if (oneSided.length > 0) process.stdout.write(`${oneSided.join('\n')}\n`);
}

/** The yargs command; `done` receives the exit code. */
export function compareCommand(done: (exitCode: number) => void): CommandModule<object, CompareFlags> {
  return {
    command: 'compare <a> <b>',
    describe: 'say whether two artefacts (or two directories of them) are byte-identical, and if not, how they differ; exit 0 identical, 1 differ, 2 error',
    builder: (y) =>
      y
        .positional('a', { type: 'string', demandOption: true, describe: 'an sdist or wheel, or a directory of them' })
        .positional('b', { type: 'string', demandOption: true, describe: 'the same kind of file, or a directory (paired by file name)' })
        .option('json', { type: 'boolean', default: false, describe: 'print one JSON document on stdout (schema: docs/compare.md)' })
        .option('diffs', { type: 'number', default: 5, describe: 'how many members whose content differs get a diff' })
        .option('diff-lines', { type: 'number', default: 40, describe: 'lines per diff' }) as never,
    handler: async (args) => done(await runCompare(args)),
  };
}
