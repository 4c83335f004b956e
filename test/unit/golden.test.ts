// Golden pairs per handler (fixtures/golden/<format>/): each NAME.in.EXT normalizes to exactly
// NAME.out.EXT, with one thread or two, and an .out file is already in normal form. A failure means
// the bytes changed: that is a new version of docs/normal-form.md, never a file to refresh.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { normalize } from '../../src/index.js';
import { REPO_ROOT, tmpDir } from '../helpers/tools.js';

const GOLDEN = join(REPO_ROOT, 'fixtures', 'golden');
const EPOCH = 1700000000;

for (const format of readdirSync(GOLDEN, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name)) {
  const inputs = readdirSync(join(GOLDEN, format)).filter((name) => name.includes('.in.'));
  test(`${format}: golden pairs`, async (t) => {
    assert.ok(inputs.length >= 2, `fixtures/golden/${format} holds ${inputs.length} pairs`);
    for (const input of inputs) {
      const expected = readFileSync(join(GOLDEN, format, input.replace('.in.', '.out.')));
      for (const jobs of [1, 2]) {
        const out = tmpDir(t);
        const report = await normalize(join(GOLDEN, format, input), { epoch: EPOCH, jobs, out });
        assert.equal(report.exitCode, 0, JSON.stringify(report.results));
        assert.equal(report.results[0]!.status, 'normalized');
        assert.ok(readFileSync(join(out, input)).equals(expected), `${format}/${input} with --jobs ${jobs} is not its .out file`);
      }
      const again = await normalize(join(GOLDEN, format, input.replace('.in.', '.out.')), { epoch: EPOCH, out: tmpDir(t) });
      assert.equal(again.results[0]!.status, 'unchanged', `${format}/${input.replace('.in.', '.out.')} is not in normal form`);
    }
  });
}
