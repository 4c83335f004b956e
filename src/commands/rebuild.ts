// `reprodist rebuild NAME==VERSION`: rebuild a published release from its sdist (or its source
// repository) as a third party would, and judge each published file: identical, reproduced,
// tool-metadata, differs, not-rebuilt. Exit 0 when every rebuilt file is identical or reproduced, 1
// when any is tool-metadata or differs, 2 when nothing could be rebuilt.
import { BYTES, POSITIVE_COUNT, SECONDS, UsageError, flagValue } from '../settings/index.js';
// The defaults only: the network and build code is loaded when rebuild runs, not for every verb.
import { DEFAULT_ATTEMPTS, DEFAULT_BUILD_TIMEOUT_MS, DEFAULT_INDEX_URL, DEFAULT_MAX_BYTES, DEFAULT_TIMEOUT_MS } from '../verify/defaults.js';
import type { FileVerdict, PublishedFile, RebuildOptions, ReleaseRebuild, RebuildListReport, recipeSummary } from '../verify/index.js';
import type { Outcome, OutputLines, Style } from './output.js';
import { indented, problemLines } from './output.js';
import { explainPair } from './render.js';
import { reportOptions, writeReports } from './reports.js';
import { hideNormalFormFlags, refuseNormalFormFlags } from './verb.js';
import type { Verb } from './verb.js';

export interface RebuildFlags {
  release?: string;
  indexUrl: string;
  files?: string;
  source?: string;
  ref?: string;
  python?: string;
  attempts: number;
  recipe?: string;
  saveRecipe?: string;
  attest?: string;
  html?: string;
  list?: string;
  results?: string;
  jobs: number;
  buildTimeout: number;
  timeout: number;
  /** Bytes. */
  maxSize: number;
  verbose: boolean;
}

const PAD = 15;

function optionsFromFlags(flags: RebuildFlags): Omit<RebuildOptions, 'release'> {
  return {
    indexUrl: flags.indexUrl,
    attempts: flags.attempts,
    buildTimeoutMs: flags.buildTimeout * 1000,
    timeoutMs: flags.timeout * 1000,
    maxBytes: flags.maxSize,
    ...defined({ files: flags.files, source: flags.source, ref: flags.ref, python: flags.python, recipe: flags.recipe, saveRecipe: flags.saveRecipe }),
  };
}

function defined<T extends Record<string, string | undefined>>(values: T): Partial<Record<keyof T, string>> {
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined)) as Partial<Record<keyof T, string>>;
}

function verdictStyle(verdict: FileVerdict, style: Style): (text: string) => string {
  if (verdict === 'identical' || verdict === 'reproduced') return style.green;
  if (verdict === 'tool-metadata') return style.yellow;
  return style.red;
}

/**
 * The human report of one release: the recipe (told by `summary`, which comes with the rebuild's code),
 * every attempt, then a verdict per published file.
 */
function releaseLines(result: ReleaseRebuild, summary: typeof recipeSummary, styles: { out: Style; err: Style }, verbose: boolean): OutputLines[] {
  const { out, err } = styles;
  const text: OutputLines[] = problemLines(result.problems.map((problem) => `${result.name} ${result.version}: ${problem}`));
  const head = [`${out.bold(`${result.name} ${result.version}`)} from ${result.index}${result.uploadTime ? ` (uploaded ${result.uploadTime})` : ''}`];
  const recipe = result.recipe;
  if (recipe) {
    head.push(`recipe: ${summary(recipe, result.source)}`);
    head.push(...recipe.evidence.map((line) => out.dim(`  ${line}`)));
    if (result.sourceSkipped) head.push(`not built from the repository: ${result.sourceSkipped}`);
  }
  text.push({ stream: 'out', wrong: false, lines: head });
  for (const attempt of result.attempts) {
    const pins = Object.entries(attempt.pins).map(([p, v]) => `${p} ${v}`).join(', ') || 'nothing pinned';
    const installed = Object.entries(attempt.installed).map(([p, v]) => `${p} ${v}`).join(', ');
    const verdicts = Object.entries(attempt.verdicts).map(([name, v]) => `${name} ${v}`).join(', ');
    const lines = [`attempt ${attempt.number} (${attempt.route} route): ${pins} on Python ${attempt.python}: ${attempt.status === 'failed' ? err.red(`failed: ${attempt.message}`) : verdicts || 'built nothing to compare'}`];
    if (installed) lines.push(out.dim(`  build environment: ${installed}`));
    if (attempt.logTail) lines.push(...attempt.logTail.map((line) => out.dim(`  | ${line}`)));
    text.push({ stream: attempt.status === 'failed' ? 'err' : 'out', wrong: attempt.status === 'failed', lines });
  }
  for (const file of result.results) text.push(fileLines(file, styles, verbose));
  return text;
}

