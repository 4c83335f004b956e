// The public library API: the same work as the CLI verbs (normalize, check, compare, digest, verify),
// returning structured results instead of printing. For normalize and check, settings not given here
// come from [tool.reprodist] in the nearest pyproject.toml, then SOURCE_DATE_EPOCH (for the epoch),
// then the defaults, exactly as on the command line.
import { runCheck } from './commands/check.js';
import { runNormalize } from './commands/normalize.js';
import type { CommonFlags, Report } from './commands/shared.js';
import type { MtimePolicy } from './normalize/options.js';

export type { ArtefactKind, ArtefactResult, ArtefactStatus } from './normalize/artefact.js';
export type { Change } from './normalize/report.js';
export type { ContentRecord, ContentType } from './normalize/content.js';
export type { MtimePolicy } from './normalize/options.js';
export type { Report } from './commands/shared.js';
export { DEFAULT_EPOCH, MIN_EPOCH, MAX_EPOCH } from './normalize/options.js';
export { UsageError } from './commands/shared.js';
export { ConfigError } from './config.js';

export interface ReprodistOptions {
  /** Seconds since 1970, or `git` for the committer time of HEAD. */
  epoch?: number | 'git';
  mtime?: MtimePolicy;
  /** Deflate level 1-9. */
  level?: number;
  /** Wheels: keep the builder's compressed bytes. */
  keepCompression?: boolean;
  /** Compression threads (default: all cores). The bytes do not depend on it. */
  jobs?: number;
}

function flagsOf(paths: string | readonly string[], options: ReprodistOptions): CommonFlags {
  return {
    paths: typeof paths === 'string' ? [paths] : [...paths],
    json: false,
    quiet: true,
    ...(options.epoch !== undefined ? { epoch: String(options.epoch) } : {}),
    ...(options.mtime !== undefined ? { mtime: options.mtime } : {}),
    ...(options.level !== undefined ? { level: options.level } : {}),
    ...(options.keepCompression !== undefined ? { keepCompression: options.keepCompression } : {}),
    ...(options.jobs !== undefined ? { jobs: options.jobs } : {}),
  };
}

/**
 * Rewrites artefacts (files, directories of them, or globs; none means `dist/`) in normal form, in
 * place or into `out`. Each file's result says `normalized`, `unchanged`, `refused` or `error`;
 * `problems` lists paths that named nothing usable. Throws UsageError/ConfigError for bad settings.
 */
export async function normalize(paths: string | readonly string[] = [], options: ReprodistOptions & { out?: string } = {}): Promise<Report> {
  return runNormalize({ ...flagsOf(paths, options), ...(options.out !== undefined ? { out: options.out } : {}) });
}

/** Says, per artefact, whether it is in normal form (`normal` / `not-normal`) and what would change. */
export async function check(paths: string | readonly string[] = [], options: ReprodistOptions = {}): Promise<Report> {
  return runCheck(flagsOf(paths, options));
}

export * from './compare/index.js';
