// What the normalize and check verbs share: turning flags into options, and printing results.
import { execFileSync } from 'node:child_process';
import { checkEpoch, DEFAULT_EPOCH } from '../normalize/options.js';
import type { MtimePolicy, NormalizeOptions } from '../normalize/options.js';
import type { ArtefactResult } from '../normalize/artefact.js';
import { createDeflatePool, defaultJobs } from '../formats/deflate/index.js';
import { ProgressBars, progressWanted } from './progress.js';
import { loadProjectConfig } from '../config.js';
import type { ProjectConfig } from '../config.js';

/** Flags as parsed; undefined means "not given", so that pyproject.toml and defaults can apply. */
export interface CommonFlags {
  paths: string[];
  epoch?: string;
  mtime?: MtimePolicy;
  level?: number;
  keepCompression?: boolean;
  /** Compression threads; 1 compresses on the main thread. */
  jobs?: number;
  json: boolean;
  quiet: boolean;
}

/** A problem with the command line or environment: exit 2 with this one line. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/**
 * The epoch: --epoch, else SOURCE_DATE_EPOCH, else pyproject.toml's, else DEFAULT_EPOCH.
 * `git` (flag or file) means the committer time of HEAD.
 */
export function resolveEpoch(flag: string | undefined, config: ProjectConfig = {}, env: NodeJS.ProcessEnv = process.env): number {
  const fromEnv = env.SOURCE_DATE_EPOCH !== undefined && env.SOURCE_DATE_EPOCH !== '' ? env.SOURCE_DATE_EPOCH : undefined;
  const [value, source] =
    flag !== undefined ? [flag, '--epoch']
    : fromEnv !== undefined ? [fromEnv, 'SOURCE_DATE_EPOCH']
    : config.epoch !== undefined ? [String(config.epoch), `${config.source} [tool.reprodist] epoch`]
    : [undefined, 'default'];
  if (value === undefined) return DEFAULT_EPOCH;
  if (value === 'git') return gitCommitTime(source);
  if (!/^\d+$/.test(value.trim())) throw new UsageError(`${source}: expected whole seconds since 1970 or "git", got ${JSON.stringify(value)}`);
  try {
    return checkEpoch(Number(value.trim()), source);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

function gitCommitTime(source: string): number {
  let out: string;
  try {
    out = execFileSync('git', ['log', '-1', '--format=%ct', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch {
    throw new UsageError(`${source} git: cannot read the commit time of HEAD (not a git checkout, or no commits)`);
  }
  return checkEpoch(Number(out.trim()), `${source} git`);
}

export interface Settings {
  options: NormalizeOptions;
  jobs: number;
  paths: string[];
}

/** Flags over pyproject.toml over defaults (SOURCE_DATE_EPOCH between flag and file for the epoch). */
export function resolveSettings(flags: CommonFlags, config: ProjectConfig = loadProjectConfig()): Settings {
  const level = flags.level ?? config.level;
  const jobs = flags.jobs ?? config.jobs ?? defaultJobs();
  if (level !== undefined && (!Number.isInteger(level) || level < 1 || level > 9)) throw new UsageError(`level: expected 1 to 9, got ${level}`);
  if (!Number.isInteger(jobs) || jobs < 1) throw new UsageError(`jobs: expected a whole number of at least 1, got ${jobs}`);
  return {
    options: {
      epoch: resolveEpoch(flags.epoch, config),
      mtime: flags.mtime ?? config.mtime ?? 'epoch',
      ...(level !== undefined ? { level } : {}),
      keepCompression: flags.keepCompression ?? config.keepCompression ?? false,
    },
    jobs,
    paths: flags.paths.length > 0 ? flags.paths : config.paths ?? [],
  };
}

/**
 * Runs `work` on every file with compression on `jobs` threads (a pool only when jobs > 1) and, when
 * there are threads to spare, two artefacts at a time so that reading and verifying one overlaps
 * compressing the other. Results come back in the order of `files`; bars on a terminal.
 */
export async function processFiles(
  files: readonly string[],
  options: NormalizeOptions,
  jobs: number,
  flags: Pick<CommonFlags, 'json' | 'quiet'>,
  work: (file: string, options: NormalizeOptions) => Promise<ArtefactResult>,
): Promise<ArtefactResult[]> {
  const pool = jobs > 1 ? createDeflatePool(jobs) : undefined;
  const bars = new ProgressBars(progressWanted(flags));
  const shared = pool ? { ...options, compressor: pool.compress, blocksInFlight: pool.blocksInFlight } : options;
  const results: ArtefactResult[] = new Array(files.length);
  let next = 0;
  const lane = async () => {
    for (let i = next++; i < files.length; i = next++) {
      const { report, finish } = bars.reporter(files[i]!);
      results[i] = await work(files[i]!, report ? { ...shared, onProgress: report } : shared);
      finish();
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(files.length, jobs > 1 ? 2 : 1) }, lane));
  } finally {
    bars.stop();
    await pool?.close();
  }
  return results;
}

const PAD = 11;

/** Human lines for one result: a status word, the file, and for changes an indented list. */
export function describeResult(result: ArtefactResult): string[] {
  const head = `${result.status.replace('-', ' ').padEnd(PAD)}${result.path}`;
  if (result.message) return [`${head}: ${result.message}`];
  const lines = [result.output && result.output !== result.path ? `${head} -> ${result.output}` : head];
  for (const change of result.changes) {
    const count = change.count > 1 ? ` (${change.count})` : '';
    lines.push(`${' '.repeat(PAD)}${change.field}${count}: ${change.examples.join(', ')}${change.count > change.examples.length ? ', ...' : ''}`);
  }
  for (const problem of result.problems) lines.push(`${' '.repeat(PAD)}problem: ${problem}`);
  return lines;
}

export interface Report {
  command: string;
  epoch: number;
  results: ArtefactResult[];
  problems: string[];
  exitCode: number;
}

/** Prints a report: JSON on stdout, or human lines (problems and failures on stderr). */
export function printReport(report: Report, flags: Pick<CommonFlags, 'json' | 'quiet'>): void {
  if (flags.json) {
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    return;
  }
  for (const problem of report.problems) process.stderr.write(`reprodist: ${problem}\n`);
  for (const result of report.results) {
    const failed = result.status === 'refused' || result.status === 'error';
    if (flags.quiet && !failed) continue;
    const lines = describeResult(result);
    (failed ? process.stderr : process.stdout).write(`${lines.join('\n')}\n`);
  }
}
