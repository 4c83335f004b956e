// The sdist normal form through the CLI: byte rules, refusals, exit codes, safety of the replace.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { constants as zlibConstants, gunzipSync, gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { PYTHON, REPO_ROOT, requireTools, run, runCli, runOk, sha256File, tmpDir } from '../helpers/tools.js';

const EPOCH = '1700000000';

/** Writes a .tar.gz with Python's tarfile from a small script body that has `t` (the open TarFile), `add(name, data, **fields)`. */
function pythonTar(dir: string, name: string, body: string, mode = 'w:gz'): string {
  const path = join(dir, name);
  const script = `
import io, tarfile, sys
t = tarfile.open(sys.argv[1], ${JSON.stringify(mode)}, format=tarfile.PAX_FORMAT)
def add(name, data=b'', type=tarfile.REGTYPE, mode=0o644, linkname='', mtime=1234567890.5, uid=1000, uname='alice'):
    info = tarfile.TarInfo(name)
    info.type, info.mode, info.linkname, info.mtime, info.uid, info.uname = type, mode, linkname, mtime, uid, uname
    info.size = len(data) if type == tarfile.REGTYPE else 0
    t.addfile(info, io.BytesIO(data) if type == tarfile.REGTYPE else None)
${body}
t.close()
`;
  runOk(PYTHON, ['-c', script, path]);
  return path;
}

const BASIC = `
add('demo-1.0/README.md', b'# demo\\n')
add('demo-1.0/src/demo/__init__.py', b'x = 1\\n' * 50)
add('demo-1.0/bin/tool', b'#!/bin/sh\\necho hi\\n', mode=0o775)
add('demo-1.0/src/demo/link.py', type=tarfile.SYMTYPE, linkname='__init__.py')
`;

interface TarMemberInfo {
  name: string;
  type: string;
  mode: number;
  uid: number;
  gid: number;
  uname: string;
  gname: string;
  mtime: number;
  linkname: string;
  sha256: string;
  pax: string[];
}

/** Members as Python's tarfile reads them, in archive order. */
function listing(path: string): TarMemberInfo[] {
  const script = `
import tarfile, sys, hashlib, json
out = []
with tarfile.open(sys.argv[1]) as t:
    for m in t.getmembers():
        data = t.extractfile(m).read() if m.isreg() else b''
        out.append(dict(name=m.name, type=m.type.decode(), mode=m.mode, uid=m.uid, gid=m.gid, uname=m.uname, gname=m.gname,
                        mtime=m.mtime, linkname=m.linkname, sha256=hashlib.sha256(data).hexdigest(), pax=sorted(m.pax_headers)))
print(json.dumps(out))
`;
  return JSON.parse(runOk(PYTHON, ['-c', script, path])) as TarMemberInfo[];
}

function assertRefused(archive: string, pattern: RegExp): void {
  const before = sha256File(archive);
  const dirBefore = readdirSync(join(archive, '..')).sort();
  const result = runCli([archive]);
  assert.equal(result.code, 2, `exit code for ${archive}: ${result.stdout}${result.stderr}`);
  const lines = result.stderr.trim().split('\n');
  assert.equal(lines.length, 1, `one line on stderr, got: ${result.stderr}`);
  assert.match(lines[0]!, /^refused +\S+: /);
  assert.match(lines[0]!, pattern);
  assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
  assert.equal(sha256File(archive), before, 'original untouched');
  assert.deepEqual(readdirSync(join(archive, '..')).sort(), dirBefore, 'no stray files');
}