function fileLines(file: PublishedFile, styles: { out: Style; err: Style }, verbose: boolean): OutputLines {
  // Every verdict goes to stdout, in order with the attempts; failures show in the exit code.
  const style = styles.out;
  // Rebuilt by both routes: each route's verdict, the file's being the worse.
  const routes = Object.entries(file.routes ?? {});
  const from = file.attempt ? ` (attempt ${file.attempt}${routes.length > 1 ? `; ${routes.map(([route, verdict]) => `${route} route ${verdict}`).join(', ')}` : ''})` : '';
  const lines = [`${verdictStyle(file.verdict, style)(file.verdict.padEnd(PAD))}${file.name}${from}${file.message ? `: ${file.message}` : ''}`];
  if (file.verdict === 'reproduced') lines.push(`  equal once both are normalized (sha256 ${file.normalizedSha256})`);
  if (file.toolFiles.length > 0) lines.push(`  files the build tools write differ: ${file.toolFiles.join(', ')}`);
  if (file.projectFiles.length > 0) lines.push(style.red(`  project files differ: ${file.projectFiles.join(', ')}`));
  lines.push(...file.notes.map((note) => `  ${note}`));
  if (file.verdict === 'differs' || (verbose && file.verdict === 'tool-metadata')) {
    // What renderPair explains under its status line (the file's verdict stands for that line here).
    if (file.comparison!.status === 'differs') for (const line of indented('  ', explainPair(file.comparison!, style, { a: 'published', b: 'rebuilt' }, verbose))) lines.push(line);
  }
  if (file.logTail) lines.push(...file.logTail.map((line) => style.dim(`  | ${line}`)));
  return { stream: 'out', wrong: file.verdict !== 'identical' && file.verdict !== 'reproduced', lines };
}

function listLines(report: RebuildListReport, styles: { out: Style; err: Style }): OutputLines[] {
  const text: OutputLines[] = problemLines(report.problems);
  const rows = Object.entries(report.summary).map(([verdict, count]) => `  ${verdict.padEnd(PAD)}${count}`);
  text.push({ stream: 'out', wrong: false, lines: [styles.out.bold(`${report.results.length} releases (${report.skipped} already done in ${report.resultsDir})`), ...rows] });
  for (const release of report.results.filter((r) => r.exitCode !== 0)) {
    text.push({ stream: 'out', wrong: true, lines: [`${release.release}: ${release.verdicts.join(', ') || release.problems.join('; ')}`] });
  }
  return text;
}

