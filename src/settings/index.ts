// Settings: the one place where the epoch (with `git`), the mtime policy, the level, the threads,
// keep-compression and the paths are resolved, for every verb and for the library API. Given values
// (flags, library options) win over [tool.reprodist] in pyproject.toml, which wins over the
// defaults; for the epoch, SOURCE_DATE_EPOCH sits between the flag and the file.
import { execFileSync } from 'node:child_process';
import { DEFAULT_EPOCH, checkEpoch, defaultJobs } from '../normalize/index.js';
import type { MtimePolicy, NormalizeOptions } from '../normalize/index.js';
import { UsageError } from './errors.js';
import { loadProjectConfig } from './pyproject.js';
import type { ProjectConfig } from './pyproject.js';

export { ConfigError, UsageError } from './errors.js';
export { artefactsIn, resolveArtefacts, DEFAULT_DIST_DIR } from './paths.js';
export type { Artefact, ResolvedArtefacts } from './paths.js';
export { findPyproject, loadProjectConfig } from './pyproject.js';
export type { ProjectConfig } from './pyproject.js';

/** Values given on the command line or to the library; undefined means "not given". */
export interface GivenSettings {
  paths?: readonly string[];
  /** Seconds since 1970 (a number or its digits), or `git`. */
  epoch?: string | number;
  mtime?: string;
  level?: number;
  jobs?: number;
  keepCompression?: boolean;
}

export interface Settings {
  options: NormalizeOptions;
  jobs: number;
  /** The paths given, else the file's `paths`, else none (which means dist/). */
  paths: string[];
  config: ProjectConfig;
}

export interface SettingsContext {
  /** Where the nearest pyproject.toml is looked for, and where `git` reads HEAD. */
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}

/** Given values over pyproject.toml over defaults. Throws UsageError or ConfigError, one line each. */
export function resolveSettings(given: GivenSettings, context: SettingsContext = {}): Settings {
  const cwd = context.cwd ?? process.cwd();
  const config = loadProjectConfig(cwd);
  const level = given.level ?? config.level;
  const jobs = given.jobs ?? config.jobs ?? defaultJobs();
  if (level !== undefined && (!Number.isInteger(level) || level < 1 || level > 9)) throw new UsageError(`level: expected 1 to 9, got ${JSON.stringify(level)}`);
  if (!Number.isInteger(jobs) || jobs < 1) throw new UsageError(`jobs: expected a whole number of at least 1, got ${JSON.stringify(jobs)}`);
  return {
    options: {
      epoch: resolveEpoch(given.epoch, config, { cwd, env: context.env ?? process.env }),
      mtime: resolveMtime(given.mtime ?? config.mtime),
      ...(level !== undefined ? { level } : {}),
      keepCompression: given.keepCompression ?? config.keepCompression ?? false,
    },
    jobs,
    paths: resolvePaths(given.paths, config),
    config,
  };
}

/** The paths given, else [tool.reprodist] paths, else none (which means dist/). */
export function resolvePaths(given: readonly string[] | undefined, config: ProjectConfig = loadProjectConfig()): string[] {
  return given && given.length > 0 ? [...given] : config.paths ?? [];
}

function resolveMtime(value: string | undefined): MtimePolicy {
  if (value === undefined) return 'epoch';
  if (value === 'epoch' || value === 'clamp') return value;
  throw new UsageError(`mtime: expected "epoch" or "clamp", got ${JSON.stringify(value)}`);
}

/**
 * The epoch: the given one, else SOURCE_DATE_EPOCH (whole seconds only, as the specification says),
 * else pyproject.toml's, else DEFAULT_EPOCH. `git` (given or in the file) means the committer time
 * of HEAD in `cwd`.
 */
export function resolveEpoch(given: string | number | undefined, config: ProjectConfig, context: Required<SettingsContext>): number {
  const fromEnv = context.env.SOURCE_DATE_EPOCH;
  const [value, source, gitAllowed] =
    given !== undefined ? [String(given), '--epoch', true]
    : fromEnv !== undefined && fromEnv !== '' ? [fromEnv, 'SOURCE_DATE_EPOCH', false]
    : config.epoch !== undefined ? [String(config.epoch), `${config.source} [tool.reprodist] epoch`, true]
    : [undefined, 'default', false];
  if (value === undefined) return DEFAULT_EPOCH;
  if (value === 'git' && gitAllowed) return gitCommitTime(source, context.cwd);
  if (!/^\d+$/.test(value.trim())) throw new UsageError(`${source}: expected whole seconds since 1970${gitAllowed ? ' or "git"' : ''}, got ${JSON.stringify(value)}`);
  try {
    return checkEpoch(Number(value.trim()), source);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

function gitCommitTime(source: string, cwd: string): number {
  let out: string;
  try {
    out = execFileSync('git', ['log', '-1', '--format=%ct', 'HEAD'], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    // git's own reason (not a repository, no commits, dubious ownership...), not a guess.
    const reason = String((error as { stderr?: unknown }).stderr ?? '').trim().split('\n').find((line) => line.trim() !== '');
    throw new UsageError(`${source} git: cannot read the commit time of HEAD${reason ? `: ${reason.replace(/^fatal: /, '')}` : ' (is git installed?)'}`);
  }
  return checkEpoch(Number(out.trim()), `${source} git`);
}
