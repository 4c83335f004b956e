// `reprodist rebuild NAME==VERSION` against a package index on 127.0.0.1 (test/helpers/package-index.ts)
// that holds the real PyPI wheels of setuptools and wheel that pyenv's Pythons carry, and releases of
// the fixture project built here, by setuptools called directly in a venv of pinned versions (not by
// the code under test). Offline: every build requirement comes from that index.
import { spawn } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { makeCheckout } from '../helpers/build.js';
import { PYPI_UPLOAD_DATES, pypiWheelsOnMachine, startPackageIndex } from '../helpers/package-index.js';
import type { PackageIndexServer } from '../helpers/package-index.js';
import { CLI, REPO_ROOT, exitStatus, runCliAsync, runOk, tmpDir } from '../helpers/tools.js';
import { collect } from '../helpers/child.js';
import { attestationProblems } from '../helpers/in-toto.js';

const WORK = tmpDir(undefined, 'reprodist-rebuild-test-');
const PYENV = join(process.env.PYENV_ROOT ?? join(homedir(), '.pyenv'), 'versions');
/** The Python the releases are built with, and the one rebuild picks for an upload in 2023 (3.11, out 2022-10-24). */
const PYTHON = join(PYENV, '3.11.7', 'bin', 'python3');
const PIP_WHEEL = join(PYENV, '3.11.7', 'lib', 'python3.11', 'ensurepip', '_bundled', 'pip-23.2.1-py3-none-any.whl');
const NEEDED = ['setuptools-56.0.0-py3-none-any.whl', 'setuptools-58.1.0-py3-none-any.whl', 'setuptools-65.5.0-py3-none-any.whl', 'setuptools-67.6.1-py3-none-any.whl', 'wheel-0.40.0-py3-none-any.whl'];
const RELEASED = '2023-04-01T12:00:00Z';
/** A SOURCE_DATE_EPOCH: the day before the upload. */
const EPOCH = Date.parse('2023-03-31T12:00:00Z') / 1000;

const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

let index: PackageIndexServer;
let ready = false;
const wheels = pypiWheelsOnMachine();
const WHEELS = join(WORK, 'wheels');

/** A venv holding exactly setuptools and wheel of these versions, installed from the local wheels. */
function toolVenv(setuptools: string, wheel: string): string {
  const dir = join(WORK, `venv-${setuptools}-${wheel}`);
  if (existsSync(dir)) return join(dir, 'bin', 'python');
  runOk(PYTHON, ['-I', '-m', 'venv', '--without-pip', dir]);
  const env = { PATH: process.env.PATH ?? '', HOME: join(WORK, 'home'), PIP_CONFIG_FILE: '/dev/null' };
  runOk(join(dir, 'bin', 'python'), [join(PIP_WHEEL, 'pip'), 'install', '-q', '--no-compile', '--no-index', '--find-links', WHEELS, `setuptools==${setuptools}`, `wheel==${wheel}`], { env });
  return join(dir, 'bin', 'python');
}

/** The fixture's metadata in setup.cfg, for setuptools versions before PEP 621 (61). */
function setupCfgProject(src: string, version: string): void {
  writeFileSync(join(src, 'pyproject.toml'), '[build-system]\nrequires = ["setuptools>=40.8.0", "wheel"]\nbuild-backend = "setuptools.build_meta"\n');
  writeFileSync(join(src, 'setup.cfg'), [
    '[metadata]', 'name = reprodemo', `version = ${version}`, 'description = Fixture project for reprodist tests', 'license = MIT',
    '[options]', 'package_dir =\n    = src', 'packages = find:', 'python_requires = >=3.6',
    '[options.packages.find]', 'where = src',
    '[options.package_data]', 'reprodemo = data/*.json, data/*.txt, scripts/*', '',
  ].join('\n'));
}

interface ReleaseSpec {
  version: string;
  setuptools: string;
  wheel?: string;
  setupCfg?: boolean;
  /** Changes the tree the sdist is built from. */
  edit?: (src: string) => void;
  /** Changes the tree the wheel is built from, after the sdist: a wheel not built from its sdist. */
  editWheel?: (src: string) => void;
  uploadTime?: string;
  /** SOURCE_DATE_EPOCH of the release's builds: every zip time of the wheel is then this one. */
  epoch?: number;
}

