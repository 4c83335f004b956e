// A short seeded fuzz campaign over the bundled fixtures (test/fuzz/fuzz.ts runs longer ones).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { REPO_ROOT } from '../helpers/tools.js';
import { fuzz } from '../fuzz/fuzz.js';

test('300 mutated sdists and wheels: each normalized and valid, or refused in one line', async () => {
  const summary = await fuzz(join(REPO_ROOT, 'fixtures', 'dist'), 300, 20261125);
  assert.deepEqual(summary.failures, []);
  assert.equal(summary.cases, 300);
  assert.ok(summary.accepted > 10 && summary.refused > 10, `${summary.accepted} accepted, ${summary.refused} refused`);
});
