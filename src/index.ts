// The public library API: the same work as the CLI verbs (normalize, check, compare, digest, verify).
// Each function resolves to exactly the document the verb's --json prints (`command`, `results`,
// `problems`, `exitCode`) and never throws for a bad input, path or setting: those are `problems`
// with exit code 2. Only a call TypeScript would reject (a wrong argument type) throws a TypeError
// naming the parameter. Settings not given are resolved as on the command line (src/settings/):
// SOURCE_DATE_EPOCH for the epoch, [tool.reprodist] in the nearest pyproject.toml, the defaults.
import { checkPaths } from './commands/check.js';
import type { Report } from './commands/documents.js';
import { normalizePaths } from './commands/normalize.js';
import { compare as compareArtefacts, digest as digestArtefacts } from './compare/index.js';
import type { CompareOptions, Comparison, DigestReport } from './compare/index.js';
import type { MtimePolicy } from './normalize/index.js';
import { verify as verifyArtefacts } from './verify/index.js';
import type { Verification, VerifyOptions } from './verify/index.js';

export type { Report } from './commands/documents.js';
export type { ArtefactKind, ArtefactResult, ArtefactStatus, Change, ContentRecord, ContentType, MemberRole, MtimePolicy } from './normalize/index.js';
export { DEFAULT_EPOCH, MIN_EPOCH, MAX_EPOCH } from './normalize/index.js';
export { ConfigError, UsageError } from './settings/index.js';
export { contentDigest, DIGEST_TAG, serializeContent } from './compare/index.js';
export type { CompareOptions, Comparison, DigestReport, DigestResult, MemberDifference, MemberDifferenceKind, PairComparison, PairStatus, Verdict } from './compare/index.js';
export { DEFAULT_BUILD_COMMAND, DEFAULT_INDEX_URL, DEFAULT_MAX_BYTES, DEFAULT_TIMEOUT_MS } from './verify/index.js';
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

/** Files, directories or globs: one string or an array of them. */
export type Paths = string | readonly string[];

/**
 * Rewrites artefacts (files, directories of them, or globs; none means [tool.reprodist] `paths`,
 * else `dist/`) in normal form, in place or into `out`. Each file's result says `normalized`,
 * `unchanged`, `refused` or `error`.
 */
export async function normalize(paths: Paths = [], options: ReprodistOptions & { out?: string } = {}): Promise<Report> {
  return normalizePaths({ ...settingsOf('normalize', options, { out: 'string' }), paths: pathList('normalize', paths) });
}

/** Says, per artefact, whether it is in normal form (`normal` / `not-normal`) and what would change. */
export async function check(paths: Paths = [], options: ReprodistOptions = {}): Promise<Report> {
  return checkPaths({ ...settingsOf('check', options), paths: pathList('check', paths) });
}

/** The content digest of each artefact the paths name (docs/digest.md). */
export async function digest(paths: Paths = []): Promise<DigestReport> {
  return digestArtefacts(pathList('digest', paths));
}

/** Two artefacts, or two directories of them (paired by file name, else by project and kind), compared. */
export async function compare(a: string, b: string, options: CompareOptions = {}): Promise<Comparison> {
  for (const [name, value] of [['a', a], ['b', b]] as const) if (typeof value !== 'string') throw new TypeError(`compare: ${name} must be a path (a string), got ${typeName(value)}`);
  checkFields('compare', options, { maxDiffs: 'number', diffLines: 'number', diffBytes: 'number', labels: 'object' });
  return compareArtefacts(a, b, options);
}

/** Local artefacts checked against remote files, a release on an index, or a clean rebuild. */
export async function verify(options: VerifyOptions = {}): Promise<Verification> {
  checkFields('verify', options, {
    local: 'paths', against: 'paths', pypi: 'paths', indexUrl: 'string', build: 'boolean', buildCommand: 'string', epoch: 'number',
    mtime: 'string', level: 'number', cwd: 'string', timeoutMs: 'number', deadlineMs: 'number', maxBytes: 'number', compare: 'object',
    onProgress: 'function', onStep: 'function',
  });
  return verifyArtefacts(options);
}

type FieldType = 'string' | 'number' | 'boolean' | 'object' | 'function' | 'paths' | 'epoch';

const SETTING_TYPES: Record<keyof ReprodistOptions, FieldType> = { epoch: 'epoch', mtime: 'string', level: 'number', keepCompression: 'boolean', jobs: 'number' };

function settingsOf<Extra extends Record<string, FieldType>>(fn: string, options: object, extra?: Extra): ReprodistOptions {
  checkFields(fn, options, { ...SETTING_TYPES, ...extra });
  return options;
}

/** Throws a TypeError naming the parameter when `options` or one of its known fields has a type TypeScript would reject. */
function checkFields(fn: string, options: unknown, types: Record<string, FieldType>): void {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) throw new TypeError(`${fn}: options must be an object, got ${typeName(options)}`);
  for (const [field, type] of Object.entries(types)) {
    const value = (options as Record<string, unknown>)[field];
    if (value === undefined) continue;
    const fits = type === 'paths' ? isPathList(value) : type === 'epoch' ? typeof value === 'number' || value === 'git' : type === 'object' ? typeof value === 'object' && value !== null : typeof value === type;
    if (!fits) throw new TypeError(`${fn}: options.${field} must be ${type === 'paths' ? 'an array of strings' : type === 'epoch' ? 'a number or "git"' : `a ${type}`}, got ${typeName(value)}`);
  }
}

function isPathList(value: unknown): value is readonly string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}

function pathList(fn: string, paths: unknown): string[] {
  if (typeof paths === 'string') return [paths];
  if (isPathList(paths)) return [...paths];
  throw new TypeError(`${fn}: paths must be a string or an array of strings, got ${typeName(paths)}`);
}

function typeName(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value === 'string' ? JSON.stringify(value) : typeof value;
}
