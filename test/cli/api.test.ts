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

test('bad settings and a bad file are in the report, not thrown', async (t) => {
  const badLevel = await api.check([], { level: 12 });
  assert.deepEqual([badLevel.command, badLevel.exitCode, badLevel.results, badLevel.epoch], ['check', 2, [], undefined]);
  assert.match(badLevel.problems[0]!, /level.*12/);
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
  assert.equal(a.results[0]!.digest, b.results[0]!.digest, 'same content, same digest');
  const comparison = await api.compare(raw, normalized);
  assert.equal(comparison.exitCode, 1);
  assert.equal(comparison.results[0]!.verdict, 'same-content');
});

test('settings are validated as on the command line: a bad value is a problem, a wrong type a TypeError naming it', async (t) => {
  const dir = tmpDir(t);
  const sdist = join(dir, 'reprodemo-1.0.0+flit.tar.gz');
  copyFileSync(join(REPO_ROOT, 'fixtures', 'dist', 'reprodemo-1.0.0+flit.tar.gz'), sdist);
  for (const mtime of ['bogus', 'CLAMP', '']) {
    const report = await api.check(sdist, { epoch: 1700000000, mtime: mtime as 'clamp' });
    assert.deepEqual([report.exitCode, report.results], [2, []], mtime);
    const problem = report.problems.join('\n');
    assert.ok(/mtime/.test(problem) && problem.includes(JSON.stringify(mtime)) && /epoch/.test(problem) && /clamp/.test(problem), problem);
  }
  for (const level of [0, 10, 2.5]) {
    const report = await api.check(sdist, { epoch: 1700000000, level });
    assert.equal(report.exitCode, 2, String(level));
    assert.match(report.problems.join('\n'), /level.*1.*9/, String(level));
  }
  // A numeric string is a type TypeScript rejects: a programming error, thrown, naming the field.
  await assert.rejects(api.check(sdist, { epoch: 1700000000, level: '9' as unknown as number }), (e: Error) => e instanceof TypeError && /check: options\.level must be a number, got "9"/.test(e.message));
  await assert.rejects(api.digest(42 as unknown as string), (e: Error) => e instanceof TypeError && /digest: paths must be a string or an array of strings, got number/.test(e.message));
  await assert.rejects(api.compare(sdist, undefined as unknown as string), (e: Error) => e instanceof TypeError && /compare: b must be a path/.test(e.message));
  assert.equal((await api.check(sdist, { epoch: 1700000000, mtime: 'clamp', level: 9 })).exitCode, 1);
});