/** Builds a release of the fixture with setuptools itself (its PEP 517 hooks) and puts it on the index. */
function release(spec: ReleaseSpec): { sdist: string; wheel: string } {
  const src = join(WORK, `src-${spec.version}`);
  makeCheckout('setuptools', src, 0o022, spec.setupCfg ? '1.0.0' : spec.version);
  if (spec.setupCfg) setupCfgProject(src, spec.version);
  spec.edit?.(src);
  const out = join(WORK, `release-${spec.version}`);
  const python = toolVenv(spec.setuptools, spec.wheel ?? '0.40.0');
  const env = { PATH: process.env.PATH ?? '', HOME: join(WORK, 'home'), ...(spec.epoch === undefined ? {} : { SOURCE_DATE_EPOCH: String(spec.epoch) }) };
  runOk(python, ['-c', 'import sys; from setuptools import build_meta as b; b.build_sdist(sys.argv[1])', out], { cwd: src, env });
  if (spec.editWheel) spec.editWheel(src);
  runOk(python, ['-c', 'import sys; from setuptools import build_meta as b; b.build_wheel(sys.argv[1])', out], { cwd: src, env });
  const files = readdirSync(out).map((name) => join(out, name));
  for (const path of files) index.add({ path, uploadTime: spec.uploadTime ?? RELEASED });
  return { sdist: files.find((f) => f.endsWith('.tar.gz'))!, wheel: files.find((f) => f.endsWith('.whl'))! };
}

before(async () => {
  const missing = NEEDED.filter((name) => !wheels.has(name));
  ready = missing.length === 0 && existsSync(PYTHON) && existsSync(PIP_WHEEL);
  if (!ready && process.env.CI) throw new Error(`rebuild tests need pyenv's Python 3.11.7 and ${missing.join(', ')} (CI is set: no skipping)`);
  mkdirSync(WHEELS);
  for (const [name, path] of wheels) cpSync(path, join(WHEELS, name));
  index = await startPackageIndex([...wheels.keys()].map((name) => ({ path: join(WHEELS, name), uploadTime: `${PYPI_UPLOAD_DATES[name]}T12:00:00Z` })));
});

after(async () => {
  await index?.close();
  rmSync(WORK, { recursive: true, force: true });
});

async function rebuildJson(...args: string[]) {
  const result = await runCliAsync(['rebuild', '--json', '--index-url', index.url, ...args]);
  return { ...result, json: JSON.parse(result.stdout) as { exitCode: number; source?: { url: string; ref: string }; sourceSkipped?: string; results: { name: string; verdict: string; routes?: Record<string, string>; attempt?: number; toolFiles: string[]; projectFiles: string[]; notes: string[]; message?: string; logTail?: string[]; sha256?: string }[]; attempts: { route: string; pins: Record<string, string>; installed: Record<string, string>; status: string; verdicts: Record<string, string>; logTail?: string[] }[]; problems: string[]; recipe?: { python: string; evidence: string[] } } };
}

const wheelOf = (json: Awaited<ReturnType<typeof rebuildJson>>['json']) => json.results.find((f) => f.name.endsWith('.whl'))!;

