// Issue 10: sdists are read as pip's unpacker and tarfile's `data` filter read them (GNU tar and
// bsdtar as cross-checks), or refused. Every crafted class of the issue, and more, in
// test/helpers/differential.py. Issue 20: every byte of every accepted input (the gzip file and the
// tar inside it) is interpreted or checked by the readers; bytes no reader was meant to read
// (block padding, unused fields, field slack) are refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PYTHON, requireTools } from '../helpers/tools.js';
import { tarCoverageGaps } from '../helpers/coverage-tar.js';
import { PYTHON_DATA_FILTER, TAR_ORACLES, runDifferential } from '../helpers/differential.js';

test('tar: every crafted archive is refused, or read alike by reprodist, pip, tarfile (data filter), GNU tar and bsdtar before and after', async (t) => {
  if (!requireTools(t, PYTHON, PYTHON_DATA_FILTER, 'tar', 'bsdtar')) return;
  const counts = await runDifferential(t, 'tar', TAR_ORACLES, {}, tarCoverageGaps);
  assert.ok(counts.refused >= 60 && counts.accepted >= 25, JSON.stringify(counts));
});
