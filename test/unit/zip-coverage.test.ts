// Every byte accounted for (issue #20): the strict reader, given a ByteCoverage, marks what it
// interpreted or checked. Each fixture wheel and each accepted byte-level case must be covered whole;
// each refused case must fail in the reader with a message naming an offset. (test/cli/
// differential-zip.test.ts holds the same cases to pip, zipfile and unzip.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ByteCoverage } from '../../src/formats/coverage.js';
import { ZipFormatError } from '../../src/formats/zip/index.js';
import { zipCoverageGaps } from '../helpers/coverage-zip.js';
import { REPO_ROOT, tmpDir } from '../helpers/tools.js';
import { assembleZip } from '../helpers/zip-bytes.js';
import { ZIP_BYTE_CASES } from '../helpers/zip-cases.js';

test('each fixture and golden wheel is covered byte by byte', async () => {
  const wheels = ['fixtures/golden/wheel', 'fixtures/dist'].flatMap((folder) =>
    readdirSync(join(REPO_ROOT, folder)).filter((f) => f.endsWith('.whl')).map((f) => join(folder, f)),
  );
  assert.ok(wheels.length >= 7, wheels.join(', '));
  const gaps: string[] = [];
  for (const wheel of wheels) for (const gap of await zipCoverageGaps(join(REPO_ROOT, wheel))) gaps.push(`${wheel}: ${gap}`);
  assert.deepEqual(gaps, []);
});

test('each byte-level case is covered whole when accepted, refused with an offset otherwise', async (t) => {
  const dir = tmpDir(t);
  for (const c of ZIP_BYTE_CASES) {
    const file = join(dir, `${c.name}.whl`);
    writeFileSync(file, assembleZip(c.archive()).bytes);
    if (c.expect === 'accept') {
      assert.deepEqual(await zipCoverageGaps(file), [], c.name);
      continue;
    }
    await assert.rejects(zipCoverageGaps(file), (err: unknown) => {
      assert.ok(err instanceof ZipFormatError, `${c.name}: ${String(err)}`);
      assert.match(err.message, /offsets? \d+/, c.name);
      return true;
    });
  }
});

test('a gap names its offsets and the structures around it', () => {
  const coverage = new ByteCoverage();
  coverage.mark(0, 30, 'local file header of a');
  coverage.mark(34, 80, 'central directory header 0 (a)');
  assert.deepEqual(coverage.describeGaps(100), [
    'bytes 30-33 not accounted for (after local file header of a, before central directory header 0 (a))',
    'bytes 80-99 not accounted for (after central directory header 0 (a), before the end)',
  ]);
});
