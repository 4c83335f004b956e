// --jobs changes how the work is spread (threads for deflate blocks, two artefacts at a time), never
// the bytes. Speed is measured by bench/, not here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { PYTHON, digestsOf, requireTools, runCli, runOk, tmpDir } from '../helpers/tools.js';

test('--jobs 1 and the default give the same bytes for several multi-block sdists and wheels', (t) => {
  if (!requireTools(t, PYTHON)) return;
  const dir = tmpDir(t);
  const inputs = join(dir, 'in');
  runOk(PYTHON, ['-c', `
import glob, os, sys, tarfile, zipfile
os.makedirs(sys.argv[1])
files = [f for f in sorted(glob.glob('/usr/lib/python3.11/**/*.py', recursive=True)) if not os.path.islink(f)][:900]
for n in range(3):
    part = files[n::3]
    with tarfile.open(os.path.join(sys.argv[1], 'p%d-1.0.tar.gz' % n), 'w:gz', compresslevel=1) as t:
        for i, f in enumerate(part):
            t.add(f, 'p%d-1.0/%04d.py' % (n, i))
    with zipfile.ZipFile(os.path.join(sys.argv[1], 'p%d-1.0-py3-none-any.whl' % n), 'w', zipfile.ZIP_DEFLATED) as z:
        for i, f in enumerate(part):
            z.write(f, 'p%d/%04d.py' % (n, i))
        z.writestr('p%d-1.0.dist-info/RECORD' % n, '')
`, inputs]);
  const outputs = ['1', undefined, '3'].map((jobs) => {
    const out = join(dir, `out-${jobs ?? 'default'}`);
    const result = runCli([...(jobs ? ['--jobs', jobs] : []), '--epoch', '1700000000', '--out', out, inputs]);
    assert.equal(result.code, 0, result.stderr);
    return digestsOf(out);
  });
  assert.equal(outputs[0]!.length, 6);
  assert.deepEqual(outputs[1], outputs[0]);
  assert.deepEqual(outputs[2], outputs[0]);
});
