// The command line: yargs wiring only; each verb lives in src/commands/.
import { readFileSync } from 'node:fs';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { UsageError, collectDeadBuffers, exitOnSignals, failureLine, runVerb, survivePipes, verbs } from './commands/index.js';
import { SETTING_KEYS, declareVerbOptions, verbName } from './commands/verb.js';

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };

/**
 * POSIX argument handling (Utility Syntax Guideline 10): the first `--` ends the options, and every
 * argument after it is an operand, even one that starts with `-` or names a verb. yargs would drop
 * them from the positionals, so each goes in as a placeholder that no real argument can be (it holds
 * NUL, which an argv string cannot), put back once parsed. `-` (standard input) is refused.
 */
function splitOperands(argv: string[]): { args: string[]; restore: (value: unknown) => unknown; restoreText: (text: string) => string } {
  if (argv.includes('-')) throw new UsageError('-: reading from standard input (or writing to standard output) is not supported; name the file (a file called "-" is ./-)');
  const end = argv.indexOf('--');
  if (end < 0) return { args: argv, restore: (value) => value, restoreText: (text) => text };
  const operands = argv.slice(end + 1);
  const placeholder = (i: number) => `\u0000operand-${i}\u0000`;
  const back = new Map(operands.map((operand, i) => [placeholder(i), operand]));
  const restore = (value: unknown): unknown => {
    if (typeof value === 'string') return back.get(value) ?? value;
    return Array.isArray(value) ? value.map(restore) : value;
  };
  const restoreText = (text: string) => text.replace(/\u0000operand-(\d+)\u0000/g, (_, i: string) => operands[Number(i)]!);
  return { args: [...argv.slice(0, end), ...operands.map((_, i) => placeholder(i))], restore, restoreText };
}

/**
 * For a parse that failed while an argument that looks like a path starts with one dash: it was read
 * as one-letter options (`-odd.tar.gz` as -o -d ...), so say how to give it as a path. Looks like a
 * path: has a dot or a slash, or more letters than a cluster of our few short flags would (-qv).
 */
function dashHint(message: string, args: readonly string[]): string | undefined {
  const dashed = args.find((arg) => /^-[^-\d]/.test(arg) && (/[./]/.test(arg) || arg.length > 3));
  if (!dashed) return undefined;
  const verb = args.find((arg) => verbs.some((v) => verbName(v) === arg));
  return `${dashed} was read as options (${message}); a path that starts with - goes after --, as in "reprodist ${verb ? `${verb} ` : ''}-- ${dashed}", or is written ./${dashed}`;
}

/**
 * yargs builds a named verb's whole help text once its handler has started (`reprodist check ...`),
 * in case it is asked for afterwards; reprodist never asks (a usage error is one line, and --help
 * is answered before any handler runs), and the text costs a small run about 3% of its time. Where
 * a yargs release has no such method, nothing is changed.
 */
function skipHelpCache(cli: object): void {
  const internal = cli as { getInternalMethods?: () => { getUsageInstance?: () => { cacheHelpMessage?: () => void } } };
  const usage = internal.getInternalMethods?.().getUsageInstance?.();
  if (usage && typeof usage.cacheHelpMessage === 'function') usage.cacheHelpMessage = () => undefined;
}

/** Runs the CLI and resolves to the exit code; never throws. */
export async function main(argv: string[] = hideBin(process.argv)): Promise<number> {
  exitOnSignals();
  survivePipes();
  collectDeadBuffers();
  let exitCode = 0;
  let split: ReturnType<typeof splitOperands>;
  try {
    split = splitOperands(argv);
  } catch (error) {
    process.stderr.write(`${failureLine(error)}\n`);
    return 2;
  }
  const { args: parsedArgv, restore, restoreText } = split;
  const cli = yargs(parsedArgv)
    .scriptName('reprodist')
    // Declared before the verb is read, so that in `reprodist --json check` the flag takes no value
    // and `check` stays the verb (else it would be a path, and normalize would run).
    .option('json', { type: 'boolean', describe: 'print one JSON document on stdout (docs/api.md, docs/compare.md)' })
    .option('quiet', { alias: 'q', type: 'boolean', describe: 'print only what is wrong: one line per failing file' })
    .option('verbose', { alias: 'v', type: 'boolean', describe: 'list every item of every list (problems, changes, members), not a count and the first three' })
    .option('keep-compression', { type: 'boolean', describe: "normalize and check: keep wheels' compressed bytes as the builder wrote them (faster; reproducible only when both builders' zlib agree); --no-keep-compression overrides [tool.reprodist]" })
    .usage('$0 [normalize] [PATH...]\n\nMake Python sdists (.tar.gz) and wheels (.whl) byte-reproducible, in place.');
  for (const verb of verbs) {
    cli.command(verb.command as string | string[], verb.describe, (y) => declareVerbOptions(y, verb, verbs, parsedArgv), async (args) => {
      const operands = Object.fromEntries(Object.entries(args).map(([key, value]) => [key, restore(value)]));
      exitCode = await runVerb(verb, operands as never);
    });
  }
  cli
    .example('python -m build && reprodist', 'normalize dist/* in place right after building')
    .example('reprodist check dist/', 'in CI: fail when an artefact is not in normal form')
    .example('reprodist --epoch git --out normalized/ dist/*.whl', "write copies, using HEAD's commit time")
    .example('SOURCE_DATE_EPOCH=1700000000 reprodist dist/pkg-1.0.tar.gz', 'the epoch from the environment')
    .epilogue(`Defaults can be set in [tool.reprodist] of pyproject.toml (${SETTING_KEYS.join(', ')}); flags win, and SOURCE_DATE_EPOCH wins over the file's epoch.\n\nExit codes: 0 success (check: all normal), 1 check: some file not normal, 2 refused input or error.`)
    .version(version)
    .strict()
    .help()
    .wrap(Math.min(110, process.stdout.columns || 100))
    .fail((message, error) => {
      throw error ?? new UsageError(dashHint(restoreText(message), split.args) ?? `${restoreText(message)} (see reprodist --help)`);
    });
  skipHelpCache(cli);
  try {
    await cli.parseAsync();
  } catch (error) {
    process.stderr.write(`${failureLine(error)}\n`);
    return 2;
  }
  return exitCode;
}
