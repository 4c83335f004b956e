// The one shape of every verb: its yargs command and options, and a run that returns an Outcome,
// which src/commands/index.ts prints. A verb never prints itself.
import type { Argv } from 'yargs';
import { UsageError } from '../settings/index.js';
import type { Outcome, OutputFlags, Style } from './output.js';
import type { ProgressDisplay } from './progress.js';

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
    if ((flags as Record<string, unknown>)[camel] !== undefined) {
      const name = (flags as Record<string, unknown>)[camel] === false ? `--no-${flag}` : `--${flag}`;
      throw new UsageError(`${name} acts only on normalize and check, not on ${verb} (see reprodist ${verb} --help)`);
    }
  }
}
