// Issue 20: the strict gzip and tar readers account for every byte of the sdists they accept. Here
// over the golden pairs and the fixture sdists (no tools needed); the differential suite
// (test/cli/differential-tar.test.ts) does it over every crafted and written input it accepts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { tarCoverageGaps } from '../helpers/coverage-tar.js';
import { REPO_ROOT } from '../helpers/tools.js';

const SDISTS = ['fixtures/golden/sdist', 'fixtures/dist'].flatMap((dir) =>
  readdirSync(join(REPO_ROOT, dir)).filter((name) => name.endsWith('.tar.gz')).map((name) => join(REPO_ROOT, dir, name)));

test('every byte of the golden and fixture sdists is interpreted or checked by the gzip and tar readers', async () => {
  assert.ok(SDISTS.length >= 7, SDISTS.join(', '));
  const gaps = (await Promise.all(SDISTS.map(tarCoverageGaps))).flat();
  assert.deepEqual(gaps, []);
});
