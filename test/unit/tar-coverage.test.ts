// Issue 20: the strict gzip and tar readers account for every byte of the sdists they accept. Here
// over the golden pairs and the fixture sdists (no tools needed); the differential suite
// (test/cli/differential-tar.test.ts) does it over every crafted and written input it accepts. And
// the gzip padding rule holds on every run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { indexSdist } from '../../src/normalize/sdist/read.js';
import { tarCoverageGaps } from '../helpers/coverage-tar.js';
import { REPO_ROOT } from '../helpers/tools.js';

const SDISTS = ['fixtures/golden/sdist', 'fixtures/dist'].flatMap((dir) =>
  readdirSync(join(REPO_ROOT, dir)).filter((name) => name.endsWith('.tar.gz')).map((name) => join(REPO_ROOT, dir, name)));

test('every byte of the golden and fixture sdists is interpreted or checked by the gzip and tar readers', async () => {
  assert.ok(SDISTS.length >= 7, SDISTS.join(', '));
  const gaps = (await Promise.all(SDISTS.map(tarCoverageGaps))).flat();
  assert.deepEqual(gaps, []);
});

test('zero padding after the gzip member is read to the end, on every run', async (t) => {
  // Before, the file was read only as far as zlib consumed it, and zlib stops at the padding:
  // normalize and check refused such a file now and then ("read 524288 bytes of a file of 1048723").
  const tar = gunzipSync(readFileSync(SDISTS[0]!));
  const member = gzipSync(tar, { level: 9 });
  const padded = Buffer.concat([member, Buffer.alloc(1048723 - member.length)]);
  const dir = mkdtempSync(join(tmpdir(), 'reprodist-padding-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'padded-1.0.tar.gz');
  writeFileSync(path, padded);
  for (let run = 0; run < 5; run++) {
    const index = await indexSdist(path, null);
    assert.equal(index.tarSize, tar.length, `run ${run}`);
  }
  assert.deepEqual(await tarCoverageGaps(path), []);
});
