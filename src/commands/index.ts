// The verbs, and running one: its outcome printed by the one printer, its progress on the one
// display. The command line (src/cli.ts) and nothing else comes through here.
import { describeError, removeAllScratchNow } from '../normalize/index.js';
import { checkVerb } from './check.js';
import { compareVerb } from './compare.js';
import { digestVerb } from './digest.js';
import { normalizeVerb } from './normalize.js';
import { escapeLine, outputStyles, printOutcome } from './output.js';
import type { OutputFlags } from './output.js';
import { createProgress } from './progress.js';
import { rebuildVerb } from './rebuild.js';
import type { Verb } from './verb.js';
import { verifyVerb } from './verify.js';

export { DEFAULT_EPOCH } from '../normalize/index.js';
export { UsageError } from '../settings/index.js';
export type { Verb } from './verb.js';
export { survivePipes } from './output.js';
export { collectDeadBuffers } from './dead-buffers.js';

/** Every verb, the default one (normalize) first. */
export const verbs: readonly Verb<never>[] = [normalizeVerb, checkVerb, compareVerb, digestVerb, verifyVerb, rebuildVerb] as readonly Verb<never>[];

/** Runs a verb with its parsed flags, prints what it says, and resolves to its exit code. */
export async function runVerb<Flags>(verb: Verb<Flags>, flags: Flags & Partial<OutputFlags>): Promise<number> {
  const output = { json: flags.json ?? false, quiet: flags.quiet ?? false };
  const progress = createProgress(output);
  const outcome = await verb.run({ ...flags, ...output }, { styles: outputStyles(), progress });
  progress.stop();
  await printOutcome(outcome, output);
  return outcome.exitCode;
}

/** The one line printed for a failure that reached the top: no stack trace. */
export function failureLine(error: unknown): string {
  return escapeLine(`reprodist: ${describeError(error)}`);
}

/**
 * Ctrl-C or a polite kill: removes this run's scratch files (originals are only ever replaced by an
 * atomic rename, so they are whole either way), then ends the process by the same signal, its default
 * action now, as shells expect (they report 128+N: 130, 143). Not process.exit(): exit() waits for
 * libuv's threads, and one blocked in a system call (an open that waits for a FIFO's writer, a read
 * of a hung network file system) would make it wait for ever; a signal's default action does not.
 */
export function exitOnSignals(): void {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      removeAllScratchNow();
      process.stderr.write(`reprodist: interrupted (${signal}); originals are untouched or fully replaced, scratch files removed\n`);
      // `once` removed the listener, so the signal's disposition is the default again: it ends the process.
      process.kill(process.pid, signal);
    });
  }
}
