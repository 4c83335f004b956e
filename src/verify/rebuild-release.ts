// `rebuild NAME==VERSION`: a third party's check that a published release is built from its source.
// The release's files and upload times come from the index (or --files); a recipe is inferred from
// them (recipe.ts) or read; each attempt builds in a fresh venv against the index as it stood at the
// upload (timewarp.ts), and each published file is judged against its rebuild (verdict.ts), by the
// best attempt. Never throws for a bad input: problems and failures are in the result.
import { rmSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { PairComparison } from '../compare/index.js';
import type { ArtefactHandler } from '../normalize/index.js';
import { describeError, handlerFor, parseArtefactName, removeOnSignal } from '../normalize/index.js';
import { DEFAULT_MAX_BYTES, DEFAULT_TIMEOUT_MS, DownloadError, download } from './download.js';
import type { DownloadOptions } from './download.js';
import { findPythons } from './python-env.js';
import type { PythonInterpreter } from './python-env.js';
import { buildSystem, inferAttempts, loadRecipe, pythonAt, pythonHint, saveRecipe } from './recipe.js';
import type { Recipe, WheelEvidence } from './recipe.js';
import { runAttempt } from './rebuild-attempt.js';
import { openIndex, parseRelease } from './simple-index.js';
import type { IndexFile } from './simple-index.js';
import { checkoutFor, cloneSource } from './source-repo.js';
import type { SourceCheckout } from './source-repo.js';
import { startTimewarp, visibleAt } from './timewarp.js';
import { judge, VERDICT_RANK } from './verdict.js';
import type { FileVerdict, Judgement } from './verdict.js';
import { DEFAULT_INDEX_URL } from './verify.js';

export const DEFAULT_ATTEMPTS = 4;
/** 15 minutes for one attempt: venv, installs and build. */
export const DEFAULT_BUILD_TIMEOUT_MS = 15 * 60_000;

export interface RebuildOptions {
  /** `NAME==VERSION`. */
  release: string;
  /** An index URL, a `file:` URL or a directory (default https://pypi.org). */
  indexUrl?: string;
  /** A directory that holds the release's files, standing for the index's. */
  files?: string;
  /** Build from the source repository (a URL or a path) at `ref`, else at the version's tag. */
  source?: string;
  ref?: string;
  /** `X.Y` or an interpreter's path (default: inferred). */
  python?: string;
  /** How many candidate tool versions to try (default 4). */
  attempts?: number;
  /** A recipe file to replay instead of inferring one. */
  recipe?: string;
  /** Write the recipe used here (TOML). */
  saveRecipe?: string;
  buildTimeoutMs?: number;
  timeoutMs?: number;
  deadlineMs?: number;
  maxBytes?: number;
  onStep?: (message: string) => void;
}

export interface AttemptReport {
  number: number;
  route: Recipe['route'];
  python: string;
  pins: Record<string, string>;
  /** What the build's venv held. */
  installed: Record<string, string>;
  status: 'built' | 'failed';
  message?: string;
  /** failed: the build log's last lines. */
  logTail?: string[];
  /** The verdict of each published file against this attempt's rebuild. */
  verdicts: Record<string, FileVerdict>;
}

export interface PublishedFile {
  name: string;
  url: string;
  sha256?: string;
  uploadTime?: string;
  verdict: FileVerdict;
  /** The attempt (1-based) the verdict comes from. */
  attempt?: number;
  toolFiles: string[];
  projectFiles: string[];
  notes: string[];
  /** not-rebuilt and refused: why, one line. */
  message?: string;
  logTail?: string[];
  normalizedSha256?: string;
  rebuiltSha256?: string;
  comparison?: PairComparison;
}

/** rebuild's document: `--json` prints it and the library's rebuild() resolves to it. */
export interface ReleaseRebuild {
  command: 'rebuild';
  name: string;
  version: string;
  index: string;
  uploadTime?: string;
  recipe?: Recipe;
  source?: { url: string; ref: string; commit: string };
  attempts: AttemptReport[];
  /** One per published file, with its verdict. */
  results: PublishedFile[];
  problems: string[];
  /** 0 every rebuilt file identical or reproduced; 1 any tool-metadata or differs; 2 nothing rebuilt, a refusal or a problem. */
  exitCode: number;
}


export async function rebuild(options: RebuildOptions): Promise<ReleaseRebuild> {
  const release = parseRelease(options.release);
  const index = options.indexUrl ?? DEFAULT_INDEX_URL;
  const result: ReleaseRebuild = { command: 'rebuild', name: release?.name ?? options.release, version: release?.version ?? '', index, attempts: [], results: [], problems: [], exitCode: 2 };
  if (!release) {
    result.problems.push(`expected NAME==VERSION, got ${JSON.stringify(options.release)}`);
    return result;
  }
  let workDir: string;
  try {
    workDir = await mkdtemp(join(tmpdir(), 'reprodist-rebuild-'));
  } catch (error) {
    result.problems.push(`cannot make a temporary directory: ${describeError(error)}`);
    return result;
  }
  const removeWorkDir = () => rmSync(workDir, { recursive: true, force: true });
  process.once('exit', removeWorkDir);
  const forgetOnSignal = removeOnSignal(workDir);
  try {
    await rebuildIn(workDir, release, options, result);
  } catch (error) {
    result.problems.push(describeError(error));
  } finally {
    process.off('exit', removeWorkDir);
    forgetOnSignal();
    await rm(workDir, { recursive: true, force: true });
  }
  result.exitCode = exitCodeOf(result);
  return result;
}

function exitCodeOf(result: ReleaseRebuild): number {
  const verdicts = result.results.map((file) => file.verdict);
  if (result.problems.length > 0 || verdicts.includes('refused')) return 2;
  if (verdicts.includes('tool-metadata') || verdicts.includes('differs')) return 1;
  return verdicts.some((v) => v === 'identical' || v === 'reproduced') ? 0 : 2;
}

async function rebuildIn(workDir: string, release: { name: string; version: string }, options: RebuildOptions, result: ReleaseRebuild): Promise<void> {
  const fetchOptions: DownloadOptions = {
    timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    maxBytes: options.maxBytes ?? DEFAULT_MAX_BYTES,
    ...(options.deadlineMs !== undefined ? { deadlineMs: options.deadlineMs } : {}),
  };
  const step = options.onStep ?? (() => undefined);
  const index = openIndex(result.index, fetchOptions);
  step(`reading ${release.name} ${release.version} from ${options.files ?? result.index}`);
  let listed: { file: IndexFile; handler: ArtefactHandler }[];
  try {
    const files = await openIndex(options.files ?? result.index, fetchOptions).releaseFiles(release.name, release.version);
    listed = files.flatMap((file) => {
      const handler = handlerFor(file.filename);
      return handler ? [{ file, handler }] : [];
    });
  } catch (error) {
    result.problems.push(error instanceof DownloadError && error.reason === 'unreachable' ? `the index cannot be reached: ${error.message}` : describeError(error));
    return;
  }
  if (listed.length === 0) {
    result.problems.push(`${release.name} ${release.version} has no sdist or wheel to rebuild`);
    return;
  }
  const times = listed.map(({ file }) => file.uploadTime).filter((t): t is string => t !== undefined).sort();
  if (times[0]) result.uploadTime = times[0];

  // The published files, each read through the strict reader before anything is built from it.
  const publishedDir = join(workDir, 'published');
  await mkdir(publishedDir);
  const published = new Map<string, string>();
  for (const { file, handler } of listed) {
    const entry: PublishedFile = { name: file.filename, url: file.url, ...(file.sha256 ? { sha256: file.sha256 } : {}), ...(file.uploadTime ? { uploadTime: file.uploadTime } : {}), verdict: 'not-rebuilt', toolFiles: [], projectFiles: [], notes: [] };
    result.results.push(entry);
    step(`downloading ${file.filename}`);
    try {
      const got = await download(file.url, join(publishedDir, file.filename), fetchOptions);
      if (file.sha256 && got.sha256 !== file.sha256) throw new DownloadError(`${got.url}: sha256 ${got.sha256} is not the ${file.sha256} the index states`, 'error');
      entry.sha256 = got.sha256;
      await handler.readContent(got.path);
      published.set(file.filename, got.path);
    } catch (error) {
      Object.assign(entry, { verdict: 'refused', message: describeError(error) });
    }
  }
  if (published.size === 0) return;

  const recipe = options.recipe ? await loadRecipe(options.recipe) : await inferRecipe(release, options, result, published, index);
  if (!recipe) return;
  result.recipe = recipe;
  if (options.saveRecipe) await saveRecipe(options.saveRecipe, recipe);

  const interpreter = await chooseInterpreter(recipe.python);
  if (!interpreter) {
    result.problems.push(`no Python ${recipe.python} with a bundled pip wheel found on PATH or in pyenv (--python chooses one)`);
    return;
  }
  let checkout: SourceCheckout | undefined;
  if (recipe.route === 'source') {
    step(`cloning ${recipe.source!.url}`);
    checkout = await cloneSource(recipe.source!.url, join(workDir, 'clone'), release.name, release.version, recipe.source!.ref);
    result.source = { url: recipe.source!.url, ref: checkout.ref, commit: checkout.commit };
  }
  const sdistName = [...published.keys()].find((name) => name.endsWith('.tar.gz'));
  if (recipe.route === 'sdist' && !sdistName) {
    result.problems.push(`${release.name} ${release.version} has no sdist to build the wheel from; give --source`);
    return;
  }
  const timewarp = await startTimewarp(index, recipe.uploadTime);
  const best = new Map<string, { judgement: Judgement; attempt: number; rebuiltSha256?: string }>();
  try {
    for (const [i, pins] of recipe.attempts.entries()) {
      const number = i + 1;
      const dir = join(workDir, `attempt-${number}`);
      step(`attempt ${number}: ${Object.entries(pins).map(([p, v]) => `${p} ${v}`).join(', ') || 'unpinned'} on Python ${interpreter.version}`);
      const build = await runAttempt({
        recipe, pins, interpreter, dir, indexUrl: timewarp.url,
        timeoutMs: options.buildTimeoutMs ?? DEFAULT_BUILD_TIMEOUT_MS,
        onStep: (message) => step(`attempt ${number}: ${message}`),
        ...(checkout ? { checkout: (tree: string) => checkoutFor(checkout, tree) } : { sdist: published.get(sdistName!)! }),
      });
      const report: AttemptReport = { number, route: recipe.route, python: interpreter.version, pins, installed: build.installed, status: build.failure ? 'failed' : 'built', verdicts: {} };
      if (build.failure) {
        const reasons = [build.failure, ...timewarp.errors.map((error) => `the index: ${error}`)];
        Object.assign(report, { message: reasons.join('; '), logTail: build.log.tail() });
      }
      result.attempts.push(report);
      const rebuilt = new Map(build.files.map((path) => [basename(path), path]));
      for (const [name, path] of published) {
        const counterpart = rebuilt.get(name) ?? sameKind(name, [...rebuilt.keys()], rebuilt);
        if (!counterpart) continue;
        step(`attempt ${number}: comparing ${name}`);
        const scratch = join(dir, 'judge', name);
        const judgement = await judge(path, counterpart, scratch);
        report.verdicts[name] = judgement.verdict;
        const previous = best.get(name);
        if (!previous || VERDICT_RANK[judgement.verdict] < VERDICT_RANK[previous.judgement.verdict]) {
          best.set(name, { judgement, attempt: number, ...(judgement.comparison.sha256 ? { rebuiltSha256: judgement.comparison.sha256.b } : {}) });
        }
      }
      await rm(dir, { recursive: true, force: true });
      // Another tool version can only change what the tools write: stop at a reproduction or a project difference.
      const verdicts = Object.values(report.verdicts);
      const settled = !build.failure && verdicts.length > 0 && verdicts.every((v) => v !== 'tool-metadata');
      if (settled) break;
    }
  } finally {
    await timewarp.close();
  }
  const lastFailure = [...result.attempts].reverse().find((attempt) => attempt.status === 'failed');
  for (const entry of result.results) {
    if (entry.verdict === 'refused') continue;
    const found = best.get(entry.name);
    if (found) {
      const { judgement } = found;
      Object.assign(entry, {
        verdict: judgement.verdict, attempt: found.attempt, toolFiles: judgement.toolFiles, projectFiles: judgement.projectFiles, notes: judgement.notes,
        comparison: judgement.comparison,
        ...(found.rebuiltSha256 ? { rebuiltSha256: found.rebuiltSha256 } : {}),
        ...(judgement.normalizedSha256 ? { normalizedSha256: judgement.normalizedSha256 } : {}),
        ...(judgement.message ? { message: judgement.message } : {}),
      });
    } else {
      entry.message = notRebuiltReason(entry.name, recipe, lastFailure);
      if (lastFailure?.logTail && !(recipe.route === 'sdist' && entry.name === sdistName)) entry.logTail = lastFailure.logTail;
    }
  }
}

function notRebuiltReason(name: string, recipe: Recipe, failure: AttemptReport | undefined): string {
  if (recipe.route === 'sdist' && name.endsWith('.tar.gz')) return 'the wheel was built from this sdist; --source rebuilds the sdist itself from the repository';
  if (failure) return `the build failed: ${failure.message}`;
  return 'the build made no file of this name (a wheel for another platform or Python?)';
}

/** The one rebuilt file of the same project and kind (and tags), when the names differ only in spelling. */
function sameKind(name: string, builtNames: string[], built: Map<string, string>): string | undefined {
  const parsed = parseArtefactName(name);
  const matches = builtNames.filter((other) => {
    const o = parseArtefactName(other);
    return o && parsed && o.kind === parsed.kind && o.project === parsed.project && o.version === parsed.version && o.tags === parsed.tags;
  });
  return matches.length === 1 ? built.get(matches[0]!) : undefined;
}

async function chooseInterpreter(python: string): Promise<PythonInterpreter | undefined> {
  if (python.includes('/')) return (await findPythons(python))[0];
  const all = await findPythons();
  const usable = all.filter((p) => p.pipWheel);
  return usable.find((p) => p.version === python || p.version.startsWith(`${python}.`));
}

/** Reads what the published files say and the index held, and makes the recipe. */
async function inferRecipe(
  release: { name: string; version: string },
  options: RebuildOptions,
  result: ReleaseRebuild,
  published: Map<string, string>,
  index: ReturnType<typeof openIndex>,
): Promise<Recipe | undefined> {
  const uploadTime = result.uploadTime ?? new Date().toISOString();
  const evidence: string[] = [result.uploadTime ? `the index as of ${uploadTime}, the release's first upload` : 'the index states no upload time: the index as it is now'];
  const sdistName = [...published.keys()].find((name) => name.endsWith('.tar.gz'));
  const wheelName = [...published.keys()].filter((name) => name.endsWith('.whl')).sort((a, b) => Number(b.endsWith('-none-any.whl')) - Number(a.endsWith('-none-any.whl')))[0];
  const sdistMembers = sdistName ? await readMembers(published.get(sdistName)!, (name) => /^[^/]+\/(pyproject\.toml|PKG-INFO)$/.test(name)) : new Map<string, string>();
  const pyproject = [...sdistMembers].find(([name]) => name.endsWith('/pyproject.toml'))?.[1];
  const wheelMembers = wheelName ? await readMembers(published.get(wheelName)!, (name) => /^[^/]+\.dist-info\/(WHEEL|METADATA|entry_points\.txt)$/.test(name)) : new Map<string, string>();
  const member = (suffix: string) => [...wheelMembers].find(([name]) => name.endsWith(suffix))?.[1];
  const wheelEvidence: WheelEvidence = {
    tags: wheelName ? parseArtefactName(wheelName)?.tags ?? '' : '',
    ...optional('wheelFile', member('.dist-info/WHEEL')),
    ...optional('metadata', member('.dist-info/METADATA') ?? [...sdistMembers].find(([name]) => name.endsWith('/PKG-INFO'))?.[1]),
    ...optional('entryPoints', member('.dist-info/entry_points.txt')),
  };
  let system;
  try {
    system = buildSystem(pyproject);
  } catch (error) {
    result.problems.push(`${sdistName}: pyproject.toml: ${describeError(error)}`);
    return undefined;
  }
  evidence.push(pyproject ? `backend ${system.backend}, requires ${system.requires.join(', ')}: the sdist's pyproject.toml` : `backend ${system.backend}: the sdist has no pyproject.toml [build-system] (setuptools' legacy default)`);
  const maxAttempts = options.attempts ?? DEFAULT_ATTEMPTS;
  const versionsAt = async (project: string) => {
    try {
      const files = visibleAt(await index.projectFiles(project), uploadTime);
      return [...new Set(files.map((file) => parseArtefactName(file.filename)?.version).filter((v): v is string => v !== undefined))];
    } catch {
      return [];
    }
  };
  const inferred = await inferAttempts({ requires: system.requires, backend: system.backend, evidence: wheelEvidence, versionsAt, maxAttempts });
  evidence.push(...inferred.evidence);
  let python = options.python;
  if (python) evidence.push(`Python ${python}: --python`);
  else {
    const hint = pythonHint(wheelEvidence);
    const requiresPython = /^Requires-Python: *(.+)$/m.exec(wheelEvidence.metadata ?? '')?.[1]?.trim();
    const minors = [...new Set((await findPythons()).filter((p) => p.pipWheel).map((p) => p.version.split('.').slice(0, 2).join('.')))];
    python = hint?.python ?? pythonAt(uploadTime, minors, requiresPython);
    if (!python) {
      result.problems.push(`no Python 3 with a bundled pip wheel found on PATH or in pyenv${requiresPython ? ` for Requires-Python ${requiresPython}` : ''}`);
      return undefined;
    }
    evidence.push(hint ? `Python ${python}: ${hint.why}` : `Python ${python}: the newest at hand released before the upload`);
  }
  return {
    name: release.name,
    version: release.version,
    uploadTime,
    route: options.source ? 'source' : 'sdist',
    ...(options.source ? { source: { url: options.source, ...(options.ref ? { ref: options.ref } : {}) } } : {}),
    python,
    backend: system.backend,
    backendPath: system.backendPath,
    requires: system.requires,
    env: {},
    attempts: inferred.attempts.slice(0, maxAttempts),
    evidence,
  };
}

function optional<K extends string>(key: K, value: string | undefined): Partial<Record<K, string>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, string>);
}

/** The members of an artefact that `wanted` picks, as text (each at most 1 MiB). */
async function readMembers(path: string, wanted: (name: string) => boolean): Promise<Map<string, string>> {
  const handler = handlerFor(path)!;
  const names = (await handler.readContent(path)).map((record) => record.name).filter(wanted);
  const heads = await handler.readMemberHeads(path, names, 1 << 20);
  return new Map([...heads].map(([name, head]) => [name, head.head.toString('utf8')]));
}
