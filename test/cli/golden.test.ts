// Golden hashes: the bytes of the normal form, pinned. A failure here means the output changed:
// that is a new version of docs/normal-form.md (and a CHANGELOG entry), never a number to refresh.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { PYTHON, REPO_ROOT, requireTools, runCli, runOk, sha256File, tmpDir } from '../helpers/tools.js';

const EPOCH = '1700000000';

/** sha256 of the fixtures in fixtures/dist normalized with --epoch 1700000000 at the default level. */
const FIXTURES: Record<string, string> = {
  'reprodemo-1.0.0+flit-py3-none-any.whl': '85106d4fcb8521fedfc1ccda18b7970246849dfb09a66d88325b952817eed1be',
  'reprodemo-1.0.0+flit.tar.gz': '417f0aae0ba015b6fe142299b1f364345c0a7f590550368ab28d189f7671b042',
  'reprodemo-1.0.0+hatchling-py3-none-any.whl': '57f328fdc2d71d82f3167e7e0edb95f9e6eff85f4af72ee37e90f08d0d28a8ce',
  'reprodemo-1.0.0+hatchling.tar.gz': '359d2a4a0dc2d850b4ff807963ea3f472a788b83b63f7c514e8d657be6d66cc6',
  'reprodemo-1.0.0+setuptools-py3-none-any.whl': '650b87ff0d504260eb785df67291910c86f644ff674c90acf8928c4034239011',
  // Normal form version 2: src/reprodemo.egg-info/ now comes before src/reprodemo/ ('.' < '/').
  'reprodemo-1.0.0+setuptools.tar.gz': 'dd5e8f5753362b8b328fa5934a021dcfbc4b6a93364da26764c58074c08f1a32',
};

/** Each file of `dir` with its sha256, by name. */
function digests(dir: string): Record<string, string> {
  return Object.fromEntries(readdirSync(dir).sort().map((name) => [name, sha256File(join(dir, name))]));
}

test('the bundled fixtures normalize to their golden hashes', (t) => {
  const out = tmpDir(t);
  const result = runCli(['--epoch', EPOCH, '--out', out, join(REPO_ROOT, 'fixtures', 'dist')]);
  assert.equal(result.code, 0, result.stderr);
  assert.deepEqual(digests(out), FIXTURES);
});

test('a generated multi-block sdist and wheel (several 1 MiB deflate blocks) keep their golden hashes', (t) => {
  if (!requireTools(t, PYTHON)) return;
  const dir = tmpDir(t);
  const inputs = join(dir, 'in');
  // Deterministic text from a linear congruential generator: the same bytes on every machine.
  runOk(PYTHON, ['-c', `
import io, os, sys, tarfile, zipfile
os.makedirs(sys.argv[1])
words = b'alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi rho sigma tau'.split()
state, lines = 12345, []
for i in range(120000):
    state = (state * 1103515245 + 12345) % 2**31
    lines.append(b'%d %s %s %d' % (i, words[state % len(words)], words[(state >> 8) % len(words)], state % 1000))
text = b'\\n'.join(lines)
with tarfile.open(os.path.join(sys.argv[1], 'gen-1.0.tar.gz'), 'w:gz') as t:
    for name, data in [('gen-1.0/text.txt', text), ('gen-1.0/small.py', b'x = 1\\n')]:
        info = tarfile.TarInfo(name); info.size = len(data); t.addfile(info, io.BytesIO(data))
with zipfile.ZipFile(os.path.join(sys.argv[1], 'gen-1.0-py3-none-any.whl'), 'w', zipfile.ZIP_DEFLATED) as z:
    z.writestr('gen/text.txt', text)
    z.writestr('gen-1.0.dist-info/RECORD', '')
`, inputs]);
  const out = join(dir, 'out');
  assert.equal(runCli(['--epoch', EPOCH, '--out', out, inputs]).code, 0);
  assert.deepEqual(digests(out), {
    'gen-1.0-py3-none-any.whl': '13fcdb5bb45e77d257e10418181b30203170be4bc7ecd52b1746c66d546728aa',
    'gen-1.0.tar.gz': '6777c5e2321f8598cd788d7c0ee58e76e84a0c9f16bc0c0c398a9ef5c1c55604',
  });
});
