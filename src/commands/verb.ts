// The one shape of every verb: its yargs command and options, and a run that returns an Outcome,
// which src/commands/index.ts prints. A verb never prints itself.
import type { Argv } from 'yargs';
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
