// What the normalize and check verbs share: turning flags into options, and printing results.
import { execFileSync } from 'node:child_process';
import { checkEpoch, DEFAULT_EPOCH, DEFAULT_LEVEL } from '../normalize/options.js';
import type { MtimePolicy, NormalizeOptions } from '../normalize/options.js';
import type { ArtefactResult } from '../normalize/artefact.js';
import { createDeflatePool } from '../formats/deflate-pool.js';

export interface CommonFlags {
  epoch?: string;
  mtime: MtimePolicy;
  level: number;
  keepCompression: boolean;
  json: boolean;
  quiet: boolean;
  /** Compression threads; 1 compresses on the main thread. */
  jobs: number;
}

/** A problem with the command line or environment: exit 2 with this one line. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** --epoch, else SOURCE_DATE_EPOCH, else DEFAULT_EPOCH. `git` means the commit time of HEAD. */
export function resolveEpoch(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): number {
  const [value, source] = flag !== undefined ? [flag, '--epoch'] : env.SOURCE_DATE_EPOCH !== undefined && env.SOURCE_DATE_EPOCH !== '' ? [env.SOURCE_DATE_EPOCH, 'SOURCE_DATE_EPOCH'] : [undefined, 'default'];
  if (value === undefined) return DEFAULT_EPOCH;
  if (value === 'git') return gitCommitTime();
  if (!/^\d+$/.test(value.trim())) throw new UsageError(`${source}: expected whole seconds since 1970 or "git", got ${JSON.stringify(value)}`);
  try {
    return checkEpoch(Number(value.trim()), source);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

function gitCommitTime(): number {
  let out: string;
  try {
    out = execFileSync('git', ['log', '-1', '--format=%ct', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch {
    throw new UsageError('--epoch git: cannot read the commit time of HEAD (not a git checkout, or no commits)');
  }
  return checkEpoch(Number(out.trim()), '--epoch git');
}

export function resolveOptions(flags: CommonFlags): NormalizeOptions {
  if (!Number.isInteger(flags.level) || flags.level < 1 || flags.level > 9) throw new UsageError(`--level: expected 1 to 9, got ${flags.level}`);
  if (!Number.isInteger(flags.jobs) || flags.jobs < 1) throw new UsageError(`--jobs: expected a whole number of at least 1, got ${flags.jobs}`);
  return { epoch: resolveEpoch(flags.epoch), mtime: flags.mtime, level: flags.level ?? DEFAULT_LEVEL, keepCompression: flags.keepCompression };
}

/** Runs `work` with options whose compression uses `jobs` threads (a pool only when jobs > 1). */
export async function withCompression<T>(options: NormalizeOptions, jobs: number, work: (options: NormalizeOptions) => Promise<T>): Promise<T> {
  if (jobs <= 1) return work(options);
  const pool = createDeflatePool(jobs);
  try {
    return await work({ ...options, compressor: pool.compress, blocksInFlight: pool.blocksInFlight });
  } finally {
    await pool.close();
  }
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