describe('sdist normal form', () => {
  test('members become sorted ustar entries with fixed owners, modes and mtimes', (t) => {
    if (!requireTools(t, PYTHON)) return;
    const dir = tmpDir(t);
    const archive = pythonTar(dir, 'demo-1.0.tar.gz', BASIC);
    const before = listing(archive);
    const result = runCli(['--epoch', EPOCH, archive]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^normalized +\S+demo-1.0.tar.gz/);
    const input = new Map(before.map((m) => [m.name, m]));
    const members = listing(archive);
    assert.deepEqual(members.map((m) => m.name), [
      'demo-1.0', 'demo-1.0/README.md', 'demo-1.0/bin', 'demo-1.0/bin/tool', 'demo-1.0/src', 'demo-1.0/src/demo',
      'demo-1.0/src/demo/__init__.py', 'demo-1.0/src/demo/link.py',
    ]);
    for (const m of members) {
      assert.deepEqual([m.uid, m.gid, m.uname, m.gname, m.mtime, m.pax], [0, 0, '', '', 1700000000, []], m.name);
      const original = input.get(m.name);
      if (m.type === '5') assert.equal(m.mode, 0o755, m.name);
      else {
        assert.equal(m.sha256, original!.sha256, `${m.name} content`);
        assert.equal(m.linkname, original!.linkname, `${m.name} link target`);
        assert.equal(m.mode, m.type === '2' ? 0o777 : original!.mode & 0o111 ? 0o755 : 0o644, `${m.name} mode`);
      }
    }
  });

  test('the gzip header is the one gzip -9n writes, and the deflate stream is what docs/normal-form.md computes', (t) => {
    if (!requireTools(t, PYTHON, 'gzip')) return;
    const dir = tmpDir(t);
    // Over two 1 MiB blocks of real text, so that preset dictionaries and sync flushes are exercised.
    const archive = pythonTar(dir, 'big-1.0.tar.gz', `
import glob
for i, f in enumerate(sorted(glob.glob('/usr/lib/python3.11/*.py'))[:150]):
    add('big-1.0/m%03d.py' % i, open(f, 'rb').read())
`);
    assert.equal(runCli(['--epoch', EPOCH, archive]).code, 0);
    const written = readFileSync(archive);
    const tar = gunzipSync(written);
    assert.ok(tar.length > 2 * (1 << 20), `tar is ${tar.length} bytes`);
    const gzipOut = join(dir, 'by-gzip.gz');
    writeFileSync(join(dir, 'plain'), 'x');
    runOk('sh', ['-c', `gzip -9n < "${join(dir, 'plain')}" > "${gzipOut}"`]);
    assert.deepEqual(written.subarray(0, 10), readFileSync(gzipOut).subarray(0, 10));
    const docs = readFileSync(join(REPO_ROOT, 'docs/normal-form.md'), 'utf8');
    const fn = /```python\n([\s\S]*?)```/.exec(docs)![1]!;
    writeFileSync(join(dir, 'tar'), tar);
    const oracle = runOk(PYTHON, ['-c', `${fn}\nimport sys, hashlib\nprint(hashlib.sha256(reprodist_deflate(open(sys.argv[1], 'rb').read(), 9)).hexdigest())`, join(dir, 'tar')]).trim();
    const deflateStream = written.subarray(10, written.length - 8);
    assert.equal(createHash('sha256').update(deflateStream).digest('hex'), oracle);
  });

  test('--jobs does not change a byte', (t) => {
    if (!requireTools(t, PYTHON)) return;
    const dir = tmpDir(t);
    const archive = pythonTar(dir, 'j-1.0.tar.gz', `
import glob
for i, f in enumerate(sorted(glob.glob('/usr/lib/python3.11/*.py'))[:40]):
    add('j-1.0/m%03d.py' % i, open(f, 'rb').read())
`);
    const outs = ['1', '2', '5'].map((jobs) => {
      const out = join(dir, `out${jobs}`);
      assert.equal(runCli(['--jobs', jobs, '--out', out, archive]).code, 0);
      return sha256File(join(out, 'j-1.0.tar.gz'));
    });
    assert.equal(new Set(outs).size, 1, outs.join(' '));
  });

  test('check exits 1 before, 0 after; normalizing again changes nothing; the file keeps its mode', (t) => {
    if (!requireTools(t, PYTHON)) return;
    const dir = tmpDir(t);
    const archive = pythonTar(dir, 'demo-1.0.tar.gz', BASIC);
    chmodSync(archive, 0o640);
    const check = runCli(['check', archive]);
    assert.equal(check.code, 1);
    assert.match(check.stdout, /not normal +\S+\n.*gzip MTIME/s);
    assert.match(check.stdout, /tar owner \[4\]: /);
    assert.equal(runCli([archive]).code, 0);
    assert.equal(statSync(archive).mode & 0o777, 0o640);
    const once = sha256File(archive);
    const again = runCli([archive]);
    assert.equal(again.code, 0);
    assert.match(again.stdout, /^unchanged/);
    assert.equal(sha256File(archive), once);
    assert.equal(runCli(['check', archive]).code, 0);
    const json = JSON.parse(runCli(['check', '--json', archive]).stdout) as { exitCode: number; results: { status: string }[] };
    assert.equal(json.exitCode, 0);
    assert.equal(json.results[0]!.status, 'normal');
  });

  test('check tells the same tar deflated otherwise, and the same members encoded otherwise, from members that change', (t) => {
    if (!requireTools(t, PYTHON)) return;
    const dir = tmpDir(t);
    const input = pythonTar(dir, 'demo-1.0.tar.gz', BASIC);
    const fields = (path: string) => {
      const json = JSON.parse(runCli(['check', '--json', '--epoch', EPOCH, path]).stdout) as { results: { changes: { field: string; examples: string[] }[] }[] };
      return json.results[0]!.changes.map((c) => `${c.field}: ${c.examples.join(', ')}`);
    };
    // Members that change: their fields are noted, neither whole-archive note (the input's tar is
    // not hashed past the first member that changes).
    const changed = fields(input);
    assert.ok(changed.some((f) => f.startsWith('tar owner: ')), changed.join('\n'));
    assert.ok(!changed.some((f) => /^(gzip compressed data|tar header encoding)/.test(f)), changed.join('\n'));
    assert.equal(runCli(['--epoch', EPOCH, input]).code, 0);
    const tar = gunzipSync(readFileSync(input));
    // The normal form's tar, deflated otherwise behind the same gzip header (level 9: XFL 2).
    mkdirSync(join(dir, 'deflated'));
    const deflated = join(dir, 'deflated', 'demo-1.0.tar.gz');
    writeFileSync(deflated, gzipSync(tar, { level: 9, strategy: zlibConstants.Z_HUFFMAN_ONLY }));
    assert.deepEqual(fields(deflated), ['gzip compressed data: same tar, other deflate']);
    // The same members written by tarfile in GNU format: every field the same, the headers not.
    mkdirSync(join(dir, 'encoded'));
    const gnuTar = join(dir, 'gnu.tar');
    writeFileSync(join(dir, 'normal.tar'), tar);
    runOk(PYTHON, ['-c', `
import sys, tarfile
src = tarfile.open(sys.argv[1]); dst = tarfile.open(sys.argv[2], 'w', format=tarfile.GNU_FORMAT)
for m in src.getmembers(): dst.addfile(m, src.extractfile(m) if m.isfile() else None)
dst.close()`, join(dir, 'normal.tar'), gnuTar]);
    const encoded = join(dir, 'encoded', 'demo-1.0.tar.gz');
    writeFileSync(encoded, gzipSync(readFileSync(gnuTar), { level: 9 }));
    assert.deepEqual(fields(encoded), ['tar header encoding (format, numeric fields, padding): whole archive']);
  });

  test('GNU tar (gnu and v7 formats), a multi-member gzip and Python pax all give one byte stream', (t) => {
    if (!requireTools(t, PYTHON, 'tar')) return;
    const dir = tmpDir(t);
    const tree = join(dir, 'tree');
    mkdirSync(join(tree, 'demo-1.0', 'pkg'), { recursive: true });
    writeFileSync(join(tree, 'demo-1.0', 'pkg', `${'long_name_'.repeat(12)}.py`), 'x = 1\n');
    writeFileSync(join(tree, 'demo-1.0', 'setup.py'), 'print(2)\n');
    const outputs: string[] = [];
    for (const format of ['gnu', 'v7', 'posix']) {
      const archive = join(dir, format, 'demo-1.0.tar.gz');
      mkdirSync(join(dir, format));
      if (format === 'v7') {
        // v7 cannot hold a name over 99 bytes: only the short one.
        continue;
      }
      runOk('tar', [`--format=${format}`, '-czf', archive, '-C', tree, 'demo-1.0']);
      assert.equal(runCli(['--epoch', EPOCH, archive]).code, 0, format);
      outputs.push(sha256File(archive));
    }
    // The same tar split into two gzip members.
    const tar = gunzipSync(readFileSync(join(dir, 'gnu', 'demo-1.0.tar.gz')));
    const multi = join(dir, 'multi', 'demo-1.0.tar.gz');
    mkdirSync(join(dir, 'multi'));
    writeFileSync(multi, Buffer.concat([gzipSync(tar.subarray(0, 700)), gzipSync(tar.subarray(700))]));
    assert.equal(runCli(['--epoch', EPOCH, multi]).code, 0);
    outputs.push(sha256File(multi));
    assert.equal(new Set(outputs).size, 1, outputs.join('\n'));
  });

  test('a v7 tar is read', (t) => {
    if (!requireTools(t, 'tar')) return;
    const dir = tmpDir(t);
    mkdirSync(join(dir, 'tree', 'v-1.0'), { recursive: true });
    writeFileSync(join(dir, 'tree', 'v-1.0', 'a.txt'), 'a\n');
    const archive = join(dir, 'v-1.0.tar.gz');
    runOk('tar', ['--format=v7', '-czf', archive, '-C', join(dir, 'tree'), 'v-1.0']);
    assert.equal(runCli(['--epoch', EPOCH, archive]).code, 0);
    assert.deepEqual(listing(archive).map((m) => [m.name, m.type]), [['v-1.0', '5'], ['v-1.0/a.txt', '0']]);
  });

  test('hard links: the first name holds the data, whatever the input order', (t) => {
    if (!requireTools(t, PYTHON)) return;
    const dir = tmpDir(t);
    const archive = pythonTar(dir, 'h-1.0.tar.gz', `
add('h-1.0/z.txt', b'shared\\n', mode=0o755)
add('h-1.0/a.txt', type=tarfile.LNKTYPE, linkname='h-1.0/z.txt', mode=0o755)
`);
    assert.equal(runCli([archive]).code, 0);
    const members = listing(archive);
    assert.deepEqual(members.map((m) => [m.name, m.type, m.linkname, m.mode]), [
      ['h-1.0', '5', '', 0o755],
      ['h-1.0/a.txt', '0', '', 0o755],
      ['h-1.0/z.txt', '1', 'h-1.0/a.txt', 0o755],
    ]);
  });

  test('--mtime clamp keeps older mtimes and lowers newer ones', (t) => {
    if (!requireTools(t, PYTHON)) return;
    const dir = tmpDir(t);
    const archive = pythonTar(dir, 'c-1.0.tar.gz', `
add('c-1.0/old.txt', b'o', mtime=1600000000.75)
add('c-1.0/new.txt', b'n', mtime=1800000000)
`);
    assert.equal(runCli(['--epoch', EPOCH, '--mtime', 'clamp', archive]).code, 0);
    assert.deepEqual(listing(archive).map((m) => [m.name, m.mtime]), [
      ['c-1.0', 1700000000], ['c-1.0/new.txt', 1700000000], ['c-1.0/old.txt', 1600000000],
    ]);
  });

  test('the epoch: SOURCE_DATE_EPOCH, --epoch git, and refusals of bad values', (t) => {
    if (!requireTools(t, PYTHON, 'git')) return;
    const dir = tmpDir(t);
    const archive = pythonTar(dir, 'e-1.0.tar.gz', BASIC);
    assert.equal(runCli([archive], { env: { ...process.env, SOURCE_DATE_EPOCH: '1600000000' } }).code, 0);
    assert.equal(listing(archive)[0]!.mtime, 1600000000);
    const repo = join(dir, 'repo');
    mkdirSync(repo);
    runOk('git', ['init', '-q', repo]);
    const gitEnv = { ...process.env, GIT_COMMITTER_DATE: '@1650000000 +0000', GIT_AUTHOR_DATE: '@1650000000 +0000', GIT_AUTHOR_NAME: 'a', GIT_AUTHOR_EMAIL: 'a@b', GIT_COMMITTER_NAME: 'a', GIT_COMMITTER_EMAIL: 'a@b' };
    runOk('git', ['-C', repo, 'commit', '-q', '--allow-empty', '-m', 'x'], { env: gitEnv });
    assert.equal(run(process.execPath, [join(REPO_ROOT, 'bin/reprodist'), '--epoch', 'git', archive], { cwd: repo }).code, 0);
    assert.equal(listing(archive)[0]!.mtime, 1650000000);
    for (const bad of ['0', '1.5', 'yesterday', '99999999999']) {
      const result = runCli(['--epoch', bad, archive]);
      assert.equal(result.code, 2, bad);
      assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
    }
  });

  describe('refusals: exit 2, one line, original untouched, no stray files', () => {
    const cases: [string, string, RegExp][] = [
      ['absolute path', "add('/etc/passwd', b'x')", /absolute path/],
      ['.. escaping', "add('demo-1.0/../../evil', b'x')", /uses \.\. to leave/],
      ['symlink outside', "add('demo-1.0/l', type=tarfile.SYMTYPE, linkname='../../etc/passwd')", /points outside the archive/],
      ['absolute symlink', "add('demo-1.0/l', type=tarfile.SYMTYPE, linkname='/etc/passwd')", /absolute path/],
      ['character device', "add('demo-1.0/dev', type=tarfile.CHRTYPE)", /character-device members are refused/],
      ['fifo', "add('demo-1.0/p', type=tarfile.FIFOTYPE)", /fifo members are refused/],
      ['duplicate names', "add('demo-1.0/a', b'1')\nadd('demo-1.0/a', b'2')", /duplicate member name/],
      ['dangling hard link', "add('demo-1.0/a', type=tarfile.LNKTYPE, linkname='demo-1.0/missing')", /not an earlier regular file/],
      ['file used as a directory', "add('demo-1.0/a', b'1')\nadd('demo-1.0/a/b', b'2')", /parent demo-1\.0\/a is a file/],
      ['no members', '', /no members/],
    ];
    for (const [what, body, pattern] of cases) {
      test(what, (t) => {
        if (!requireTools(t, PYTHON)) return;
        const dir = tmpDir(t);
        assertRefused(pythonTar(dir, 'demo-1.0.tar.gz', body), pattern);
      });
    }

    const corruptions: [string, (good: Buffer) => Buffer, RegExp][] = [
      ['truncated gzip', (g) => g.subarray(0, g.length - 20), /truncated/],
      ['bad CRC-32', (g) => { const b = Buffer.from(g); b[b.length - 8] ^= 0xff; return b; }, /CRC-32/],
      ['bad ISIZE', (g) => { const b = Buffer.from(g); b[b.length - 1] ^= 0x01; return b; }, /ISIZE/],
      ['trailing garbage', (g) => Buffer.concat([g, Buffer.from('garbage')]), /neither a gzip member nor zero padding/],
      ['not gzip', (g) => Buffer.concat([Buffer.from('PK'), g]), /not a gzip file/],
      ['gzip of something that is not a tar', () => gzipSync(Buffer.alloc(4096, 'not a tar archive ')), /not a tar archive/],
      ['tar header with a bad checksum', (g) => { const tar = gunzipSync(g); tar[tar.indexOf('demo-1.0/src/demo/__init__.py') + 40] ^= 1; return gzipSync(tar); }, /corrupt header after byte \d+/],
      ['tar cut inside a member', (g) => gzipSync(gunzipSync(g).subarray(0, 1024 + 512 + 100)), /truncated/],
      ['empty file', () => Buffer.alloc(0), /shorter than a gzip header/],
    ];
    for (const [what, corrupt, pattern] of corruptions) {
      test(what, (t) => {
        if (!requireTools(t, PYTHON)) return;
        const dir = tmpDir(t);
        const good = pythonTar(dir, 'good.tar.gz', BASIC);
        const bad = join(dir, 'demo-1.0.tar.gz');
        writeFileSync(bad, corrupt(readFileSync(good)));
        assertRefused(bad, pattern);
      });
    }
  });

  test('flags before the verb are flags: `--json check`, `-q check`, `--keep-compression check` only check', (t) => {
    if (!requireTools(t, PYTHON)) return;
    const dir = tmpDir(t);
    const archive = pythonTar(dir, 'demo-1.0.tar.gz', BASIC);
    const before = sha256File(archive);
    for (const flag of ['--json', '-q', '--quiet', '--keep-compression']) {
      assert.equal(runCli([flag, 'check', archive]).code, 1, flag);
      assert.equal(sha256File(archive), before, `${flag} check must not rewrite the file`);
    }
  });

  test('one refused file does not stop the others', (t) => {
    if (!requireTools(t, PYTHON)) return;
    const dir = tmpDir(t);
    pythonTar(dir, 'a-1.0.tar.gz', BASIC);
    writeFileSync(join(dir, 'b-1.0.tar.gz'), 'not gzip');
    pythonTar(dir, 'c-1.0.tar.gz', BASIC);
    const result = runCli([dir]);
    assert.equal(result.code, 2);
    assert.match(result.stdout, /normalized +\S+a-1\.0\.tar\.gz/);
    assert.match(result.stdout, /normalized +\S+c-1\.0\.tar\.gz/);
    assert.match(result.stderr, /refused +\S+b-1\.0\.tar\.gz: gzip: /);
  });

  test('missing paths and empty directories are errors, exit 2', (t) => {
    const dir = tmpDir(t);
    assert.equal(runCli([join(dir, 'nope.tar.gz')]).code, 2);
    assert.equal(runCli([dir]).code, 2);
    assert.equal(runCli([], { cwd: dir }).code, 2);
  });
});
