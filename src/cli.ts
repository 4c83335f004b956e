// The command line: yargs wiring only; each verb lives in src/commands/.
import { readFileSync } from 'node:fs';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { UsageError, exitOnSignals, failureLine, runVerb, survivePipes, verbs } from './commands/index.js';

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };

/** Runs the CLI and resolves to the exit code; never throws. */
export async function main(argv: string[] = hideBin(process.argv)): Promise<number> {
  exitOnSignals();
  survivePipes();
  let exitCode = 0;
  const cli = yargs(argv)
    .scriptName('reprodist')
    // Declared before the verb is read, so that in `reprodist --json check` the flag takes no value
    // and `check` stays the verb (else it would be a path, and normalize would run).
    .option('json', { type: 'boolean', describe: 'print one JSON document on stdout (docs/api.md, docs/compare.md)' })
    .option('quiet', { alias: 'q', type: 'boolean', describe: 'print only what is wrong: one line per failing file' })
    .option('keep-compression', { type: 'boolean', describe: "normalize and check: keep wheels' compressed bytes as the builder wrote them (faster; reproducible only when both builders' zlib agree); --no-keep-compression overrides [tool.reprodist]" })
    .usage('$0 [normalize] [PATH...]\n\nMake Python sdists (.tar.gz) and wheels (.whl) byte-reproducible, in place.');
  for (const verb of verbs) {
    cli.command(verb.command as string | string[], verb.describe, (y) => verb.options(y), async (args) => {
      exitCode = await runVerb(verb, args as never);
    });
  }
  cli
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
    process.stderr.write(`${failureLine(error)}\n`);
    return 2;
  }
  return exitCode;
}
