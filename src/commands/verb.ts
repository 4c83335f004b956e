// The one shape of every verb: its yargs command and options, and a run that returns an Outcome,
// which src/commands/index.ts prints. A verb never prints itself. Also the refusal of a flag given
// to a verb it does not act on, read from the verbs' own declarations.
import type { Argv } from 'yargs';
import yargs from 'yargs';
import { UsageError } from '../settings/index.js';
import type { Outcome, OutputFlags, Style } from './output.js';
import type { ProgressDisplay } from './progress.js';

/** The [tool.reprodist] keys that default the verbs' settings, for the help (src/cli.ts). */
export { SETTING_KEYS } from '../settings/index.js';

/** What a run is given besides its flags: how to style lines, and where progress goes. */
export interface VerbContext {
  styles: { out: Style; err: Style };
  progress: ProgressDisplay;
}

export interface Verb<Flags> {
  /** The yargs command (with aliases): `check [paths..]`. */
  command: string | readonly string[];
  describe: string;
  options(y: Argv): Argv;
  run(flags: Flags & OutputFlags, context: VerbContext): Promise<Outcome>;
}

/** `check` for `check [paths..]`. */
export function verbName(verb: Verb<never>): string {
  return [verb.command].flat()[0]!.split(' ')[0]!;
}

/** `--out acts only on normalize, not on compare (see reprodist compare --help)`. */
function actsOnlyOn(flag: string, verbs: readonly string[], verb: string): UsageError {
  const list = verbs.length > 1 ? `${verbs.slice(0, -1).join(', ')} and ${verbs.at(-1)}` : verbs[0];
  return new UsageError(`${flag} acts only on ${list}, not on ${verb} (see reprodist ${verb} --help)`);
}

/** How a flag was written: `-j`, `--out`, `--no-build` (a negated boolean). */
function spelled(flag: string, value: unknown): string {
  return flag.length === 1 ? `-${flag}` : value === false ? `--no-${flag}` : `--${flag}`;
}

/**
 * Flags that are declared before the verb is read (so `reprodist --keep-compression check` parses)
 * but act only on normalize and check. The verbs they do nothing for hide them from their help and
 * refuse them here, at the start of their run.
 */
export const NORMAL_FORM_ONLY = ['keep-compression'] as const;

export function hideNormalFormFlags(y: Argv): Argv {
  return y.hide('keep-compression');
}

export function refuseNormalFormFlags(verb: string, flags: object): void {
  for (const flag of NORMAL_FORM_ONLY) {
    const camel = flag.replace(/-(\w)/g, (_, c: string) => c.toUpperCase());
    const value = (flags as Record<string, unknown>)[camel];
    if (value !== undefined) throw actsOnlyOn(spelled(flag, value), ['normalize', 'check'], verb);
  }
}

/** What yargs keeps of the options it has been given (its types do not say that it does). */
interface Declarations {
  key: Record<string, unknown>;
  alias: Record<string, string[]>;
  boolean: string[];
}

/** Every name (aliases too) of the options `y` has been given, and whether each is a switch. */
function declaredFlags(y: Argv): Map<string, boolean> {
  const { key, alias, boolean } = (y as unknown as { getOptions(): Declarations }).getOptions();
  return new Map(Object.keys(key).flatMap((name) => [name, ...(alias[name] ?? [])].map((spelling) => [spelling, boolean.includes(name)] as const)));
}

/** The positionals of a verb's command (`[paths..]`, `<a>`), and whether each takes many (`..`). */
function positionals(verb: Verb<never>): { name: string; variadic: boolean }[] {
  return [verb.command].flat().flatMap((command) => [...command.matchAll(/[<[](\w+)(\.\.)?[>\]]/g)].map((m) => ({ name: m[1]!, variadic: m[2] !== undefined })));
}

/** A verb's own flags, as its options() declares them: names and aliases, not its positionals. */
function ownFlags(verb: Verb<never>): Map<string, boolean> {
  const flags = declaredFlags(verb.options(yargs([])));
  for (const { name } of positionals(verb)) flags.delete(name);
  return flags;
}

/**
 * The option names written in `args` before `--`: `--out=x` gives out, `-qv` q and v, `-j2` j. A
 * letter after a short flag may be its value (`-ofile`): read as a name, it is one more name to check.
 */
function writtenFlags(args: readonly string[]): string[] {
  const end = args.indexOf('--');
  return (end < 0 ? args : args.slice(0, end)).flatMap((arg) => {
    if (arg.startsWith('--')) return [arg.slice(2).split('=')[0]!];
    return /^-[^-\d]/.test(arg) ? [...arg.slice(1).split('=')[0]!].filter((c) => /\p{L}/u.test(c)) : [];
  });
}

/**
 * Declares `verb`'s options on `y`, and refuses a flag that only other verbs declare: `compare --out x`
 * says `--out acts only on normalize` where yargs would call it an unknown argument. Those flags are
 * declared here too, hidden, so that a switch (`--build`) does not take the next path as its value.
 * Read from every verb's own options(), so a new verb or flag needs nothing here. `args` are the
 * command line's arguments: when every flag written there is the verb's own, the other verbs' flags
 * cannot be among them and are not worked out (that declares each verb's options on a yargs of its
 * own: 26 million instructions, 7% of normalizing a small sdist).
 */
export function declareVerbOptions(y: Argv, verb: Verb<never>, verbs: readonly Verb<never>[], args: readonly string[]): Argv {
  let declared = verb.options(y);
  // yargs knows a variadic positional is a list only under its verb's name, not when the default
  // verb's help is the top-level one (which then said [string] where `normalize --help` said [array]).
  for (const { name } of positionals(verb).filter((p) => p.variadic)) declared = declared.array(name);
  const own = declaredFlags(declared);
  if (writtenFlags(args).every((flag) => own.has(flag) || (flag.startsWith('no-') && own.get(flag.slice(3)) === true))) return declared;
  const others = verbs.filter((other) => other !== verb).map((other) => ({ name: verbName(other), flags: ownFlags(other) }));
  const foreign = new Map(others.flatMap((other) => [...other.flags].filter(([flag]) => !own.has(flag))));
  // Each spelling on its own (not as aliases), so that the message names the one given: -j, not --jobs.
  for (const [flag, isSwitch] of foreign) declared = declared.option(flag, { hidden: true, type: isSwitch ? 'boolean' : 'string' });
  return declared.middleware((argv) => {
    for (const flag of foreign.keys()) {
      if (argv[flag] === undefined) continue;
      throw actsOnlyOn(spelled(flag, argv[flag]), others.filter((other) => other.flags.has(flag)).map((other) => other.name), verbName(verb));
    }
  }, true);
}
