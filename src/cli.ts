// The command line: yargs wiring only; each verb lives in src/commands/.
import { readFileSync } from 'node:fs';
import yargs from 'yargs';
import type { Argv } from 'yargs';
import { hideBin } from 'yargs/helpers';
import { runCheck } from './commands/check.js';
import { runNormalize } from './commands/normalize.js';
import { compareCommand } from './commands/compare.js';
import { digestCommand } from './commands/digest.js';
import { verifyCommand } from './commands/verify.js';
import { printReport, UsageError } from './commands/shared.js';
import type { CommonFlags, Report } from './commands/shared.js';
import { describeError } from './normalize/artefact.js';
import { removeAllScratchNow } from './normalize/scratch.js';
import { DEFAULT_EPOCH, DEFAULT_LEVEL, DEFAULT_WHEEL_LEVEL } from './normalize/options.js';
import { defaultJobs } from './formats/deflate/index.js';

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };

function commonOptions<T>(y: Argv<T>) {
  return y
    .positional('paths', { type: 'string', array: true, default: [] as string[], describe: 'artefacts, directories or globs (default: dist/)' })
    .option('epoch', { type: 'string', describe: `seconds since 1970, or "git" for HEAD's commit time (default: $SOURCE_DATE_EPOCH, else ${DEFAULT_EPOCH})` })
    .option('mtime', { choices: ['epoch', 'clamp'] as const, describe: 'epoch (default): every mtime becomes the epoch; clamp: keep mtimes older than the epoch' })
    .option('level', { type: 'number', describe: `deflate level, 1-9 (default: ${DEFAULT_LEVEL} for sdists, ${DEFAULT_WHEEL_LEVEL} for wheels)` })
    .option('jobs', { alias: 'j', type: 'number', describe: `compression threads (default: the number of cores, ${defaultJobs()} here); the bytes do not depend on it` });
}

/** Runs the CLI and resolves to the exit code; never throws. */
export async function main(argv: string[] = hideBin(process.argv)): Promise<number> {
  // Ctrl-C or a polite kill: remove this run's scratch files (originals are only ever replaced by
  // an atomic rename, so they are whole either way) and exit as shells expect.
  for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
    process.once(signal, () => {
      removeAllScratchNow();
      process.stderr.write(`reprodist: interrupted (${signal}); originals are untouched or fully replaced, scratch files removed\n`);
      process.exit(code);
    });
  }
  let report: Report | undefined;
  let flags: CommonFlags | undefined;
  /** Set by the verbs that print their own output (compare, digest, verify). */
  let ownExitCode: number | undefined;
  const setExitCode = (code: number) => void (ownExitCode = code);
  const cli = yargs(argv)
    .scriptName('reprodist')
    // Declared before the verb is read, so that in `reprodist --json check` the flag takes no value
    // and `check` stays the verb (else it would be a path, and normalize would run).
    .option('json', { type: 'boolean', describe: 'print one JSON document on stdout' })
    .option('quiet', { alias: 'q', type: 'boolean', describe: 'print only failures' })
    .option('keep-compression', { type: 'boolean', describe: "wheels: keep the builder's compressed bytes (faster; reproducible only when both builders' zlib agree)" })
    .usage('$0 [normalize] [PATH...]\n\nMake Python sdists (.tar.gz) and wheels (.whl) byte-reproducible, in place.')
    .command(['normalize [paths..]', '$0 [paths..]'], 'rewrite artefacts in normal form (the default command)', (y) =>
      commonOptions(y).option('out', { type: 'string', describe: 'write the normalized files to this directory instead of in place' }),
      async (args) => {
        flags = args as unknown as CommonFlags;
        report = await runNormalize({ ...(args as unknown as CommonFlags), paths: args.paths as string[], ...(args.out ? { out: args.out } : {}) });
      })
    .command('check [paths..]', 'exit 0 if every artefact is in normal form, 1 if not (saying what would change), 2 on error', (y) => commonOptions(y),
      async (args) => {
        flags = args as unknown as CommonFlags;
        report = await runCheck({ ...(args as unknown as CommonFlags), paths: args.paths as string[] });
      })
    .command(compareCommand(setExitCode))
    .command(digestCommand(setExitCode))
    .command(verifyCommand(setExitCode))
    .example('python -m build && reprodist', 'normalize dist/* in place right after building')
    .example('reprodist check dist/', 'in CI: fail when an artefact is not in normal form')
    .example('reprodist --epoch git --out normalized/ dist/*.whl', "write copies, using HEAD's commit time")
    .example('SOURCE_DATE_EPOCH=1700000000 reprodist dist/pkg-1.0.tar.gz', 'the epoch from the environment')
    .epilogue('Defaults can be set in [tool.reprodist] of pyproject.toml (epoch, mtime, level, paths, jobs, keep-compression); flags win, and SOURCE_DATE_EPOCH wins over the file\'s epoch.\n\nExit codes: 0 success (check: all normal), 1 check: some file not normal, 2 refused input or error.')
    .version(version)
    .strict()
    .help()
    .wrap(Math.min(110, process.stdout.columns || 100))
    .fail((message, error) => {
      throw error ?? new UsageError(`${message} (see reprodist --help)`);
    });
  try {
    await cli.parseAsync();
  } catch (error) {
    process.stderr.write(`reprodist: ${describeError(error)}\n`);
    return 2;
  }
  if (ownExitCode !== undefined) return ownExitCode;
  if (!report || !flags) return 0;
  printReport(report, flags);
  return report.exitCode;
}
