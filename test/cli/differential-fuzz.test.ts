// Issue 10: the fuzzer with an installer oracle. Every mutant reprodist accepts is extracted by pip's
// unpacker before and after normalizing, and the trees must be the same. 10,000 or more cases:
//   npm run build && node --import tsx test/fuzz/fuzz.ts --count 10000 --seed 1 --oracle
// Issue 20: the structure-aware fuzzer, held to pip, tarfile's data filter and zipfile (long-lived
// oracle processes), a seeded 2,000 cases bounded by count. Longer campaigns, with reproducers:
//   npm run build && node --import tsx test/fuzz/structured.ts --cases 100000 --seed 1
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { PYTHON, REPO_ROOT, requireTools } from '../helpers/tools.js';
import { PYTHON_DATA_FILTER, hasPip } from '../helpers/differential.js';
import { fuzz, pipOracle } from '../fuzz/fuzz.js';
import { runStructured, type StructuredSummary } from '../fuzz/structured.js';

test('200 mutated sdists and wheels: each refused, or extracted alike by pip before and after normalizing', async (t) => {
  if (!requireTools(t, PYTHON)) return;
  assert.ok(hasPip(), `${PYTHON} has no pip`);
  const summary = await fuzz(join(REPO_ROOT, 'fixtures', 'dist'), 200, 20261202, () => undefined, undefined, pipOracle);
  t.diagnostic(`${summary.cases} cases: ${summary.accepted} accepted (${summary.oracleCompared} compared by pip), ${summary.refused} refused`);
  assert.deepEqual(summary.failures, []);
  assert.ok(summary.oracleCompared > 10, `only ${summary.oracleCompared} mutants compared`);
});

/** The seeded structured campaign, run once for the two tests below. */
let structured: Promise<StructuredSummary> | undefined;
const campaign = () => (structured ??= runStructured({ cases: 2000, seed: 20261203 }));

test('2,000 structure-aware mutants: each refused by every verb, or accepted and read as pip, tarfile and zipfile read it', async (t) => {
  if (!requireTools(t, PYTHON, PYTHON_DATA_FILTER)) return;
  assert.ok(hasPip(), `${PYTHON} has no pip`);
  const summary = await campaign();
  t.diagnostic(`${summary.cases} cases: ${summary.accepted} accepted, ${summary.refused} refused, ${summary.skipped} skipped, ${summary.oracleComparisons} oracle comparisons; findings ${JSON.stringify(summary.signatures)}`);
  assert.equal(summary.cases + summary.skipped, 2000);
  assert.ok(summary.accepted >= 200 && summary.refused >= 200, `${summary.accepted} accepted, ${summary.refused} refused`);
  assert.ok(summary.oracleComparisons >= summary.accepted * 2, `${summary.oracleComparisons} comparisons for ${summary.accepted} accepted`);
});

test('2,000 structure-aware mutants: no finding', async (t) => {
  if (!requireTools(t, PYTHON, PYTHON_DATA_FILTER)) return;
  const summary = await campaign();
  assert.deepEqual(summary.findings.slice(0, 20), [], `${summary.findings.length} findings`);
});
