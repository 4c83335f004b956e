// Issue 10: sdists are read as pip's unpacker and tarfile's `data` filter read them (GNU tar and
// bsdtar as cross-checks), or refused. Every crafted class of the issue, and more, in
// test/helpers/differential.py.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PYTHON, requireTools } from '../helpers/tools.js';
import { PYTHON_DATA_FILTER, TAR_ORACLES, runDifferential } from '../helpers/differential.js';

test('tar: every crafted archive is refused, or read alike by reprodist, pip, tarfile (data filter), GNU tar and bsdtar before and after', async (t) => {
  if (!requireTools(t, PYTHON, PYTHON_DATA_FILTER, 'tar', 'bsdtar')) return;
  const counts = await runDifferential(t, 'tar', TAR_ORACLES);
  assert.ok(counts.refused >= 30 && counts.accepted >= 10, JSON.stringify(counts));
});