describe('rebuild a release from its published sdist', { concurrency: false }, () => {
  test('a wheel built by the newest setuptools before the upload is reproduced by the first attempt; attestation; the recipe saved, then replayed with other pins and the release\'s SOURCE_DATE_EPOCH: identical', async (t) => {
    if (!ready) return t.skip('needs pyenv Python 3.11.7 and the PyPI wheels');
    const published = release({ version: '1.0.0', setuptools: '67.6.1', epoch: EPOCH });
    const recipe = join(WORK, 'recipe.toml');
    const attest = join(WORK, 'statement.json');
    const { code, json, stderr } = await rebuildJson('reprodemo==1.0.0', '--save-recipe', recipe, '--attest', attest);
    assert.equal(code, 0, stderr);
    assert.equal(wheelOf(json).verdict, 'reproduced');
    assert.equal(json.attempts.length, 1);
    assert.deepEqual(json.attempts[0]!.installed, { setuptools: '67.6.1', wheel: '0.40.0' });
    assert.equal(json.recipe?.python, '3.11');
    assert.equal(json.results.find((f) => f.name.endsWith('.tar.gz'))!.verdict, 'not-rebuilt');

    const statement = JSON.parse(readFileSync(attest, 'utf8')) as { _type: string; predicateType: string; subject: { name: string; digest: { sha256: string } }[]; predicate: { verificationResult: string } };
    assert.equal(statement._type, 'https://in-toto.io/Statement/v1');
    assert.equal(statement.predicateType, 'https://slsa.dev/verification_summary/v1');
    assert.deepEqual(statement.subject.map((s) => [s.name, s.digest.sha256]).sort(), [published.sdist, published.wheel].map((p) => [p.split('/').pop(), sha256(p)]).sort());
    assert.equal(statement.predicate.verificationResult, 'PASSED');
    assert.deepEqual(attestationProblems(statement), []);

    // The recipe, edited by hand: setuptools 65.5.0 builds the same content, and is what the venv
    // holds; with the release's SOURCE_DATE_EPOCH every zip time is the release's too: the same bytes.
    const text = readFileSync(recipe, 'utf8');
    assert.match(text, /\[\[attempt\]\]\nsetuptools = "67\.6\.1"\nwheel = "0\.40\.0"/);
    assert.match(text, /^\[build\.env\]\n\[\[attempt\]\]/m);
    writeFileSync(recipe, text.replace(/^\[build\.env\]\n/m, `[build.env]\nSOURCE_DATE_EPOCH = "${EPOCH}"\n`).replace(/\[\[attempt\]\][\s\S]*$/, '[[attempt]]\nsetuptools = "65.5.0"\nwheel = "0.40.0"\n'));
    const replay = await rebuildJson('reprodemo==1.0.0', '--recipe', recipe);
    assert.equal(replay.code, 0, replay.stderr);
    assert.deepEqual(replay.json.attempts.map((a) => a.installed), [{ setuptools: '65.5.0', wheel: '0.40.0' }]);
    assert.equal(wheelOf(replay.json).verdict, 'identical');
    assert.equal(wheelOf(replay.json).sha256, sha256(published.wheel));
  });

  test('--source: no tag naming the version, or two, stop with exit 2 naming them; --ref builds the sdist and the wheel from the repository', async (t) => {
    if (!ready) return t.skip('needs pyenv Python 3.11.7 and the PyPI wheels');
    release({ version: '1.1.0', setuptools: '67.6.1' });
    const repo = join(WORK, 'repo');
    makeCheckout('setuptools', repo, 0o022, '1.1.0');
    const git = (...args: string[]) => runOk('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.invalid', ...args], { cwd: repo });
    git('init', '-q');
    git('add', '-A');
    git('commit', '-qm', 'release 1.1.0');
    git('tag', 'version_1.1.0');
    const untagged = await runCliAsync(['rebuild', '--index-url', index.url, '--source', repo, 'reprodemo==1.1.0']);
    assert.equal(untagged.code, 2);
    assert.match(untagged.stderr, /no tag matches reprodemo 1\.1\.0 \(tags naming the version: version_1\.1\.0\); looked for 1\.1\.0, v1\.1\.0, release-1\.1\.0, .*; give --ref/);
    git('tag', 'v1.1.0');
    git('tag', 'reprodemo-1.1.0');
    const ambiguous = await runCliAsync(['rebuild', '--index-url', index.url, '--source', repo, 'reprodemo==1.1.0']);
    assert.equal(ambiguous.code, 2);
    assert.match(ambiguous.stderr, /several tags match reprodemo 1\.1\.0: reprodemo-1\.1\.0, v1\.1\.0/);
    const { code, json, stderr } = await rebuildJson('--source', repo, '--ref', 'v1.1.0', 'reprodemo==1.1.0');
    assert.equal(code, 0, stderr);
    // Both routes: the wheel from the published sdist, then the sdist and the wheel from the repository.
    assert.deepEqual(json.attempts.map((a) => a.route), ['sdist', 'source']);
    assert.deepEqual(json.results.map((f) => [f.name, f.verdict, f.routes]), [
      ['reprodemo-1.1.0-py3-none-any.whl', 'reproduced', { sdist: 'reproduced', source: 'reproduced' }],
      ['reprodemo-1.1.0.tar.gz', 'reproduced', { source: 'reproduced' }],
    ]);
  });

  test('the repository named by the sdist\'s Project-URL (a file: URL) is built from by default; without a tag for the version it is skipped, said why, and the sdist route still judges the wheel', async (t) => {
    if (!ready) return t.skip('needs pyenv Python 3.11.7 and the PyPI wheels');
    const repo = join(WORK, 'named-repo');
    // Homepage is not a forge's: not taken for the repository; Source is. In setup.cfg, since
    // pyproject.toml's validation takes no file: URL.
    const urls = (src: string) => {
      const cfg = join(src, 'setup.cfg');
      writeFileSync(cfg, readFileSync(cfg, 'utf8').replace('[metadata]\n', `[metadata]\nproject_urls =\n    Homepage = https://reprodemo.example.invalid/\n    Source = ${pathToFileURL(repo).href}\n`));
    };
    release({ version: '1.2.0', setuptools: '67.6.1', setupCfg: true, edit: urls });
    makeCheckout('setuptools', repo, 0o022, '1.0.0');
    setupCfgProject(repo, '1.2.0');
    urls(repo);
    const git = (...args: string[]) => runOk('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.invalid', ...args], { cwd: repo });
    git('init', '-q');
    git('add', '-A');
    git('commit', '-qm', 'release 1.2.0');

    const untagged = await rebuildJson('reprodemo==1.2.0');
    assert.equal(untagged.code, 0, untagged.stderr);
    assert.match(untagged.json.sourceSkipped ?? '', /no tag matches reprodemo 1\.2\.0/);
    assert.deepEqual(untagged.json.attempts.map((a) => a.route), ['sdist']);
    const sdist = untagged.json.results.find((f) => f.name.endsWith('.tar.gz'))!;
    assert.deepEqual([sdist.verdict, wheelOf(untagged.json).verdict], ['not-rebuilt', 'reproduced']);
    assert.match(sdist.message ?? '', /could not be used: .*no tag matches/);

    git('tag', 'v1.2.0');
    const { code, json, stderr } = await rebuildJson('reprodemo==1.2.0');
    assert.equal(code, 0, stderr);
    assert.ok(json.recipe?.evidence.includes(`the repository ${pathToFileURL(repo).href}: Project-URL Source in the sdist's PKG-INFO`), json.recipe?.evidence.join('\n'));
    assert.deepEqual([json.source?.url, json.source?.ref], [pathToFileURL(repo).href, 'v1.2.0']);
    assert.deepEqual(json.results.map((f) => [f.verdict, f.routes]), [['reproduced', { sdist: 'reproduced', source: 'reproduced' }], ['reproduced', { source: 'reproduced' }]]);
  });

  test('the first candidate writes other metadata (tool-metadata); the next attempt reproduces the release', async (t) => {
    if (!ready) return t.skip('needs pyenv Python 3.11.7 and the PyPI wheels');
    // setuptools 56.0.0 writes "Platform: UNKNOWN" (so 58.1.0 is tried first) and no License-File, which 58.1.0 adds.
    release({ version: '1.0.1', setuptools: '56.0.0', setupCfg: true });
    const { code, json, stderr } = await rebuildJson('reprodemo==1.0.1');
    assert.equal(code, 0, stderr);
    assert.deepEqual(json.attempts.map((a) => [a.pins.setuptools, Object.values(a.verdicts)[0]]), [['58.1.0', 'tool-metadata'], ['56.0.0', 'reproduced']]);
    assert.deepEqual([wheelOf(json).verdict, wheelOf(json).attempt], ['reproduced', 2]);
  });

  test('CRLF line endings in the published METADATA: tool-metadata, explained; every candidate is tried', async (t) => {
    if (!ready) return t.skip('needs pyenv Python 3.11.7 and the PyPI wheels');
    const published = release({ version: '1.0.2', setuptools: '67.6.1' });
    // As pip 23.2.1's wheel on PyPI: METADATA with CRLF, RECORD hashing it so.
    runOk('/usr/bin/python3', ['-c', CRLF_METADATA, published.wheel]);
    const { code, json, stderr } = await rebuildJson('reprodemo==1.0.2');
    assert.equal(code, 1, stderr);
    const wheel = wheelOf(json);
    assert.equal(wheel.verdict, 'tool-metadata');
    assert.deepEqual(wheel.projectFiles, []);
    assert.deepEqual(wheel.toolFiles.sort(), ['reprodemo-1.0.2.dist-info/METADATA', 'reprodemo-1.0.2.dist-info/RECORD']);
    assert.ok(wheel.notes.includes('reprodemo-1.0.2.dist-info/METADATA: line endings only (CRLF on one side)'), wheel.notes.join('\n'));
    assert.ok(wheel.notes.includes('reprodemo-1.0.2.dist-info/RECORD: changed only because the members it hashes did'), wheel.notes.join('\n'));
    // Both setuptools versions >= 61 the index held before the upload.
    assert.deepEqual(json.attempts.map((a) => a.pins.setuptools), ['67.6.1', '65.5.0']);
  });

  test('a wheel whose module differs from its sdist: differs, the module named, no further attempt; the attestation says FAILED; the --html page shows the recipe, the attempt and the diff', async (t) => {
    if (!ready) return t.skip('needs pyenv Python 3.11.7 and the PyPI wheels');
    release({
      version: '1.0.3', setuptools: '67.6.1',
      editWheel: (src) => writeFileSync(join(src, 'src/reprodemo/core.py'), `${readFileSync(join(src, 'src/reprodemo/core.py'), 'utf8')}\nBACKDOOR = True\n`),
    });
    const attest = join(WORK, 'differs.json');
    const html = join(WORK, 'differs.html');
    const result = await runCliAsync(['rebuild', '--index-url', index.url, '--attest', attest, '--html', html, 'reprodemo==1.0.3']);
    assert.equal(result.code, 1, result.stderr);
    const statement = JSON.parse(readFileSync(attest, 'utf8')) as { predicate: { verificationResult: string } };
    assert.deepEqual([statement.predicate.verificationResult, attestationProblems(statement)], ['FAILED', []]);
    // The page: the verdict, the recipe as the file --recipe replays, the attempt, the module named with its diff.
    const page = readFileSync(html, 'utf8');
    assert.match(page, /<p class="verdict differ" id="verdict">Differ: 2 published files \(1 differs, 1 not-rebuilt\), exit 1<\/p>/);
    assert.match(page, /<pre># A reprodist rebuild recipe[^<]*\[\[attempt\]\]\nsetuptools = &quot;67\.6\.1&quot;/);
    assert.match(page, /<tr><td class="num">1<\/td><td>sdist<\/td><td>setuptools 67\.6\.1, wheel 0\.40\.0<\/td><td>3\.11\.7<\/td>/);
    assert.match(page, /<h2>Project files that differ<\/h2><ul><li>reprodemo\/core\.py<\/li><\/ul>/);
    assert.match(page, /BACKDOOR/);
    assert.match(result.stdout, /differs +reprodemo-1\.0\.3-py3-none-any\.whl \(attempt 1\)/);
    assert.match(result.stdout, /project files differ: reprodemo\/core\.py/);
    // The diff runs published → rebuilt: the published line is the removed one.
    assert.match(result.stdout, /^\s*-BACKDOOR = True$/m);
    assert.doesNotMatch(result.stdout, /attempt 2/);
  });

  test('a build that fails: not-rebuilt, exit 2, with the end of the build log', async (t) => {
    if (!ready) return t.skip('needs pyenv Python 3.11.7 and the PyPI wheels');
    release({
      version: '1.0.4', setuptools: '67.6.1',
      // Only the sdist's copy fails: the release itself built.
      edit: (src) => writeFileSync(join(src, 'setup.py'), 'import os\nif os.path.exists("PKG-INFO"):\n    raise SystemExit("this sdist cannot build its wheel")\nfrom setuptools import setup\nsetup()\n'),
    });
    const { code, json } = await rebuildJson('reprodemo==1.0.4', '--attempts', '1');
    assert.equal(code, 2);
    const wheel = wheelOf(json);
    assert.equal(wheel.verdict, 'not-rebuilt');
    assert.match(wheel.message ?? '', /build_wheel failed/);
    assert.ok(wheel.logTail?.some((line) => line.includes('this sdist cannot build its wheel')), wheel.logTail?.join('\n'));
  });

  test('a hostile published sdist is refused and nothing is built from it', async (t) => {
    if (!ready) return t.skip('needs pyenv Python 3.11.7 and the PyPI wheels');
    const dir = join(WORK, 'hostile');
    mkdirSync(dir);
    const sdist = join(dir, 'reprodemo-1.0.5.tar.gz');
    runOk('/usr/bin/python3', ['-c', HOSTILE_SDIST, sdist]);
    index.add({ path: sdist, uploadTime: RELEASED });
    const { code, json } = await rebuildJson('reprodemo==1.0.5');
    assert.equal(code, 2);
    assert.equal(json.results[0]!.verdict, 'refused');
    assert.match(json.results[0]!.message ?? '', /\.\./);
    assert.equal(json.attempts.length, 0);
  });

  test('no server at all: the index a directory named by a file: URL, the release\'s files a plain path; each file uploaded at its mtime', async (t) => {
    if (!ready) return t.skip('needs pyenv Python 3.11.7 and the PyPI wheels');
    const published = release({ version: '1.3.0', setuptools: '67.6.1' });
    const indexDir = join(WORK, 'directory-index');
    const releaseDir = join(WORK, 'directory-release');
    mkdirSync(indexDir);
    mkdirSync(releaseDir);
    for (const name of readdirSync(WHEELS)) {
      cpSync(join(WHEELS, name), join(indexDir, name));
      const uploaded = Date.parse(`${PYPI_UPLOAD_DATES[name]}T12:00:00Z`) / 1000;
      utimesSync(join(indexDir, name), uploaded, uploaded);
    }
    for (const path of [published.sdist, published.wheel]) {
      const copy = join(releaseDir, path.split('/').pop()!);
      cpSync(path, copy);
      utimesSync(copy, Date.parse(RELEASED) / 1000, Date.parse(RELEASED) / 1000);
    }
    const result = await runCliAsync(['rebuild', '--json', '--index-url', pathToFileURL(indexDir).href, '--files', releaseDir, 'reprodemo==1.3.0']);
    const json = JSON.parse(result.stdout) as Awaited<ReturnType<typeof rebuildJson>>['json'] & { uploadTime: string };
    assert.equal(result.code, 0, result.stderr);
    assert.equal(json.uploadTime, new Date(RELEASED).toISOString());
    // Installed from the directory, whose files pip sees only if their mtimes put them before the upload.
    assert.deepEqual(json.attempts.map((a) => a.installed), [{ setuptools: '67.6.1', wheel: '0.40.0' }]);
    assert.equal(wheelOf(json).verdict, 'reproduced');
  });

  test('the index down: exit 2, saying so', async (t) => {
    if (!ready) return t.skip('needs pyenv Python 3.11.7 and the PyPI wheels');
    const down = await startPackageIndex();
    await down.close();
    const result = await runCliAsync(['rebuild', '--index-url', down.url, 'reprodemo==1.0.0']);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /the index cannot be reached: .*connection refused/);
  });

  test('--list writes one result per release and a second run skips them', async (t) => {
    if (!ready) return t.skip('needs pyenv Python 3.11.7 and the PyPI wheels');
    const list = join(WORK, 'releases.txt');
    const results = join(WORK, 'results');
    writeFileSync(list, '# releases\nreprodemo==1.0.5\nreprodemo==9.9.9\n');
    const first = await runCliAsync(['rebuild', '--json', '--index-url', index.url, '--list', list, '--results', results]);
    assert.equal(first.code, 2);
    assert.deepEqual(readdirSync(results).sort(), ['reprodemo-1.0.5.json', 'reprodemo-9.9.9.json']);
    const downloads = index.downloads.get('reprodemo-1.0.5.tar.gz');
    const second = JSON.parse((await runCliAsync(['rebuild', '--json', '--index-url', index.url, '--list', list, '--results', results])).stdout) as { skipped: number; summary: Record<string, number> };
    assert.equal(second.skipped, 2);
    assert.equal(index.downloads.get('reprodemo-1.0.5.tar.gz'), downloads);
    assert.deepEqual([second.summary.refused, second.summary['not-rebuilt']], [1, 1]);
  });

  test('--list interrupted by Ctrl-C during a build: the finished release is kept and not redone, the scratch is gone, the next run rebuilds the rest', async (t) => {
    if (!ready) return t.skip('needs pyenv Python 3.11.7 and the PyPI wheels');
    const done = release({ version: '1.0.6', setuptools: '67.6.1' });
    release({ version: '1.0.7', setuptools: '67.6.1' });
    const list = join(WORK, 'interrupted.txt');
    const results = join(WORK, 'interrupted-results');
    const scratch = join(WORK, 'interrupted-tmp');
    mkdirSync(results);
    mkdirSync(scratch);
    writeFileSync(list, 'reprodemo==1.0.6\nreprodemo==1.0.7\n');
    const args = ['rebuild', '--json', '--index-url', index.url, '--list', list, '--results', results];
    // Each attempt's fresh venv downloads setuptools once: the second download from now is 1.0.7's build.
    const setuptools = 'setuptools-67.6.1-py3-none-any.whl';
    const secondBuild = index.downloaded(setuptools, (index.downloads.get(setuptools) ?? 0) + 2);
    const env = { ...process.env, TMPDIR: scratch };
    // The leader of its own process group, as a terminal's job is: Ctrl-C reaches the builds too.
    const child = spawn(process.execPath, [CLI, ...args], { cwd: REPO_ROOT, env, detached: true, stdio: ['ignore', 'ignore', 'pipe'] });
    const stderr = collect(child.stderr);
    // 'close', not 'exit': stderr is read to its end by then.
    const closed = once(child, 'close') as Promise<[number | null, NodeJS.Signals | null]>;
    await secondBuild;
    assert.deepEqual(readdirSync(results), ['reprodemo-1.0.6.json']);
    process.kill(-child.pid!, 'SIGINT');
    assert.equal(exitStatus(...(await closed)), 130, stderr.text());
    assert.match(stderr.text(), /interrupted \(SIGINT\)/);
    assert.deepEqual(readdirSync(results), ['reprodemo-1.0.6.json']);
    assert.deepEqual(readdirSync(scratch), []);

    const downloads = [done.sdist, done.wheel].map((path) => index.downloads.get(path.split('/').pop()!));
    const resumed = await runCliAsync(args, { env });
    const report = JSON.parse(resumed.stdout) as { skipped: number; summary: Record<string, number>; results: { release: string; rebuilt: boolean }[] };
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.deepEqual(report.results.map((r) => [r.release, r.rebuilt]), [['reprodemo==1.0.6', false], ['reprodemo==1.0.7', true]]);
    assert.equal(report.skipped, 1);
    assert.equal(report.summary.reproduced, 2);
    assert.deepEqual([done.sdist, done.wheel].map((path) => index.downloads.get(path.split('/').pop()!)), downloads);
    assert.deepEqual(readdirSync(results).sort(), ['reprodemo-1.0.6.json', 'reprodemo-1.0.7.json']);
    assert.deepEqual(readdirSync(scratch), []);
  });
});

