// The library API as a user imports it: the built ESM entry point named in package.json "exports".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT, tmpDir } from '../helpers/tools.js';

const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { exports: { '.': { import: string } } };
const api = (await import(join(REPO_ROOT, pkg.exports['.'].import))) as typeof import('../../src/index.js');

test('normalize and check return structured results and do not print', async (t) => {
  const dir = tmpDir(t);
  const sdist = join(dir, 'reprodemo-1.0.0+flit.tar.gz');
  copyFileSync(join(REPO_ROOT, 'fixtures', 'dist', 'reprodemo-1.0.0+flit.tar.gz'), sdist);
  const before = await api.check(sdist, { epoch: 1700000000 });
  assert.equal(before.exitCode, 1);
  assert.equal(before.results[0]!.status, 'not-normal');
  assert.ok(before.results[0]!.changes.some((c) => c.field === 'gzip MTIME'));
  const out = join(dir, 'out');
  const done = await api.normalize(sdist, { epoch: 1700000000, jobs: 1, out });
  assert.equal(done.exitCode, 0);
  assert.equal(done.results[0]!.status, 'normalized');
  assert.equal(done.results[0]!.output, join(out, 'reprodemo-1.0.0+flit.tar.gz'));
  const after = await api.check(join(out, 'reprodemo-1.0.0+flit.tar.gz'), { epoch: 1700000000 });
  assert.deepEqual([after.exitCode, after.results[0]!.status], [0, 'normal']);
});

test('bad settings throw UsageError; a bad file is a refused result, not a throw', async (t) => {
  await assert.rejects(api.check([], { level: 12 }), api.UsageError);
  const dir = tmpDir(t);
  const bad = join(dir, 'bad-1.0.tar.gz');
  copyFileSync(join(REPO_ROOT, 'README.md'), bad);
  const report = await api.normalize(bad, { epoch: 1700000000 });
  assert.equal(report.exitCode, 2);
  assert.equal(report.results[0]!.status, 'refused');
  assert.match(report.results[0]!.message!, /not a gzip file/);
});

test('compare and digest are part of the API', async (t) => {
  const dir = tmpDir(t);
  const raw = join(REPO_ROOT, 'fixtures', 'dist', 'reprodemo-1.0.0+flit.tar.gz');
  const out = join(dir, 'out');
  await api.normalize(raw, { epoch: 1700000000, out });
  const normalized = join(out, 'reprodemo-1.0.0+flit.tar.gz');
  const [a, b] = await Promise.all([api.digest(raw), api.digest(normalized)]);
  assert.equal(a.digest, b.digest, 'same content, same digest');
  const comparison = await api.compare(raw, normalized);
  assert.equal(comparison.exitCode, 1);
  assert.equal(comparison.pairs[0]!.verdict, 'same-content');
});

test('settings are validated as on the command line: enums exactly, numbers as numbers', async (t) => {
  const dir = tmpDir(t);
  const sdist = join(dir, 'reprodemo-1.0.0+flit.tar.gz');
  copyFileSync(join(REPO_ROOT, 'fixtures', 'dist', 'reprodemo-1.0.0+flit.tar.gz'), sdist);
  for (const mtime of ['bogus', 'CLAMP', '']) {
    await assert.rejects(api.check(sdist, { epoch: 1700000000, mtime: mtime as 'clamp' }), (e: Error) => e instanceof api.UsageError && /^mtime: ".*" is not one of epoch, clamp$/.test(e.message), mtime);
  }
  // A numeric string is refused, showing that it is a string: "9", not 9.
  await assert.rejects(api.check(sdist, { epoch: 1700000000, level: '9' as unknown as number }), (e: Error) => e instanceof api.UsageError && e.message === 'level: "9" is not a whole number from 1 to 9');
  assert.equal((await api.check(sdist, { epoch: 1700000000, mtime: 'clamp', level: 9 })).exitCode, 1);
});
