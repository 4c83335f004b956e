// bin/reprodist's code cache (see the top of bin/reprodist and scripts/bundle.mjs): a run compiles
// only the bundle's files it needs, dist/reprodist.cjs alone for a normalize run, and the compiled
// code of each file it read is kept under $XDG_CACHE_HOME/reprodist/compiled/, a file for each shape
// of run; cached code V8 refuses is written again, cached code it takes is left as it is, and a
// cache directory that cannot be made costs the cache and nothing else.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT, envWithout, runCli, tmpDir } from '../helpers/tools.js';

const RAW = join(REPO_ROOT, 'fixtures', 'dist');
const SDIST = join(RAW, 'reprodemo-1.0.0+flit.tar.gz');
const OTHER_SDIST = join(RAW, 'reprodemo-1.0.0+hatchling.tar.gz');
const DIST = join(REPO_ROOT, 'dist');

/** The bundle's files by size: a cache file's name ends with the size of the file it is for. */
const BUNDLE_BY_SIZE = new Map(readdirSync(DIST).filter((name) => /^reprodist.*\.cjs$/.test(name)).map((name) => [statSync(join(DIST, name)).size, name]));

function cacheEnv(cacheHome: string): NodeJS.ProcessEnv {
  return envWithout({ XDG_CACHE_HOME: cacheHome }, ['SOURCE_DATE_EPOCH', 'NODE_DISABLE_COMPILE_CACHE']);
}

function cacheDir(cacheHome: string): string {
  return join(cacheHome, 'reprodist', 'compiled');
}

/** The bundle's files that have compiled code in the cache, by name. */
function cachedFiles(cacheHome: string): string[] {
  return readdirSync(cacheDir(cacheHome)).map((cache) => {
    const size = Number(/-(\d+)\.bin$/.exec(cache)?.[1]);
    const file = BUNDLE_BY_SIZE.get(size);
    assert.ok(file, `${cache} is for no file of the bundle`);
    return file;
  }).sort();
}

/** Normalizes the small sdist into `out`; a run that takes `timeout` ms (a hang: it takes well under a second) is killed and fails. */
function normalizeSmallSdist(cacheHome: string, out: string, timeout?: number): void {
  const r = runCli(['--epoch', '1700000000', '--out', out, SDIST], { env: cacheEnv(cacheHome), ...(timeout ? { timeout } : {}) });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.ok(existsSync(join(out, 'reprodemo-1.0.0+flit.tar.gz')));
}

test('the bundle is split into files of different sizes (how the cache files are told apart here)', () => {
  const files = readdirSync(DIST).filter((name) => /^reprodist.*\.cjs$/.test(name));
  assert.ok(files.includes('reprodist.cjs') && files.length > 1, files.join(', '));
  assert.equal(BUNDLE_BY_SIZE.size, files.length);
});

