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

/** The option names and aliases a yargs instance has been given (yargs keeps them; its types do not say so). */
function declaredNames(y: Argv): Set<string> {
  const { key, alias } = (y as unknown as { getOptions(): { key: Record<string, unknown>; alias: Record<string, string[]> } }).getOptions();
  return new Set([...Object.keys(key), ...Object.values(alias).flat()]);
}

/** The positionals of a verb's command (`[paths..]`, `<a>`), and whether each takes many (`..`). */
function positionals(verb: Verb<never>): { name: string; variadic: boolean }[] {
  return [verb.command].flat().flatMap((command) => [...command.matchAll(/[<[](\w+)(\.\.)?[>\]]/g)].map((m) => ({ name: m[1]!, variadic: m[2] !== undefined })));
}

/** A verb's own flags, as its options() declares them: names and aliases, not its positionals. */
function ownFlags(verb: Verb<never>): Set<string> {
  const names = new Set(positionals(verb).map((p) => p.name));
  return new Set([...declaredNames(verb.options(yargs([])))].filter((name) => !names.has(name)));
}

/**
 * Declares `verb`'s options on `y`, and refuses, before yargs would call it an unknown argument, a
 * flag that only other verbs declare: `compare --out x` says `--out acts only on normalize`. Read
 * from every verb's own options(), so a new verb or flag needs nothing here.
 */
export function declareVerbOptions(y: Argv, verb: Verb<never>, verbs: readonly Verb<never>[]): Argv {
  let declared = verb.options(y);
  // yargs knows a variadic positional is a list only under its verb's name, not when the default
  // verb's help is the top-level one (which then said [string] where `normalize --help` said [array]).
  for (const { name } of positionals(verb).filter((p) => p.variadic)) declared = declared.array(name);
  return declared.middleware((argv) => {
    const own = declaredNames(declared);
    // yargs adds the camelCase twin of every --kebab-case name it sees.
    const kebab = (key: string) => key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
    if (Object.keys(argv).every((key) => key === '_' || key === '$0' || own.has(kebab(key)))) return;
    const others = verbs.filter((other) => other !== verb).map((other) => [verbName(other), ownFlags(other)] as const);
    for (const [, flags] of others) {
      for (const flag of flags) {
        if (own.has(flag) || argv[flag] === undefined) continue;
        throw actsOnlyOn(spelled(flag, argv[flag]), others.filter(([, f]) => f.has(flag)).map(([name]) => name), verbName(verb));
      }
    }
  }, true);
}
