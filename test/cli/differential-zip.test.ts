// Issue 10: wheels are read as pip and installer (zipfile) read them (unzip as a cross-check), or
// refused. The crafted classes are in test/helpers/differential.py.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PYTHON, requireTools } from '../helpers/tools.js';
import { ZIP_ORACLES, runDifferential } from '../helpers/differential.js';

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
