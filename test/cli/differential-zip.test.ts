// Issue 10: wheels are read as pip and installer (zipfile) read them (unzip as a cross-check), or
// refused. The crafted classes are in test/helpers/differential.py; issue 20's byte-level classes
// (every byte accounted for) in test/helpers/zip-cases.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PYTHON, requireTools } from '../helpers/tools.js';
import { ZIP_ORACLES, hasPip, runDifferential } from '../helpers/differential.js';
import { zipCoverageGaps } from '../helpers/coverage-zip.js';
import { checkZipByteCases, craftedZipCasesAccepted } from '../helpers/zip-cases.js';

/**
 * Where unzip (a cross-check, not an installer) reads an input otherwise than pip: it applies no
 * Unix mode from an MS-DOS host, and takes an unflagged name in the locale's charset (UTF-8), where
 * zipfile takes CP437. The normal form follows pip, so unzip's reading changes for these two.
 */
const UNZIP_DIFFERS = { 'msdos-host-exec-mode': ['unzip'], 'unflagged-utf8-name': ['unzip'] };

test('zip: every crafted wheel is refused, or read alike by reprodist, pip, zipfile and unzip before and after', async (t) => {
  if (!requireTools(t, PYTHON, 'unzip')) return;
  const counts = await runDifferential(t, 'zip', ZIP_ORACLES, UNZIP_DIFFERS);
  assert.ok(counts.refused >= 12 && counts.accepted >= 5, JSON.stringify(counts));
});

test('zip, byte by byte: what could hide a member is refused with its offset, and what writers make is accepted', async (t) => {
  if (!requireTools(t, PYTHON, 'unzip') || !hasPip()) return;
  const { failures, refused, accepted } = await checkZipByteCases(t);
  t.diagnostic(`${refused} refused, ${accepted} accepted`);
  assert.deepEqual(failures, []);
  assert.ok(refused >= 15 && accepted >= 6, `${refused} refused, ${accepted} accepted`);
});

test('zip coverage: the reader accounts for every byte of each wheel the crafted suite accepts', async (t) => {
  if (!requireTools(t, PYTHON)) return;
  const inputs = craftedZipCasesAccepted(t);
  const gaps: string[] = [];
  for (const { name, file } of inputs) for (const gap of await zipCoverageGaps(file)) gaps.push(`${name}: ${gap}`);
  t.diagnostic(`${inputs.length} wheels covered byte by byte`);
  assert.deepEqual(gaps, []);
});
