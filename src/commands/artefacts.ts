// What normalize and check share: the settings options, running a handler over every artefact the
// paths name, and the report and lines for the results.
import type { Argv } from 'yargs';
import { DEFAULT_EPOCH, DEFAULT_LEVEL, DEFAULT_WHEEL_LEVEL, defaultJobs, runBatch } from '../normalize/index.js';
import type { ArtefactResult, BatchDisplay, NormalizeOptions } from '../normalize/index.js';
import { ConfigError, EPOCH, JOBS, LEVEL, MTIME, UsageError, flagValue, resolveArtefacts, resolveSettings } from '../settings/index.js';
import type { Artefact, Settings } from '../settings/index.js';
import type { ArtefactFlags, Report } from './documents.js';
import type { Outcome, OutputLines } from './output.js';
import { indented, problemLines, summarize, summarizeChange } from './output.js';
import { afterPhase } from './dead-buffers.js';

/** The positional paths and the options that settle the normal form. */
export function settingOptions(y: Argv): Argv {
  return y
    .positional('paths', { type: 'string', array: true, default: [] as string[], describe: 'artefacts, directories or globs (default: dist/)' })
    .option('epoch', { type: 'string', coerce: flagValue(EPOCH, '--epoch'), describe: `seconds since 1970, or "git" for HEAD's commit time (default: $SOURCE_DATE_EPOCH, else ${DEFAULT_EPOCH})` })
    .option('mtime', { type: 'string', choices: ['epoch', 'clamp'] as const, coerce: flagValue(MTIME, '--mtime'), describe: 'epoch (default): every mtime becomes the epoch; clamp: keep mtimes older than the epoch' })
    .option('level', { type: 'string', coerce: flagValue(LEVEL, '--level'), describe: `deflate level, 1-9 (default: ${DEFAULT_LEVEL} for sdists, ${DEFAULT_WHEEL_LEVEL} for wheels)` })
    .option('jobs', { alias: 'j', type: 'string', coerce: flagValue(JOBS, '--jobs'), describe: `compression threads (default and most: the number of cores, ${defaultJobs()} here; each beyond the first costs about 12-18 MiB, docs/limits.md); the bytes do not depend on it` });
}

type ArtefactWork = (artefact: Artefact, options: NormalizeOptions) => Promise<ArtefactResult>;

/**
 * Resolves the settings, expands the paths and runs `work` over every artefact. Settings that
 * cannot be used (a bad value, a broken [tool.reprodist]) and a `prepare` that refuses the run are
 * the report's one problem, before anything is read or written: the report is then all there is.
 */
export async function runOverArtefacts(
  command: Report['command'],
  flags: ArtefactFlags,
  prepare: (artefacts: Artefact[], settings: Settings) => Promise<void>,
  work: ArtefactWork,
  display?: BatchDisplay,
): Promise<Report> {
  let settings: Settings;
  let resolved;
  try {
    settings = resolveSettings(flags);
    resolved = await resolveArtefacts(settings.paths);
    await prepare(resolved.artefacts, settings);
  } catch (error) {
    if (error instanceof UsageError || error instanceof ConfigError) return { command, results: [], problems: [error.message], exitCode: 2 };
    throw error;
  }
  const results = await runBatch(resolved.artefacts, { ...settings.options, phaseDone: afterPhase }, settings.jobs, work, display);
  const failed = resolved.problems.length > 0 || results.some(isFailure);
  const exitCode = failed ? 2 : results.some((r) => r.status === 'not-normal') ? 1 : 0;
  return { command, epoch: settings.options.epoch, results, problems: resolved.problems, exitCode };
}

export function isFailure(result: ArtefactResult): boolean {
  return result.status === 'refused' || result.status === 'error';
}

const PAD = 11;

/** Human lines for one result: a status word, the file, and for changes an indented summary of each list. */
export function* describeResult(result: ArtefactResult, verbose = false): Generator<string> {
  const head = `${result.status.replace('-', ' ').padEnd(PAD)}${result.path}`;
  if (result.message) return yield `${head}: ${result.message}`;
  yield result.output && result.output !== result.path ? `${head} -> ${result.output}` : head;
  const indent = ' '.repeat(PAD);
  for (const change of result.changes) yield* indented(indent, summarizeChange(change.field, change, verbose));
  yield* indented(indent, summarize('problem', result.problems, verbose));
  yield* indented(indent, summarize('note', result.notes ?? [], verbose));
}

/** The report as an Outcome: failures on stderr; `wrong` also marks what check fails on. */
export function reportOutcome(report: Report, verbose = false): Outcome {
  const text: OutputLines[] = problemLines(report.problems);
  for (const result of report.results) {
    const failed = isFailure(result);
    text.push({ stream: failed ? 'err' : 'out', wrong: failed || result.status === 'not-normal', lines: describeResult(result, verbose) });
  }
  return { exitCode: report.exitCode, json: report, text };
}
