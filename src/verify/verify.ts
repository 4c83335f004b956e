// `verify`: are the local artefacts byte-identical to those of each source (a URL prefix, a PyPI
// release, or a rebuild from a clean clone)? Each local file is checked against each source, and a
// difference is explained as `compare` explains it.
import { rmSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { compareFiles } from '../compare/index.js';
import type { CompareOptions, PairComparison } from '../compare/index.js';
import { describeError, removeOnSignal } from '../normalize/index.js';
import type { MtimePolicy } from '../normalize/index.js';
import { loadProjectConfig, resolveArtefacts, resolvePaths } from '../settings/index.js';
import { DEFAULT_BUILD_COMMAND, DEFAULT_INDEX_URL, DEFAULT_MAX_BYTES, DEFAULT_TIMEOUT_MS } from './defaults.js';
import { DownloadError, download, fetchJson } from './download.js';
import type { DownloadOptions, DownloadProgress } from './download.js';
import { rebuild } from './rebuild.js';
import { parseRelease, parseReleaseJson } from './simple-index.js';
import type { IndexFile } from './simple-index.js';

export interface VerifyOptions {
  /** Local artefacts: files, directories or globs (default `dist/`). */
  local?: readonly string[];
  /** URL prefixes: `URL/<file name>` is fetched for each local artefact. */
  against?: readonly string[];
  /** Releases as `NAME==VERSION`, read from the JSON API of `indexUrl`. */
  pypi?: readonly string[];
  indexUrl?: string;
  /** Rebuild from a clean clone of HEAD (of the repository around `cwd`) and normalize. */
  build?: boolean;
  buildCommand?: string;
  /** Normalizing the rebuilt files (default: the commit time, then the clone's [tool.reprodist]); `git`: the commit time. */
  epoch?: number | 'git';
  mtime?: MtimePolicy;
  level?: number;
  cwd?: string;
  timeoutMs?: number;
  /** Milliseconds one download may take in all (default DEFAULT_DEADLINE_MS, 30 minutes; docs/limits.md). */
  deadlineMs?: number;
  maxBytes?: number;
  compare?: CompareOptions;
  onProgress?: (progress: DownloadProgress & { name: string }) => void;
  /** Says what a long step is doing (cloning, building). */
  onStep?: (message: string) => void;
}

export type SourceKind = 'url' | 'pypi' | 'build';

/** What each kind of source calls the two sides, in diff headers and messages: the local file is A. */
export const SIDE_LABELS: Readonly<Record<SourceKind, { a: string; b: string }>> = {
  url: { a: 'local', b: 'remote' },
  pypi: { a: 'local', b: 'pypi' },
  build: { a: 'local', b: 'rebuilt' },
};

/**
 * identical / differs: compared. missing: the source has no such file (HTTP 404, not in the
 * release, not built). unreachable: no answer (connection refused, timeout, 5xx). digest-mismatch:
 * the download's sha256 is not what the index states. error: anything else (a refused artefact, a
 * failed build, a bad response).
 */
export type CheckStatus = 'identical' | 'differs' | 'missing' | 'unreachable' | 'digest-mismatch' | 'error';

export interface SourceCheck {
  /** The source's label, as in `sources`. */
  source: string;
  /** The local artefact. */
  local: string;
  name: string;
  /** What was fetched, for url and pypi sources. */
  url?: string;
  status: CheckStatus;
  /** For every status but identical and differs: one line. */
  message?: string;
  /** When both files could be read: A is the local file, B the source's. */
  comparison?: PairComparison;
}

export interface SourceSummary {
  /** `URL`, `pypi NAME==VERSION` or `build`. */
  source: string;
  kind: SourceKind;
  /** What the two sides are called (SIDE_LABELS of the kind). */
  labels: { a: string; b: string };
  /** Files the source has that no local artefact is named like (other platforms' wheels, say). */
  unmatched: string[];
  /** build: the commit built and its time (the SOURCE_DATE_EPOCH of the build and the epoch used). */
  commit?: string;
  commitTime?: number;
  epoch?: number;
}

/** verify's document: `--json` prints it and the library's verify() resolves to it. */
export interface Verification {
  command: 'verify';
  local: string[];
  sources: SourceSummary[];
  /** One check per local artefact and source. */
  results: SourceCheck[];
  /** Arguments that named nothing usable, one line each. */
  problems: string[];
  /** 0 all identical, 1 any differs, 2 missing, unreachable or error. */
  exitCode: number;
}

/** Checks every local artefact against every source. Never throws; failures are in the result. */
export async function verify(options: VerifyOptions): Promise<Verification> {
  const { artefacts, problems } = await resolveArtefacts(resolvePaths(options.local, loadProjectConfig(options.cwd)));
  const files = artefacts.map((artefact) => artefact.path);
  const result: Verification = { command: 'verify', local: files, sources: [], results: [], problems, exitCode: 0 };
  const pypi = [...new Set(options.pypi ?? [])].map(parseRequirement);
  const against = [...new Set(options.against ?? [])];
  for (const bad of pypi.filter((p) => typeof p === 'string')) problems.push(bad);
  if (!against.length && !pypi.length && !options.build) problems.push('nothing to verify against: give --against URL, --pypi NAME==VERSION or --build');
  if (problems.length > 0 || files.length === 0) return finish(result);

  let workDir: string;
  try {
    workDir = await mkdtemp(join(tmpdir(), 'reprodist-verify-'));
  } catch (error) {
    problems.push(`cannot make a temporary directory: ${describeError(error)}`);
    return finish(result);
  }
  // Even when the process is ended by a signal (or an exit()), the downloads and the clone go.
  const removeWorkDir = () => rmSync(workDir, { recursive: true, force: true });
  process.once('exit', removeWorkDir);
  const forgetOnSignal = removeOnSignal(workDir);
  try {
    const fetchOptions: DownloadOptions = {
      timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      maxBytes: options.maxBytes ?? DEFAULT_MAX_BYTES,
      ...(options.deadlineMs !== undefined ? { deadlineMs: options.deadlineMs } : {}),
    };
    let counter = 0;
    const sourceDir = async () => {
      const dir = join(workDir, `source-${(counter += 1)}`);
      await mkdir(dir);
      return dir;
    };
    for (const base of against) {
      result.sources.push({ source: base, kind: 'url', labels: SIDE_LABELS.url, unmatched: [] });
      const dir = await sourceDir();
      for (const local of files) {
        const url = `${base.replace(/\/+$/, '')}/${encodeURIComponent(basename(local)).replace(/%2B/g, '+')}`;
        result.results.push(await checkDownload(base, local, url, dir, undefined, fetchOptions, options));
      }
    }
    for (const release of pypi) {
      if (typeof release === 'string') continue;
      result.sources.push(await checkRelease(release, files, await sourceDir(), fetchOptions, options, result.results));
    }
    if (options.build) result.sources.push(await checkRebuild(files, await sourceDir(), options, result.results));
  } finally {
    process.off('exit', removeWorkDir);
    forgetOnSignal();
    await rm(workDir, { recursive: true, force: true });
  }
  return finish(result);
}

function finish(result: Verification): Verification {
  const failed = result.problems.length > 0 || result.results.some((c) => c.status !== 'identical' && c.status !== 'differs');
  result.exitCode = failed ? 2 : result.results.some((c) => c.status === 'differs') ? 1 : 0;
  return result;
}

interface Release {
  name: string;
  version: string;
}

/** `NAME==VERSION`, or a problem line. */
function parseRequirement(text: string): Release | string {
  return parseRelease(text) ?? `--pypi: ${JSON.stringify(text)} is not NAME==VERSION`;
}

/** Downloads one file (checking the stated sha256, if any), compares it with the local one, removes it. */
async function checkDownload(source: string, local: string, url: string, dir: string, statedSha256: string | undefined, fetchOptions: DownloadOptions, options: VerifyOptions): Promise<SourceCheck> {
  const name = basename(local);
  const check: SourceCheck = { source, local, name, url, status: 'error' };
  const target = join(dir, name);
  try {
    const onProgress = options.onProgress;
    const got = await download(url, target, { ...fetchOptions, ...(onProgress ? { onProgress: (p: DownloadProgress) => onProgress({ ...p, name }) } : {}) });
    check.url = got.url;
    if (statedSha256 !== undefined && got.sha256 !== statedSha256.toLowerCase()) {
      return { ...check, status: 'digest-mismatch', message: `${got.url}: sha256 ${got.sha256} is not the ${statedSha256} the index states` };
    }
    // The download is gone after this check: the comparison names it by its URL.
    const labels = SIDE_LABELS[statedSha256 === undefined ? 'url' : 'pypi'];
    return withComparison(check, { ...(await compareFiles(local, target, { labels, ...options.compare })), b: got.url });
  } catch (error) {
    const status = error instanceof DownloadError ? error.reason : 'error';
    return { ...check, status, message: describeError(error) };
  } finally {
    await rm(target, { force: true });
  }
}

function withComparison(check: SourceCheck, comparison: PairComparison): SourceCheck {
  if (comparison.status === 'refused' || comparison.status === 'error') return { ...check, status: 'error', message: comparison.message ?? comparison.status, comparison };
  return { ...check, status: comparison.status, comparison };
}

/** Reads `/pypi/NAME/VERSION/json` and checks each local artefact against the release file of its name. */
async function checkRelease(release: Release, files: string[], dir: string, fetchOptions: DownloadOptions, options: VerifyOptions, checks: SourceCheck[]): Promise<SourceSummary> {
  const source = `pypi ${release.name}==${release.version}`;
  const summary: SourceSummary = { source, kind: 'pypi', labels: SIDE_LABELS.pypi, unmatched: [] };
  const index = (options.indexUrl ?? DEFAULT_INDEX_URL).replace(/\/+$/, '');
  const jsonUrl = `${index}/pypi/${encodeURIComponent(release.name)}/${encodeURIComponent(release.version)}/json`;
  let releaseFiles: IndexFile[];
  try {
    const { document, url } = await fetchJson(jsonUrl, fetchOptions);
    releaseFiles = parseReleaseJson(document, url);
  } catch (error) {
    const status = error instanceof DownloadError ? error.reason : 'error';
    const message = status === 'missing' ? `${jsonUrl}: no release ${release.name} ${release.version} on this index (HTTP 404)` : describeError(error);
    for (const local of files) checks.push({ source, local, name: basename(local), url: jsonUrl, status, message });
    return summary;
  }
  const localNames = new Set(files.map((f) => basename(f)));
  summary.unmatched = releaseFiles.map((f) => f.filename).filter((name) => !localNames.has(name)).sort();
  for (const local of files) {
    const name = basename(local);
    const file = releaseFiles.find((f) => f.filename === name);
    if (!file) {
      checks.push({ source, local, name, status: 'missing', message: `${release.name} ${release.version} has no file ${name}` });
      continue;
    }
    if (!file.sha256) {
      checks.push({ source, local, name, url: file.url, status: 'error', message: `${jsonUrl}: no sha256 stated for ${name}` });
      continue;
    }
    checks.push(await checkDownload(source, local, file.url, dir, file.sha256, fetchOptions, options));
  }
  return summary;
}

async function checkRebuild(files: string[], dir: string, options: VerifyOptions, checks: SourceCheck[]): Promise<SourceSummary> {
  const summary: SourceSummary = { source: 'build', kind: 'build', labels: SIDE_LABELS.build, unmatched: [] };
  let built: string[];
  try {
    const done = await rebuild({
      cwd: options.cwd ?? process.cwd(),
      buildCommand: options.buildCommand ?? DEFAULT_BUILD_COMMAND,
      workDir: dir,
      ...(options.epoch !== undefined ? { epoch: options.epoch } : {}),
      ...(options.mtime !== undefined ? { mtime: options.mtime } : {}),
      ...(options.level !== undefined ? { level: options.level } : {}),
      ...(options.onStep ? { onStep: options.onStep } : {}),
    });
    Object.assign(summary, { commit: done.commit, commitTime: done.commitTime, epoch: done.options.epoch });
    built = done.files;
  } catch (error) {
    for (const local of files) checks.push({ source: 'build', local, name: basename(local), status: 'error', message: describeError(error) });
    return summary;
  }
  const builtByName = new Map(built.map((path) => [basename(path), path]));
  const localNames = new Set(files.map((f) => basename(f)));
  summary.unmatched = [...builtByName.keys()].filter((name) => !localNames.has(name));
  for (const local of files) {
    const name = basename(local);
    const rebuilt = builtByName.get(name);
    const check: SourceCheck = { source: 'build', local, name, status: 'missing' };
    if (!rebuilt) checks.push({ ...check, message: `the build made no ${name} (it made ${[...builtByName.keys()].join(', ')})` });
    else checks.push(withComparison(check, { ...(await compareFiles(local, rebuilt, { labels: summary.labels, ...options.compare })), b: `${summary.commit?.slice(0, 12)}:dist/${name} (rebuilt)` }));
  }
  return summary;
}
