// `rebuild NAME==VERSION`: a third party's check that a published release is built from its source.
// The release's files and upload times come from the index (or --files); a recipe is inferred from
// them (recipe.ts) or read; each attempt builds in a fresh venv against the index as it stood at the
// upload (timewarp.ts), and each published file is judged against its rebuild (verdict.ts), by the
// best attempt. Never throws for a bad input: problems and failures are in the result.
import { rmSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PairComparison } from '../compare/index.js';
import type { ArtefactHandler } from '../normalize/index.js';
import { checkReadable, describeError, handlerFor, parseArtefactName, removeOnSignal, usingContent } from '../normalize/index.js';
import { DEFAULT_ATTEMPTS, DEFAULT_BUILD_TIMEOUT_MS, DEFAULT_INDEX_URL, DEFAULT_MAX_BYTES, DEFAULT_TIMEOUT_MS } from './defaults.js';
import { DownloadError, download } from './download.js';
import type { DownloadOptions } from './download.js';
import { findPythons } from './python-env.js';
import type { PythonInterpreter } from './python-env.js';
import { buildSystem, inferAttempts, loadRecipe, pythonAt, pythonHint, saveRecipe } from './recipe.js';
import type { Recipe, Route, WheelEvidence } from './recipe.js';
import { runRoute } from './rebuild-route.js';
import type { AttemptReport, RouteJudgement } from './rebuild-route.js';
import { openIndex, parseRelease } from './simple-index.js';
import type { IndexFile } from './simple-index.js';
import { SourceError, cloneSource, repositoryOf } from './source-repo.js';
import type { SourceCheckout } from './source-repo.js';
import { startTimewarp, visibleAt } from './timewarp.js';
import { VERDICT_RANK } from './verdict.js';
import type { FileVerdict } from './verdict.js';

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

export interface PublishedFile {
  name: string;
  url: string;
  sha256?: string;
  uploadTime?: string;
  /** A file rebuilt by both routes has the worse of their verdicts: each route must reproduce it. */
  verdict: FileVerdict;
  /** The attempt (1-based) the verdict comes from. */
  attempt?: number;
  /** The verdict of each route that rebuilt the file. */
  routes?: Partial<Record<Route, FileVerdict>>;
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
  /** Why the repository the sdist names was not built from (a repository given is a problem instead). */
  sourceSkipped?: string;
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
      await checkReadable(handler.readContent(got.path));
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
  const sdistName = [...published.keys()].find((name) => name.endsWith('.tar.gz'));
  if (recipe.routes.includes('sdist') && !sdistName) {
    result.problems.push(`${release.name} ${release.version} has no sdist to build the wheel from; give --source`);
    return;
  }
  const routes: Route[] = recipe.routes.filter((route) => route === 'sdist');
  // The clone is held to the limit of one attempt too: a remote that never answers must not hang the run.
  const buildTimeoutMs = options.buildTimeoutMs ?? DEFAULT_BUILD_TIMEOUT_MS;
  let checkout: SourceCheckout | undefined;
  if (recipe.routes.includes('source')) {
    const { url, ref } = recipe.source!;
    step(`cloning ${url}`);
    try {
      checkout = await cloneSource(url, join(workDir, 'clone'), buildTimeoutMs, release.name, release.version, ref);
      result.source = { url, ref: checkout.ref, commit: checkout.commit };
      routes.push('source');
    } catch (error) {
      // A repository the user named must be built from; one the sdist names is a clue that may be stale.
      if (!(error instanceof SourceError) || options.source !== undefined || options.recipe !== undefined || routes.length === 0) throw error;
      result.sourceSkipped = `${url}: ${error.message}`;
    }
  }
  const timewarp = await startTimewarp(index, recipe.uploadTime);
  const judged = new Map<Route, Map<string, RouteJudgement>>();
  try {
    for (const route of routes) {
      judged.set(route, await runRoute({
        route, recipe, interpreter, workDir, indexUrl: timewarp.url, indexErrors: timewarp.errors, published,
        timeoutMs: buildTimeoutMs, step, attempts: result.attempts,
        ...(route === 'source' ? { checkout: checkout! } : { sdist: published.get(sdistName!)! }),
      }));
    }
  } finally {
    await timewarp.close();
  }
  const lastFailure = [...result.attempts].reverse().find((attempt) => attempt.status === 'failed');
  for (const entry of result.results) {
    if (entry.verdict === 'refused') continue;
    const found = routes.flatMap((route) => {
      const judgement = judged.get(route)?.get(entry.name);
      return judgement ? [{ route, ...judgement }] : [];
    });
    const worst = found.sort((a, b) => VERDICT_RANK[b.judgement.verdict] - VERDICT_RANK[a.judgement.verdict])[0];
    if (worst) {
      const { judgement } = worst;
      Object.assign(entry, {
        verdict: judgement.verdict, attempt: worst.attempt, toolFiles: judgement.toolFiles, projectFiles: judgement.projectFiles, notes: judgement.notes,
        routes: Object.fromEntries(found.map((f) => [f.route, f.judgement.verdict])),
        comparison: judgement.comparison,
        ...(worst.rebuiltSha256 ? { rebuiltSha256: worst.rebuiltSha256 } : {}),
        ...(judgement.normalizedSha256 ? { normalizedSha256: judgement.normalizedSha256 } : {}),
        ...(judgement.message ? { message: judgement.message } : {}),
      });
      continue;
    }
    const sdistOnlyPublished = entry.name === sdistName && !routes.includes('source');
    entry.message = sdistOnlyPublished ? sdistNotRebuilt(result.sourceSkipped) : lastFailure ? `the build failed: ${lastFailure.message}` : 'the build made no file of this name (a wheel for another platform or Python?)';
    if (lastFailure?.logTail && !sdistOnlyPublished) entry.logTail = lastFailure.logTail;
  }
}

function sdistNotRebuilt(sourceSkipped: string | undefined): string {
  const why = 'the wheel was built from this sdist; the sdist itself is rebuilt only from its repository (--source, or a Project-URL naming it)';
  return sourceSkipped ? `${why}, which could not be used: ${sourceSkipped}` : why;
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
  const pkgInfo = [...sdistMembers].find(([name]) => name.endsWith('/PKG-INFO'))?.[1];
  const named = repositoryOf(pkgInfo ?? member('.dist-info/METADATA') ?? '');
  const repository = options.source ? { url: options.source, why: '--source' } : named && { url: named.url, why: `${named.why} in the ${pkgInfo ? "sdist's PKG-INFO" : "wheel's METADATA"}` };
  const routes: Route[] = [...(sdistName ? ['sdist' as const] : []), ...(repository ? ['source' as const] : [])];
  if (repository) evidence.push(`the repository ${repository.url}: ${repository.why}`);
  if (options.ref && !repository) {
    result.problems.push('--ref: the release names no repository to check it out of; give --source');
    return undefined;
  }
  if (routes.length === 0) {
    result.problems.push(`${release.name} ${release.version} has no sdist to build the wheel from and names no repository; give --source`);
    return undefined;
  }
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
    routes,
    ...(repository ? { source: { url: repository.url, ...(options.ref ? { ref: options.ref } : {}) } } : {}),
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
  const names = await usingContent(handler.readContent(path), (view) => [...view].map((record) => record.name).filter(wanted));
  const heads = await handler.readMemberHeads(path, names, 1 << 20);
  return new Map([...heads].map(([name, head]) => [name, head.head.toString('utf8')]));
}