test('a normalize run compiles reprodist.cjs alone; compare --html adds the HTML page and keeps its code too', (t) => {
  const cacheHome = tmpDir(t);
  normalizeSmallSdist(cacheHome, tmpDir(t));
  assert.deepEqual(cachedFiles(cacheHome), ['reprodist.cjs']);

  const page = join(tmpDir(t), 'page.html');
  const r = runCli(['compare', '--html', page, SDIST, OTHER_SDIST], { env: cacheEnv(cacheHome) });
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.match(readFileSync(page, 'utf8'), /\.d2h-wrapper\{/);
  const cached = cachedFiles(cacheHome);
  assert.ok(cached.includes('reprodist.cjs'));
  assert.ok(cached.some((file) => file.startsWith('reprodist-html-report-')), cached.join(', '));
  // Not a terminal: no progress bars, so cli-progress was neither read nor cached.
  assert.ok(!cached.some((file) => file.startsWith('reprodist-cli-progress-')), cached.join(', '));
});

test('cached code V8 refuses is written again; cached code it takes is left as it is', (t) => {
  const cacheHome = tmpDir(t);
  normalizeSmallSdist(cacheHome, tmpDir(t));
  const [cache] = readdirSync(cacheDir(cacheHome));
  const path = join(cacheDir(cacheHome), cache!);
  const garbage = Buffer.alloc(statSync(path).size, 0x5a);
  writeFileSync(path, garbage);

  normalizeSmallSdist(cacheHome, tmpDir(t));
  const rewritten = readFileSync(path);
  assert.ok(!rewritten.equals(garbage), 'the refused cache was not written again');
  normalizeSmallSdist(cacheHome, tmpDir(t));
  assert.ok(readFileSync(path).equals(rewritten), 'a cache V8 took was written again');
  assert.deepEqual(readdirSync(cacheDir(cacheHome)), [cache]);
});

test('each shape of run has cache files of its own, which runs of other shapes leave as they are', (t) => {
  const cacheHome = tmpDir(t);
  const wheel = join(RAW, 'reprodemo-1.0.0+flit-py3-none-any.whl');
  const checked = runCli(['check', wheel], { env: cacheEnv(cacheHome) });
  assert.equal(checked.code, 1, checked.stdout + checked.stderr);
  const [wheelCache] = readdirSync(cacheDir(cacheHome));
  const afterWheel = readFileSync(join(cacheDir(cacheHome), wheelCache!));

  // Another verb on another kind: a file of its own for the same bundle file. One cache for both,
  // written again by each, lost what V8 had flushed of the other's code.
  normalizeSmallSdist(cacheHome, tmpDir(t));
  const files = readdirSync(cacheDir(cacheHome));
  assert.equal(files.length, 2, files.join(', '));
  assert.deepEqual(cachedFiles(cacheHome), ['reprodist.cjs', 'reprodist.cjs']);
  const [sdistCache] = files.filter((name) => name !== wheelCache);
  const afterSdist = readFileSync(join(cacheDir(cacheHome), sdistCache!));

  // Runs of either shape leave both as they are.
  normalizeSmallSdist(cacheHome, tmpDir(t));
  assert.equal(runCli(['check', wheel], { env: cacheEnv(cacheHome) }).code, 1);
  assert.ok(readFileSync(join(cacheDir(cacheHome), wheelCache!)).equals(afterWheel), "the wheel's cache was written again");
  assert.ok(readFileSync(join(cacheDir(cacheHome), sdistCache!)).equals(afterSdist), "the sdist's cache was written again");
  assert.equal(readdirSync(cacheDir(cacheHome)).length, 2);
});

test('the cache keeps its newest files: a run that writes one removes the oldest beyond the limit', (t) => {
  const kept = Number(/const KEPT_CACHE_FILES = (\d+);/.exec(readFileSync(join(REPO_ROOT, 'bin', 'reprodist'), 'utf8'))?.[1]);
  assert.ok(kept > 1, 'bin/reprodist declares KEPT_CACHE_FILES');
  const cacheHome = tmpDir(t);
  const dir = cacheDir(cacheHome);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  // Files of other builds, each a day newer than the one before, all older than the run's own.
  const others = Array.from({ length: kept + 4 }, (_, i) => `other-${String(i).padStart(2, '0')}.bin`);
  others.forEach((name, i) => {
    writeFileSync(join(dir, name), 'compiled elsewhere');
    utimesSync(join(dir, name), 1e9 + i * 86_400, 1e9 + i * 86_400);
  });
  normalizeSmallSdist(cacheHome, tmpDir(t));
  const left = readdirSync(dir).sort();
  assert.equal(left.length, kept, left.join(', '));
  assert.deepEqual(left.filter((name) => name.startsWith('other-')), others.slice(others.length - (kept - 1)));
  // A run that writes nothing removes nothing.
  writeFileSync(join(dir, 'other-newest.bin'), 'compiled elsewhere');
  normalizeSmallSdist(cacheHome, tmpDir(t));
  assert.equal(readdirSync(dir).length, kept + 1);
});

test('a run that stops early (exit 2) writes no cache; the next run that gets through writes it', (t) => {
  const cacheHome = tmpDir(t);
  const refused = runCli(['--epoch', '1700000000', '--out', tmpDir(t), join(tmpDir(t), 'missing-1.0.tar.gz')], { env: cacheEnv(cacheHome) });
  assert.equal(refused.code, 2, refused.stdout + refused.stderr);
  assert.ok(!existsSync(cacheDir(cacheHome)) || readdirSync(cacheDir(cacheHome)).length === 0);
  normalizeSmallSdist(cacheHome, tmpDir(t));
  assert.deepEqual(cachedFiles(cacheHome), ['reprodist.cjs']);
});

test('a cache directory that cannot be made (below a dangling symbolic link, in /proc) costs the cache only', (t) => {
  const dir = tmpDir(t);
  const dangling = join(dir, 'dangling');
  symlinkSync(join(dir, 'nothing-here'), dangling);
  // Node's recursive mkdir spins for ever on both; a time limit far above a run's turns a hang into a failure.
  for (const cacheHome of [dangling, join(dangling, 'cache'), '/proc/reprodist-no-such-dir']) {
    normalizeSmallSdist(cacheHome, tmpDir(t), 60_000);
  }
  assert.ok(!existsSync(join(dir, 'nothing-here')));
});
