// The public library API: the same work as the CLI verbs (normalize, check, compare, digest, verify),
// returning structured results (the documents --json prints) instead of printing. Settings not given
// here are resolved as on the command line (src/settings/): [tool.reprodist] in the nearest
// pyproject.toml, then SOURCE_DATE_EPOCH for the epoch, then the defaults.
import { checkPaths } from './commands/check.js';
import { normalizePaths } from './commands/normalize.js';
import type { Report } from './commands/artefacts.js';
import type { MtimePolicy } from './normalize/index.js';

export type { Report } from './commands/artefacts.js';
export type { ArtefactKind, ArtefactResult, ArtefactStatus, Change, ContentRecord, ContentType, MtimePolicy } from './normalize/index.js';
export { DEFAULT_EPOCH, MIN_EPOCH, MAX_EPOCH } from './normalize/index.js';
export { ConfigError, UsageError } from './settings/index.js';
export { compare, compareFiles, contentDigest, digest, DIGEST_TAG, serializeContent } from './compare/index.js';
export type { CompareOptions, Comparison, DigestResult, MemberDifference, MemberDifferenceKind, PairComparison, PairStatus, Verdict } from './compare/index.js';
export { verify, DEFAULT_BUILD_COMMAND, DEFAULT_INDEX_URL, DEFAULT_MAX_BYTES, DEFAULT_TIMEOUT_MS } from './verify/index.js';
export type { CheckStatus, DownloadProgress, SourceCheck, SourceKind, SourceSummary, Verification, VerifyOptions } from './verify/index.js';
export { rebuild, rebuildList, attestation } from './verify/index.js';
export type { AttemptReport, FileVerdict, PublishedFile, Recipe, RebuildListReport, RebuildOptions, ReleaseRebuild } from './verify/index.js';

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

function given(paths: string | readonly string[], options: ReprodistOptions) {
  return { ...options, paths: typeof paths === 'string' ? [paths] : [...paths] };
}

/**
 * Rewrites artefacts (files, directories of them, or globs; none means `dist/`) in normal form, in
 * place or into `out`. Each file's result says `normalized`, `unchanged`, `refused` or `error`;
 * `problems` lists paths that named nothing usable. Throws UsageError/ConfigError for bad settings.
 */
export async function normalize(paths: string | readonly string[] = [], options: ReprodistOptions & { out?: string } = {}): Promise<Report> {
  return normalizePaths(given(paths, options));
}

/** Says, per artefact, whether it is in normal form (`normal` / `not-normal`) and what would change. */
export async function check(paths: string | readonly string[] = [], options: ReprodistOptions = {}): Promise<Report> {
  return checkPaths(given(paths, options));
}
