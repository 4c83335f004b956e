// A new artefact kind is one handler and one row in normalize's table: registered here, a toy kind
// (legacy `.zip` sdists, read and written by the wheel handler's zip code, named and paired as
// sdists are) is found by normalize, check, digest and compare through the library, with no other
// file knowing about it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { requireTools, runOk, tmpDir } from '../helpers/tools.js';
import { check, compare, digest, normalize } from '../../src/index.js';
import { handlerFor, registerHandler } from '../../src/normalize/index.js';
import type { ArtefactHandler } from '../../src/normalize/index.js';
import { sdistHandler } from '../../src/normalize/sdist/index.js';
import { wheelHandler } from '../../src/normalize/wheel/index.js';

const zipSdistHandler: ArtefactHandler = {
  ...wheelHandler,
  kind: 'zip-sdist',
  suffix: '.zip',
  described: 'a zip sdist (.zip)',
  pairedAs: 'zip sdist',
  parseName: (fileName) => {
    const name = sdistHandler.parseName(fileName.replace(/\.zip$/, '.tar.gz'));
    return name && { ...name, kind: 'zip-sdist' };
  },
  roots: sdistHandler.roots,
  memberRoles: sdistHandler.memberRoles,
  // A wheel without a RECORD is a problem; an sdist has none.
  normalize: async (...args) => ({ ...(await wheelHandler.normalize(...args)), problems: [] }),
};

/** A release of the toy project as a `.zip` sdist, written by Info-ZIP with its own times and extra fields. */
function release(parent: string, version: string, core: string): string {
  const top = join(parent, 'tree', `toy-${version}`);
  mkdirSync(join(top, 'src', 'toy'), { recursive: true });
  mkdirSync(join(top, 'docs'), { recursive: true });
  writeFileSync(join(top, 'PKG-INFO'), `Metadata-Version: 2.1\nName: toy\nVersion: ${version}\n`);
  writeFileSync(join(top, 'docs', 'index.rst'), `toy ${version}\n`);
  writeFileSync(join(top, 'src', 'toy', '__init__.py'), '');
  writeFileSync(join(top, 'src', 'toy', 'core.py'), core);
  mkdirSync(join(parent, 'dist'), { recursive: true });
  const zip = join(parent, 'dist', `toy-${version}.zip`);
  runOk('zip', ['-qr', zip, `toy-${version}`], { cwd: join(parent, 'tree') });
  return zip;
}

test('a kind registered in one table is found by normalize, check, digest and compare', async (t) => {
  if (!requireTools(t, 'zip')) return;
  const dir = tmpDir(t);
  const older = release(join(dir, 'a'), '1.0', 'VALUE = 1\n');
  const newer = release(join(dir, 'b'), '1.1', 'VALUE = 2\n');
  assert.equal(handlerFor(older), undefined, 'unknown before it is registered');
  const unknown = await check(older);
  assert.deepEqual([unknown.exitCode, unknown.results], [2, []]);
  assert.match(unknown.problems[0]!, /not an sdist \(\.tar\.gz\) or a wheel \(\.whl\)$/);

  registerHandler(zipSdistHandler);
  assert.equal(handlerFor(older), zipSdistHandler);

  const before = await check(join(dir, 'a', 'dist'), { epoch: 1700000000 });
  assert.equal(before.exitCode, 1, JSON.stringify(before));
  assert.deepEqual(before.results.map((r) => [r.kind, r.status]), [['zip-sdist', 'not-normal']]);
  const digestBefore = await digest(older);
  assert.equal(digestBefore.results[0]!.status, 'ok');

  const written = await normalize([older, newer], { epoch: 1700000000 });
  assert.deepEqual(written.results.map((r) => r.status), ['normalized', 'normalized'], JSON.stringify(written.problems));
  assert.equal((await check(older, { epoch: 1700000000 })).exitCode, 0);
  assert.equal((await digest(older)).results[0]!.digest, digestBefore.results[0]!.digest, 'the content is unchanged');

  // Two releases in two directories: paired by the kind's name grammar, members by its roots, the
  // changed module of the package read before the docs.
  const comparison = await compare(join(dir, 'a', 'dist'), join(dir, 'b', 'dist'));
  const [pair] = comparison.results;
  assert.equal(comparison.exitCode, 1);
  assert.deepEqual([pair!.kind, pair!.pairedBy, pair!.pairedAs, pair!.version], ['zip-sdist', 'project', 'zip sdist', { a: '1.0', b: '1.1' }]);
  assert.deepEqual(pair!.renamedRoots, [{ a: 'toy-1.0', b: 'toy-1.1', version: { a: '1.0', b: '1.1' } }]);
  assert.deepEqual(pair!.members.map((m) => [m.name, m.role]), [
    ['toy-1.0/PKG-INFO', 'core-metadata'],
    ['toy-1.0/src/toy/core.py', 'package'],
    ['toy-1.0/docs/index.rst', 'other'],
  ]);
});