/** Rewrites a wheel's METADATA with CRLF line endings and its RECORD line to match. */
const CRLF_METADATA = `
import base64, hashlib, sys, zipfile
path = sys.argv[1]
with zipfile.ZipFile(path) as z:
    items = [(i, z.read(i)) for i in z.infolist()]
def digest(data):
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
meta = [n for n, _ in [(i.filename, d) for i, d in items] if n.endswith(".dist-info/METADATA")][0]
data = dict((i.filename, d) for i, d in items)
data[meta] = data[meta].replace(b"\\n", b"\\r\\n")
record = [n for n in data if n.endswith(".dist-info/RECORD")][0]
rows = []
for row in data[record].decode().splitlines():
    name = row.split(",")[0]
    rows.append("%s,%s,%d" % (name, digest(data[name]), len(data[name])) if name == meta else row)
data[record] = ("\\n".join(rows) + "\\n").encode()
with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
    for info, _ in items:
        z.writestr(info, data[info.filename])
`;

/** An sdist with a member that climbs out of the directory it is unpacked into. */
const HOSTILE_SDIST = `
import io, sys, tarfile
with tarfile.open(sys.argv[1], "w:gz") as tar:
    for name, data in [("reprodemo-1.0.5/PKG-INFO", b"Metadata-Version: 2.1\\nName: reprodemo\\nVersion: 1.0.5\\n"), ("reprodemo-1.0.5/../../evil.py", b"print('escaped')\\n")]:
        info = tarfile.TarInfo(name)
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
`;
