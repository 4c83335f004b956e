// `reprodist verify [LOCAL...]`: exit 0 when every source has byte-identical files, 1 when any
// differs (explained as compare explains it), 2 when a source is missing, unreachable or fails.
import { BYTES, EPOCH, HTTP_URL, LEVEL, MTIME, SECONDS, UsageError, flagValue } from '../settings/index.js';
// The defaults only: the network and build code is loaded when verify runs, not for every verb.
import { DEFAULT_BUILD_COMMAND, DEFAULT_INDEX_URL, DEFAULT_MAX_BYTES, DEFAULT_TIMEOUT_MS } from '../verify/defaults.js';
import type { DownloadProgress, SourceCheck, Verification, VerifyOptions } from '../verify/index.js';
import type { Outcome, OutputLines, Style } from './output.js';
import { indented, problemLines, summarize } from './output.js';
import { renderPair } from './render.js';
import { reportOptions, writeReports } from './reports.js';
import { hideNormalFormFlags, refuseNormalFormFlags } from './verb.js';
import type { Verb } from './verb.js';

export interface VerifyFlags {
  local: string[];
  against: string[];
  pypi: string[];
  indexUrl: string;
  build: boolean;
  buildCommand: string;
  /** Seconds, or `git`. */
  epoch?: number | 'git';
  mtime?: 'epoch' | 'clamp';
  level?: number;
  /** Seconds. */
  timeout: number;
  /** Bytes. */
  maxSize: number;
  verbose: boolean;
}

export function verifyOptionsFromFlags(flags: VerifyFlags): VerifyOptions {
  // They settle how the rebuild is normalized: without --build there is no rebuild.
  const buildOnly = (['epoch', 'mtime', 'level'] as const).filter((flag) => flags[flag] !== undefined);
  if (!flags.build && buildOnly.length > 0) throw new UsageError(`--${buildOnly[0]} acts only with --build (how the rebuild is normalized); downloads are compared as they are`);
  return {
    local: flags.local,
    against: asList(flags.against),
    pypi: asList(flags.pypi),
    indexUrl: flags.indexUrl,
    build: flags.build,
    buildCommand: flags.buildCommand,
    timeoutMs: flags.timeout * 1000,
    maxBytes: flags.maxSize,
    ...(flags.epoch !== undefined ? { epoch: flags.epoch } : {}),
    ...(flags.mtime !== undefined ? { mtime: flags.mtime } : {}),
    ...(flags.level !== undefined ? { level: flags.level } : {}),
  };
}

/** Sources in order, each with its checks: differences explained as compare explains them. */
function verificationOutcome(result: Verification, styles: { out: Style; err: Style }, verbose: boolean): Outcome {
  const text: OutputLines[] = problemLines(result.problems);
  const { out, err } = styles;
  for (const source of result.sources) {
    const { labels } = source;
    const about = source.kind === 'build' && source.commit
      ? ` (clean clone of ${source.commit.slice(0, 12)}, SOURCE_DATE_EPOCH=${source.commitTime}, normalized with epoch ${source.epoch})`
      : '';
    text.push({ stream: 'out', wrong: false, lines: [`${out.bold(source.source)}${about}`] });
    for (const check of result.results.filter((c) => c.source === source.source)) {
      const failed = check.status !== 'identical' && check.status !== 'differs';
      const lines = failed ? [failureLine(check, err)] : renderPair(check.comparison!, out, labels, check.name, verbose);
      text.push({ stream: failed ? 'err' : 'out', wrong: check.status !== 'identical', lines: indented('  ', lines) });
    }
    const unmatched = summarize('not checked (no local file of that name)', source.unmatched, verbose);
    if (source.unmatched.length > 0) text.push({ stream: 'out', wrong: false, lines: indented('  ', unmatched, (line) => out.dim(line)) });
  }
  return { exitCode: result.exitCode, json: result, text };
}

function failureLine(check: SourceCheck, style: Style): string {
  return `${style.red(`${check.status} `.padEnd(11))}${check.name}: ${check.message ?? ''}`;
}

function describeProgress(progress: DownloadProgress & { name: string }): string {
  const mib = (bytes: number) => `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
  const total = progress.total ? ` / ${mib(progress.total)} (${Math.floor((100 * progress.received) / progress.total)}%)` : '';
  return `downloading ${progress.name}  ${mib(progress.received)}${total}`;
}

/** A repeatable option's values: yargs gives one string, or an array when it was repeated. */
function asList(value: string | string[] | undefined): string[] {
  return value === undefined ? [] : [value].flat();
}

export const verifyVerb: Verb<VerifyFlags> = {
  command: 'verify [local..]',
  describe: 'check that local artefacts are byte-identical to remote ones (--against, --pypi) or to a rebuild from a clean clone (--build); exit 0 identical, 1 differ, 2 missing or unreachable',
  options: (y) =>
    reportOptions(hideNormalFormFlags(y))
      .positional('local', { type: 'string', array: true, default: [] as string[], describe: 'local artefacts, directories or globs (default: dist/)' })
      // Repeated, not `array: true`, which would swallow the LOCAL paths that follow.
      .option('against', { type: 'string', coerce: (value: unknown) => asList(value as string | string[]).map(flagValue(HTTP_URL, '--against')), describe: 'a URL prefix: URL/<file name> is fetched for each local file (repeatable)' })
      .option('pypi', { type: 'string', coerce: asList, describe: 'a release NAME==VERSION: its files come from the JSON API of --index-url, checked against the sha256 it states' })
      .option('index-url', { type: 'string', default: DEFAULT_INDEX_URL, coerce: flagValue(HTTP_URL, '--index-url'), describe: 'the index whose /pypi/NAME/VERSION/json lists the release files' })
      .option('build', { type: 'boolean', default: false, describe: 'build from a clean clone of HEAD with SOURCE_DATE_EPOCH at the commit time, normalize, and compare' })
      .option('build-command', { type: 'string', default: DEFAULT_BUILD_COMMAND, describe: 'run with sh -c in the clone; must leave the sdist and wheel in dist/' })
      .option('epoch', { type: 'string', coerce: flagValue(EPOCH, '--epoch'), describe: '--build: the epoch to normalize with, seconds or "git" (default: the commit time)' })
      .option('mtime', { type: 'string', choices: ['epoch', 'clamp'] as const, coerce: flagValue(MTIME, '--mtime'), describe: "--build: mtime policy (default: the project's [tool.reprodist], else epoch)" })
      .option('level', { type: 'string', coerce: flagValue(LEVEL, '--level'), describe: "--build: deflate level (default: the project's [tool.reprodist], else 9 for sdists and 6 for wheels)" })
      .option('timeout', { type: 'string', default: DEFAULT_TIMEOUT_MS / 1000, coerce: flagValue(SECONDS, '--timeout'), describe: 'seconds to wait for a connection, a response or the next bytes' })
      .option('max-size', { type: 'string', default: `${DEFAULT_MAX_BYTES / 1024 ** 3}GiB`, coerce: flagValue(BYTES, '--max-size'), describe: 'largest download accepted (e.g. 500MiB)' }),
  async run(flags, { styles, progress }) {
    refuseNormalFormFlags('verify', flags);
    const options = verifyOptionsFromFlags(flags);
    options.onProgress = (p) => progress.status(describeProgress(p));
    options.onStep = (message) => progress.status(message);
    const { verify } = await import('../verify/index.js');
    let result: Verification;
    try {
      result = await verify(options);
    } finally {
      progress.stop();
    }
    await writeReports(flags, result);
    return verificationOutcome(result, styles, flags.verbose);
  },
};
