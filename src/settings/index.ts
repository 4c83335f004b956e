// Settings: the one place where the epoch (with `git`), the mtime policy, the level, the threads,
// keep-compression and the paths are resolved, for every verb and for the library API. Given values
// (flags, library options) win over [tool.reprodist] in pyproject.toml, which wins over the
// defaults; for the epoch, SOURCE_DATE_EPOCH sits between the flag and the file. What each may hold
// is ./values.ts, read apart from this choice of source.
import { DEFAULT_EPOCH, defaultJobs } from '../normalize/index.js';
import type { MtimePolicy, NormalizeOptions } from '../normalize/index.js';
import { readCommitTime } from './commit-time.js';
import { loadProjectConfig } from './pyproject.js';
import type { ProjectConfig } from './pyproject.js';
import { BOOLEAN, EPOCH, EPOCH_SECONDS, JOBS, LEVEL, MTIME, readText, readValue } from './values.js';
import type { ValueRule } from './values.js';

export { readCommitTime } from './commit-time.js';
export { ConfigError, UsageError } from './errors.js';
export { artefactsIn, resolveArtefacts, DEFAULT_DIST_DIR } from './paths.js';
export type { Artefact, ResolvedArtefacts } from './paths.js';
export { SETTING_KEYS, loadProjectConfig } from './pyproject.js';
export type { ProjectConfig } from './pyproject.js';
export { BYTES, COUNT, EPOCH, HTTP_URL, JOBS, LEVEL, MTIME, POSITIVE_COUNT, SECONDS, flagValue } from './values.js';
export type { ValueRule } from './values.js';

/** Values given on the command line (parsed, see flagValue) or to the library; undefined means "not given". */
export interface GivenSettings {
  paths?: readonly string[];
  /** Seconds since 1970, or `git`. */
  epoch?: number | 'git';
  mtime?: MtimePolicy;
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
  /** Where SOURCE_DATE_EPOCH is read (default: this process's environment). */
  env?: NodeJS.ProcessEnv;
}

/** Given values over pyproject.toml over defaults. Throws UsageError or ConfigError, one line each. */
export function resolveSettings(given: GivenSettings, context: SettingsContext = {}): Settings {
  const cwd = context.cwd ?? process.cwd();
  const config = loadProjectConfig(cwd);
  // A given value is held to its rule here (the library's are not parsed before); the file's already were.
  const chosen = <T>(rule: ValueRule<T>, key: keyof GivenSettings & keyof ProjectConfig, fromFile: T | undefined): T | undefined =>
    given[key] !== undefined ? readValue(rule, given[key], key) : fromFile;
  const level = chosen(LEVEL, 'level', config.level);
  return {
    options: {
      epoch: resolveEpoch(given.epoch, config, cwd, context.env ?? process.env),
      mtime: chosen(MTIME, 'mtime', config.mtime) ?? 'epoch',
      ...(level !== undefined ? { level } : {}),
      keepCompression: chosen(BOOLEAN, 'keepCompression', config.keepCompression) ?? false,
    },
    jobs: chosen(JOBS, 'jobs', config.jobs) ?? defaultJobs(),
    paths: resolvePaths(given.paths, config),
    config,
  };
}

/** The paths given, else [tool.reprodist] paths, else none (which means dist/). */
export function resolvePaths(given: readonly string[] | undefined, config: ProjectConfig = loadProjectConfig()): string[] {
  return given && given.length > 0 ? [...given] : config.paths ?? [];
}

/**
 * The epoch: the given one, else SOURCE_DATE_EPOCH (whole seconds only, as the specification says),
 * else pyproject.toml's, else DEFAULT_EPOCH. `git` (given or in the file) means the committer time
 * of HEAD in `cwd`.
 */
function resolveEpoch(given: unknown, config: ProjectConfig, cwd: string, env: NodeJS.ProcessEnv): number {
  const fromEnv = env.SOURCE_DATE_EPOCH;
  const [epoch, source] =
    given !== undefined ? [readValue(EPOCH, given, 'epoch'), 'epoch']
    : fromEnv !== undefined && fromEnv !== '' ? [readText(EPOCH_SECONDS, fromEnv, 'SOURCE_DATE_EPOCH'), 'SOURCE_DATE_EPOCH']
    : config.epoch !== undefined ? [config.epoch, `${config.source} [tool.reprodist] epoch`]
    : [DEFAULT_EPOCH, 'default'];
  return epoch === 'git' ? readCommitTime(cwd, `${source} git`) : epoch;
}
