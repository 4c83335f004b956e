// With a deflate pool, an sdist whose members are already in normal order is written while it is
// indexed (src/normalize/sdist/early.ts), and an input that turns out not to be is written as any
// other. Either way, what `check` says and what `normalize` writes must be what one thread (which
// never writes early) says and writes: the same bytes, the same changes in the same order, the same
// refusals, and no scratch file left behind.
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { PYTHON, python, requireTools, runCli, sha256File, tmpDir } from '../helpers/tools.js';

/**
 * An sdist of real Python sources (several MiB, so the pool's workers start), written by Python's
 * tarfile in normal order but with headers the normal form changes (owner, mtimes, modes), a hard
 * link and a symlink; `twist` names what to make of it instead.
 */
function inOrderSdist(dir: string, twist: 'none' | 'late-disorder' | 'missing-directory' | 'escaping-link'): string {
  const path = join(dir, `early-1.0.tar.gz`);
  python(`
import glob, io, os, sys, tarfile
path, twist = sys.argv[1], sys.argv[2]
sources = [f for f in sorted(glob.glob('/usr/lib/python3*/**/*.py', recursive=True)) if not os.path.islink(f)][:700]
entries = [('early-1.0', 'dir', None), ('early-1.0/pkg', 'dir', None)]
entries += [('early-1.0/pkg/%04d.py' % i, 'file', f) for i, f in enumerate(sources)]
entries += [('early-1.0/pkg/zz-link.py', 'link', 'early-1.0/pkg/0001.py'), ('early-1.0/pkg/zz-symlink', 'symlink', '0002.py')]
if twist == 'late-disorder':
    entries.insert(len(entries) - 3, entries.pop(5))
if twist == 'missing-directory':
    entries.pop(1)
if twist == 'escaping-link':
    entries[-1] = ('early-1.0/pkg/zz-symlink', 'symlink', '../../outside')
with tarfile.open(path, 'w:gz', compresslevel=1, format=tarfile.PAX_FORMAT) as t:
    for i, (name, kind, source) in enumerate(entries):
        info = tarfile.TarInfo(name)
        info.uname, info.uid, info.mtime, info.mode = 'builder', 1000, 1600000000 + i, 0o664
        if kind == 'dir':
            info.type, info.mode = tarfile.DIRTYPE, 0o775
            t.addfile(info)
        elif kind == 'file':
            data = open(source, 'rb').read()
            info.size = len(data)
            t.addfile(info, io.BytesIO(data))
        else:
            info.type, info.linkname = (tarfile.LNKTYPE if kind == 'link' else tarfile.SYMTYPE), source
            t.addfile(info)
`, path, twist);
  return path;
}

/** `check --json` and `normalize` of `input` with `jobs` threads: what they print, the bytes written, and the files left beside them. */
function runBoth(t: TestContext, input: string, jobs: string): { check: unknown; checkCode: number; normalized?: string; message: string; left: string[] } {
  const out = tmpDir(t);
  const check = runCli(['check', '--json', '--jobs', jobs, '--epoch', '1700000000', input]);
  const normalize = runCli(['--jobs', jobs, '--epoch', '1700000000', '--out', out, input]);
  const written = readdirSync(out);
  return {
    check: JSON.parse(check.stdout),
    checkCode: check.code,
    ...(normalize.code === 0 ? { normalized: sha256File(join(out, 'early-1.0.tar.gz')) } : {}),
    message: normalize.code === 0 ? '' : normalize.stderr,
    left: written.filter((name) => name.startsWith('.reprodist-')),
  };
}

for (const twist of ['none', 'late-disorder', 'missing-directory', 'escaping-link'] as const) {
  test(`an sdist in normal order (${twist}): two threads check and write what one does`, (t) => {
    if (!requireTools(t, PYTHON)) return;
    const input = inOrderSdist(tmpDir(t), twist);
    const one = runBoth(t, input, '1');
    const two = runBoth(t, input, '2');
    assert.deepEqual(two, one);
    assert.deepEqual(two.left, []);
    if (twist === 'escaping-link') {
      assert.equal(two.checkCode, 2);
      assert.match(two.message, /zz-symlink/);
    } else {
      assert.equal(two.checkCode, 1, 'the headers are not normal');
      assert.ok(two.normalized);
    }
  });
}

test('a normalized sdist is written again while it is indexed: unchanged, and check says normal', (t) => {
  if (!requireTools(t, PYTHON)) return;
  const dir = tmpDir(t);
  const input = inOrderSdist(dir, 'missing-directory');
  const first = join(dir, 'first');
  assert.equal(runCli(['--jobs', '1', '--epoch', '1700000000', '--out', first, input]).code, 0);
  const normal = join(first, 'early-1.0.tar.gz');
  const again = runCli(['--jobs', '2', '--epoch', '1700000000', normal]);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, /^unchanged/);
  const check = runCli(['check', '--jobs', '2', '--epoch', '1700000000', normal]);
  assert.equal(check.code, 0, check.stdout + check.stderr);
  assert.deepEqual(readdirSync(first).filter((name) => name.startsWith('.reprodist-')), []);
});
