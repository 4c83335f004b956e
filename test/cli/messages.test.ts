// What a run says when the input or the place it writes to is not what it expects: names that
// collide on macOS and Windows, an --out that is a file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PYTHON, REPO_ROOT, requireTools, runCli, runOk, sha256File, tmpDir } from '../helpers/tools.js';

const COLLIDING = ['pkg-1.0/PKG-INFO', 'pkg-1.0/README', 'pkg-1.0/readme', 'pkg-1.0/caf\u00e9.txt', 'pkg-1.0/cafe\u0301.txt'];

/** An sdist (by Python's tarfile) and a wheel (by zipfile) holding names equal after case folding or NFC. */
function collidingArtefacts(dir: string): { sdist: string; wheel: string } {
  const sdist = join(dir, 'pkg-1.0.tar.gz');
  const wheel = join(dir, 'pkg-1.0-py3-none-any.whl');
  runOk(PYTHON, ['-c', `
import io, json, sys, tarfile, zipfile
names = json.loads(sys.argv[3])
with tarfile.open(sys.argv[1], "w:gz", format=tarfile.PAX_FORMAT) as tar:
    for name in names:
        data = name.encode()
        info = tarfile.TarInfo(name)
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
with zipfile.ZipFile(sys.argv[2], "w") as z:
    for name in names:
        z.writestr(name.split("/", 1)[1], name)
`, sdist, wheel, JSON.stringify(COLLIDING)]);
  return { sdist, wheel };
}

test('names equal after case folding or NFC are reported by normalize and check, for both kinds, and pip installs both', (t) => {
  if (!requireTools(t, 'python3')) return;
  const dir = tmpDir(t);
  const { sdist, wheel } = collidingArtefacts(dir);
  for (const file of [sdist, wheel]) {
    const checked = runCli(['check', '--json', '--epoch', '1700000000', file]);
    const [result] = JSON.parse(checked.stdout).results;
    assert.notEqual(result.status, 'refused', result.message);
    assert.equal(result.notes.length, 2, JSON.stringify(result.notes));
    assert.match(result.notes.join('\n'), /"[^"]*README" and "[^"]*readme" are one name on macOS and Windows/);
    assert.ok(result.notes.some((note: string) => note.includes('caf\u00e9.txt') && note.includes('cafe\u0301.txt')), JSON.stringify(result.notes));
    const normalized = runCli(['--epoch', '1700000000', '--out', join(dir, 'out'), file]);
    assert.equal(normalized.code, 0, normalized.stderr);
    assert.match(normalized.stdout, /note \[2\]: .*are one name on macOS and Windows/);
  }
  // The content is what installers see: Python's tarfile extracts every one of the names on Linux.
  const extracted = join(dir, 'x');
  runOk(PYTHON, ['-c', 'import sys, tarfile; tarfile.open(sys.argv[1]).extractall(sys.argv[2])', join(dir, 'out', 'pkg-1.0.tar.gz'), extracted]);
  assert.equal(readdirSync(join(extracted, 'pkg-1.0')).length, COLLIDING.length);
});

test('--out naming a file is refused in one line before anything is written', (t) => {
  const dir = tmpDir(t);
  const blocker = join(dir, 'afile');
  writeFileSync(blocker, 'not a directory\n');
  const input = join(dir, 'pkg.tar.gz');
  writeFileSync(input, readFileSync(join(REPO_ROOT, 'fixtures', 'dist', 'reprodemo-1.0.0+flit.tar.gz')));
  const before = sha256File(input);
  const r = runCli(['--out', blocker, input]);
  assert.equal(r.code, 2);
  assert.equal(r.stderr, `reprodist: --out ${blocker}: not a directory (a file is in the way); name a directory, which is made if missing\n`);
  assert.equal(readFileSync(blocker, 'utf8'), 'not a directory\n');
  assert.equal(sha256File(input), before);
});

test('a hard link against two copies: same content, and compare says normalizing both keeps them apart', (t) => {
  if (!requireTools(t, 'python3')) return;
  const dir = tmpDir(t);
  const [linked, copied] = [join(dir, 'a', 'pkg-1.0.tar.gz'), join(dir, 'b', 'pkg-1.0.tar.gz')];
  runOk(PYTHON, ['-c', `
import io, os, sys, tarfile
for path, link in ((sys.argv[1], True), (sys.argv[2], False)):
    os.makedirs(os.path.dirname(path))
    with tarfile.open(path, "w:gz", format=tarfile.PAX_FORMAT) as tar:
        for name in ("pkg-1.0/x", "pkg-1.0/y"):
            info = tarfile.TarInfo(name)
            if link and name.endswith("y"):
                info.type, info.linkname = tarfile.LNKTYPE, "pkg-1.0/x"
                tar.addfile(info)
            else:
                info.size = 5
                tar.addfile(info, io.BytesIO(b"data\\n"))
`, linked, copied]);
  for (const side of ['a', 'b']) assert.equal(runCli(['--epoch', '1700000000', join(dir, side)]).code, 0);
  const r = runCli(['compare', '--json', linked, copied]);
  assert.equal(r.code, 1, 'they still differ, and the exit code says so');
  const [pair] = JSON.parse(r.stdout).results;
  assert.deepEqual([pair.verdict, pair.keptByNormalForm], ['same-content', ['tar member type']]);
  const text = runCli(['compare', linked, copied]).stdout;
  assert.match(text, /same content, but normalizing both leaves them different: the normal form keeps tar member type/);
  assert.doesNotMatch(text, /normalize both to make them equal/);
});

test('a long name, link target or RECORD field is shown by its first 200 characters and how many more, so each message stays a line to read', (t) => {
  if (!requireTools(t, PYTHON)) return;
  const dir = tmpDir(t);
  const sdist = join(dir, 'long-1.0.tar.gz');
  const wheel = join(dir, 'long-1.0-py3-none-any.whl');
  // A symlink to an absolute path of 300,000 characters (a pax linkpath), and a RECORD listing a path
  // of 100,000 characters with a hash algorithm of 50,000: each was shown whole.
  runOk(PYTHON, ['-c', `
import io, sys, tarfile, zipfile
with tarfile.open(sys.argv[1], 'w:gz', format=tarfile.PAX_FORMAT) as tar:
    info = tarfile.TarInfo('long-1.0/link'); info.type = tarfile.SYMTYPE; info.linkname = '/' + 't' * 299999
    tar.addfile(info)
with zipfile.ZipFile(sys.argv[2], 'w') as z:
    z.writestr('long/__init__.py', b'')
    z.writestr('long-1.0.dist-info/RECORD', 'p/' + 'r' * 99998 + ',sha256=x,0\\nlong/__init__.py,' + 'h' * 50000 + '=x,0\\n')
`, sdist, wheel]);
  const refused = runCli(['check', sdist]);
  assert.equal(refused.code, 2, refused.stderr);
  assert.match(refused.stderr, /long-1\.0\/link: symlink to the absolute path \/t{199}… \(299800 more characters\)\n$/);
  const checked = runCli(['check', wheel]);
  assert.equal(checked.code, 1, checked.stderr);
  assert.ok(checked.stdout.includes(`RECORD lists p/${'r'.repeat(198)}… (99800 more characters), which is not in the wheel`), checked.stdout.slice(0, 2000));
  assert.ok(checked.stdout.includes(`RECORD: long/__init__.py has a ${'h'.repeat(200)}… (49800 more characters) hash, not sha256`), checked.stdout.slice(0, 2000));
  const longest = Math.max(...checked.stdout.split('\n').map((line) => line.length));
  assert.ok(longest < 1000, `a line of ${longest} characters`);
});
