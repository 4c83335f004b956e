// Issue 10: the fuzzer with an installer oracle. Every mutant reprodist accepts is extracted by pip's
// unpacker before and after normalizing, and the trees must be the same. 10,000 or more cases:
//   npm run build && node --import tsx test/fuzz/fuzz.ts --count 10000 --seed 1 --oracle
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { PYTHON, REPO_ROOT, requireTools } from '../helpers/tools.js';
import { hasPip } from '../helpers/differential.js';
import { fuzz, pipOracle } from '../fuzz/fuzz.js';

test('200 mutated sdists and wheels: each refused, or extracted alike by pip before and after normalizing', async (t) => {
  if (!requireTools(t, PYTHON)) return;
  assert.ok(hasPip(), `${PYTHON} has no pip`);
  const summary = await fuzz(join(REPO_ROOT, 'fixtures', 'dist'), 200, 20261202, () => undefined, undefined, pipOracle);
  t.diagnostic(`${summary.cases} cases: ${summary.accepted} accepted (${summary.oracleCompared} compared by pip), ${summary.refused} refused`);
  assert.deepEqual(summary.failures, []);
  assert.ok(summary.oracleCompared > 10, `only ${summary.oracleCompared} mutants compared`);
});