export const rebuildVerb: Verb<RebuildFlags> = {
  command: 'rebuild [release]',
  describe: 'rebuild a published release (NAME==VERSION) from its sdist or source repository in isolation, and judge each published file: identical, reproduced, tool-metadata, differs, not-rebuilt; exit 0 reproduced, 1 differs, 2 not rebuilt',
  options: (y) =>
    reportOptions(hideNormalFormFlags(y))
      .positional('release', { type: 'string', describe: 'the release, NAME==VERSION' })
      .option('index-url', { type: 'string', default: DEFAULT_INDEX_URL, describe: 'the index (PEP 691 JSON simple API and /pypi/NAME/VERSION/json), a file: URL or a directory of files' })
      .option('files', { type: 'string', describe: "a directory holding the release's files, standing for the index's (build requirements still come from --index-url)" })
      .option('source', { type: 'string', describe: "also build the sdist and the wheel from this repository (URL or path) at the release tag (default: the repository the sdist's Project-URL names)" })
      .option('ref', { type: 'string', describe: 'the ref of the repository to build (default: the one tag naming the version)' })
      .option('python', { type: 'string', describe: 'X.Y or an interpreter path (default: inferred from the wheel and the upload time)' })
      .option('attempts', { type: 'string', default: DEFAULT_ATTEMPTS, coerce: flagValue(POSITIVE_COUNT, '--attempts'), describe: 'candidate tool versions to try while only tool-written files differ' })
      .option('recipe', { type: 'string', describe: 'replay this recipe (TOML) instead of inferring one' })
      .option('save-recipe', { type: 'string', describe: 'write the recipe used (TOML) here' })
      .option('attest', { type: 'string', describe: 'write an in-toto Statement v1 of the verdicts here' })
      .option('list', { type: 'string', describe: 'a file of releases, one NAME==VERSION a line (with --results)' })
      .option('results', { type: 'string', describe: '--list: one JSON result per release here; releases with a result are skipped' })
      .option('jobs', { type: 'string', default: 1, coerce: flagValue(POSITIVE_COUNT, '--jobs'), describe: '--list: releases rebuilt at a time' })
      .option('build-timeout', { type: 'string', default: DEFAULT_BUILD_TIMEOUT_MS / 1000, coerce: flagValue(SECONDS, '--build-timeout'), describe: 'seconds one attempt (venv, installs, build) may take' })
      .option('timeout', { type: 'string', default: DEFAULT_TIMEOUT_MS / 1000, coerce: flagValue(SECONDS, '--timeout'), describe: 'seconds to wait for a connection, a response or the next bytes' })
      .option('max-size', { type: 'string', default: `${DEFAULT_MAX_BYTES / 1024 ** 3}GiB`, coerce: flagValue(BYTES, '--max-size'), describe: 'largest download accepted (e.g. 500MiB)' }),
  async run(flags, { styles, progress }) {
    refuseNormalFormFlags('rebuild', flags);
    const options = optionsFromFlags(flags);
    options.onStep = (message) => progress.status(message);
    const { rebuild, rebuildList, recipeSummary, writeAttestation } = await import('../verify/index.js');
    if (flags.list) {
      if (flags.release) throw new UsageError('give either a release or --list, not both');
      if (!flags.results) throw new UsageError('--list needs --results DIR (one result per release, to resume from)');
      if (!Number.isInteger(flags.jobs) || flags.jobs < 1) throw new UsageError(`--jobs: expected a whole number above 0, got ${flags.jobs}`);
      for (const single of ['attest', 'html', 'saveRecipe', 'recipe', 'ref', 'source'] as const) {
        if (flags[single] !== undefined) throw new UsageError(`--${single.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} acts on one release, not with --list`);
      }
      let report: RebuildListReport;
      try {
        report = await rebuildList(flags.list, flags.results, flags.jobs, options);
      } finally {
        progress.stop();
      }
      return { exitCode: report.exitCode, json: report, text: listLines(report, styles) };
    }
    if (!flags.release) throw new UsageError('give the release to rebuild, NAME==VERSION (or --list FILE)');
    let result: ReleaseRebuild;
    try {
      result = await rebuild({ ...options, release: flags.release });
    } finally {
      progress.stop();
    }
    const text = releaseLines(result, recipeSummary, styles, flags.verbose);
    await writeReports(flags, result);
    if (flags.attest) {
      await writeAttestation(flags.attest, result);
      text.push({ stream: 'out', wrong: false, lines: [styles.out.dim(`attestation written to ${flags.attest}`)] });
    }
    return { exitCode: result.exitCode, json: result satisfies object, text } satisfies Outcome;
  },
};
