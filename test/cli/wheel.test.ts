// The wheel normal form through the CLI: header rules, order, TZ independence, RECORD check,
// refusals, third-party wheels, --keep-compression.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PYTHON, requireTools, run, runCli, runOk, sha256File, tmpDir } from '../helpers/tools.js';

const EPOCH = '1700000000';

/** Writes a wheel with Python's zipfile; `body` gets `z` (the ZipFile) and `record(names)` which appends a valid RECORD. */
function pythonWheel(dir: string, body: string, name = 'demo-1.0-py3-none-any.whl'): string {
  const path = join(dir, name);
  runOk(PYTHON, ['-c', `
import base64, hashlib, sys, time, zipfile
z = zipfile.ZipFile(sys.argv[1], 'w', zipfile.ZIP_DEFLATED)
def add(name, data, mode=0o644, date=(2021, 3, 4, 5, 6, 7)):
    info = zipfile.ZipInfo(name, date)
    info.external_attr = (0o100000 | mode) << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    z.writestr(info, data)
def record():
    rows = []
    for i in z.infolist():
        data = z.read(i.filename)
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b'=').decode()
        rows.append('%s,sha256=%s,%d' % (i.filename, digest, len(data)))
    rows.append('demo-1.0.dist-info/RECORD,,')
    add('demo-1.0.dist-info/RECORD', '\\n'.join(rows) + '\\n')
${body}
z.close()
`, path]);
  return path;
}

const BASIC = `
add('demo-1.0.dist-info/METADATA', 'Metadata-Version: 2.1\\nName: demo\\nVersion: 1.0\\n')
add('demo-1.0.dist-info/WHEEL', 'Wheel-Version: 1.0\\nGenerator: test\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n')
add('demo/__init__.py', 'x = 1\\n' * 40)
add('demo/tool.sh', '#!/bin/sh\\necho hi\\n', mode=0o775)
add('demo/empty.txt', '')
record()
`;

interface ZipInfo {
  name: string;
  date: number[];
  attr: number;
  system: number;
  version: number;
  extract: number;
  flags: number;
  method: number;
  extra: string;
}

function zipInfos(path: string): ZipInfo[] {
  return JSON.parse(runOk(PYTHON, ['-c', `
import json, sys, zipfile
print(json.dumps([dict(name=i.filename, date=list(i.date_time), attr=i.external_attr, system=i.create_system, version=i.create_version,
                       extract=i.extract_version, flags=i.flag_bits, method=i.compress_type, extra=i.extra.hex())
                  for i in zipfile.ZipFile(sys.argv[1]).infolist()]))
`, path])) as ZipInfo[];
}

describe('wheel normal form', () => {
  test('an empty directory ranks by its stored name: x.dist-info/ is under .dist-info/, x.dist-info/RECORD/ is no RECORD', (t) => {
    if (!requireTools(t, PYTHON)) return;
    const dir = tmpDir(t);
    const wheel = pythonWheel(dir, `${BASIC.replace('record()', '')}
z.writestr(zipfile.ZipInfo('extra.dist-info/'), '')
z.writestr(zipfile.ZipInfo('other-1.0.dist-info/RECORD/'), '')
z.writestr(zipfile.ZipInfo('zzz/'), '')
record()
`);
    assert.equal(runCli(['--epoch', EPOCH, wheel]).code, 0);
    assert.deepEqual(zipInfos(wheel).map((i) => i.name), [
      'demo/__init__.py', 'demo/empty.txt', 'demo/tool.sh', 'zzz/',
      'demo-1.0.dist-info/METADATA', 'demo-1.0.dist-info/WHEEL', 'extra.dist-info/', 'other-1.0.dist-info/RECORD/', 'demo-1.0.dist-info/RECORD',
    ]);
  });

  test('order, headers, attributes and times follow docs/normal-form.md', (t) => {
    if (!requireTools(t, PYTHON, 'unzip')) return;
    const dir = tmpDir(t);
    const wheel = pythonWheel(dir, BASIC);
    assert.equal(runCli(['--epoch', EPOCH, wheel]).code, 0);
    const infos = zipInfos(wheel);
    assert.deepEqual(infos.map((i) => i.name), [
      'demo/__init__.py', 'demo/empty.txt', 'demo/tool.sh',
      'demo-1.0.dist-info/METADATA', 'demo-1.0.dist-info/WHEEL', 'demo-1.0.dist-info/RECORD',
    ]);
    // 1700000000 is 2023-11-14T22:13:20Z: even seconds, UTC.
    for (const info of infos) {
      assert.deepEqual(info.date, [2023, 11, 14, 22, 13, 20], info.name);
      assert.deepEqual([info.system, info.version, info.extract, info.flags, info.extra], [3, 20, 20, 0, ''], info.name);
      assert.equal(info.attr >>> 16, info.name === 'demo/tool.sh' ? 0o100755 : 0o100644, info.name);
    }
    // Stored exactly when (stock zlib's) deflate would not shrink the member; Python's zlib is the oracle.
    const expected = JSON.parse(runOk(PYTHON, ['-c', `
import json, sys, zlib, zipfile
z = zipfile.ZipFile(sys.argv[1])
def deflated(data):
    c = zlib.compressobj(6, zlib.DEFLATED, -15)
    return len(c.compress(data) + c.flush())
print(json.dumps([8 if deflated(z.read(i)) < i.file_size else 0 for i in z.infolist()]))
`, wheel])) as number[];
    assert.ok(expected.includes(0) && expected.includes(8));
    assert.deepEqual(infos.map((i) => i.method), expected);
    assert.equal(run('unzip', ['-tq', wheel]).code, 0);
  });

  test('the time zone does not leak in; normalizing is idempotent; check 1 then 0', (t) => {
    if (!requireTools(t, PYTHON)) return;
    const dir = tmpDir(t);
    const wheel = pythonWheel(dir, BASIC);
    assert.equal(runCli(['check', wheel]).code, 1);
    const outputs = ['UTC', 'Asia/Kolkata', 'America/St_Johns'].map((tz) => {
      const out = join(dir, tz.replace('/', '_'));
      assert.equal(runCli(['--epoch', EPOCH, '--out', out, wheel], { env: { ...process.env, TZ: tz } }).code, 0);
      return sha256File(join(out, 'demo-1.0-py3-none-any.whl'));
    });
    assert.equal(new Set(outputs).size, 1);
    const normal = join(dir, 'UTC', 'demo-1.0-py3-none-any.whl');
    const again = runCli(['--epoch', EPOCH, normal]);
    assert.match(again.stdout, /^unchanged/);
    assert.equal(sha256File(normal), outputs[0]);
    assert.equal(runCli(['check', '--epoch', EPOCH, normal]).code, 0);
  });

  test('odd epochs round down to an even second', (t) => {
    if (!requireTools(t, PYTHON)) return;
    const dir = tmpDir(t);
    const wheel = pythonWheel(dir, BASIC);
    assert.equal(runCli(['--epoch', '1700000001', wheel]).code, 0);
    assert.deepEqual(zipInfos(wheel)[0]!.date, [2023, 11, 14, 22, 13, 20]);
  });

  test('--keep-compression: a member of over 1 MiB is copied as stored, and refused when its data does not match its CRC-32', (t) => {
    if (!requireTools(t, PYTHON)) return;
    const dir = tmpDir(t);
    // Read as a stream, not whole: checked as its stored bytes are copied.
    const wheel = pythonWheel(dir, BASIC.replace('record()', "import random\nadd('demo/big.bin', random.Random(1).randbytes(3 << 19) * 2)\nrecord()"));
    // The same wheel with big.bin's CRC-32 changed in both its headers.
    const bad = join(dir, 'bad-1.0-py3-none-any.whl');
    runOk(PYTHON, ['-c', `
import struct, sys, zipfile
crc = struct.pack('<I', zipfile.ZipFile(sys.argv[1]).getinfo('demo/big.bin').CRC)
data = open(sys.argv[1], 'rb').read()
assert data.count(crc) == 2
open(sys.argv[2], 'wb').write(data.replace(crc, struct.pack('<I', struct.unpack('<I', crc)[0] ^ 1)))
`, wheel, bad]);
    const infos = 'import sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); print(sorted((i.filename, i.compress_size, i.CRC) for i in z.infolist()))';
    const before = runOk(PYTHON, ['-c', infos, wheel]);
    assert.equal(runCli(['--keep-compression', '--epoch', EPOCH, wheel]).code, 0);
    assert.equal(runOk(PYTHON, ['-c', infos, wheel]), before);
    assert.equal(runCli(['check', '--keep-compression', '--epoch', EPOCH, wheel]).code, 0);
    const original = sha256File(bad);
    const refused = runCli(['--keep-compression', '--epoch', EPOCH, bad]);
    assert.equal(refused.code, 2, refused.stderr);
    assert.match(refused.stderr, /^refused +\S+: entry "demo\/big\.bin" .*CRC-32 mismatch.*\n$/);
    assert.equal(sha256File(bad), original);
  });

  test('check reports a RECORD that does not match and a .dist-info/ that is not last', (t) => {
    if (!requireTools(t, PYTHON)) return;
    const dir = tmpDir(t);
    const wheel = pythonWheel(dir, `
add('demo-1.0.dist-info/METADATA', 'Metadata-Version: 2.1\\nName: demo\\nVersion: 1.0\\n')
add('demo-1.0.dist-info/RECORD', 'demo/__init__.py,sha256=AAAA,3\\ndemo/gone.py,sha256=AAAA,1\\ndemo-1.0.dist-info/RECORD,,\\n')
add('demo/__init__.py', 'x = 1\\n')
add('demo/extra.py', 'y = 2\\n')
`);
    const result = runCli(['check', '--verbose', wheel]);
    assert.equal(result.code, 1);
    assert.match(result.stdout, /zip member order: \d+ of \d+ members move \(\.dist-info\/ is not last\)/);
    assert.match(result.stdout, /problem \[5\]:\n +RECORD: demo\/__init__\.py has the wrong sha256\n/);
    assert.match(result.stdout, /^ +RECORD: demo\/__init__\.py has size 3, the file has 6$/m);
    assert.match(result.stdout, /^ +RECORD lists demo\/gone\.py, which is not in the wheel$/m);
    assert.match(result.stdout, /^ +RECORD does not list demo\/extra\.py$/m);
    assert.match(result.stdout, /^ +RECORD does not list demo-1\.0\.dist-info\/METADATA$/m);
    // Normalizing keeps the content (RECORD too) and still reports the problems; check still fails.
    assert.equal(runCli([wheel]).code, 0);
    assert.equal(runCli(['check', wheel]).code, 1);
  });

  test('Info-ZIP, with directory entries, gives the bytes Python zipfile gives', (t) => {
    if (!requireTools(t, PYTHON, 'zip')) return;
    const dir = tmpDir(t);
    const python = pythonWheel(join(dir), BASIC);
    const tree = join(dir, 'tree');
    runOk(PYTHON, ['-c', 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])', python, tree]);
    runOk('chmod', ['755', join(tree, 'demo', 'tool.sh')]);
    const infozip = join(dir, 'iz', 'demo-1.0-py3-none-any.whl');
    runOk('mkdir', ['-p', join(dir, 'iz')]);
    runOk('zip', ['-qr', infozip, 'demo', 'demo-1.0.dist-info'], { cwd: tree });
    assert.ok(zipInfos(infozip).some((i) => i.name.endsWith('/')), 'Info-ZIP wrote directory entries');
    for (const wheel of [python, infozip]) assert.equal(runCli(['--epoch', EPOCH, wheel]).code, 0);
    assert.equal(sha256File(infozip), sha256File(python));
  });

  test('--keep-compression keeps compressed bytes but normalizes the rest', (t) => {
    if (!requireTools(t, PYTHON)) return;
    const dir = tmpDir(t);
    const wheel = pythonWheel(dir, BASIC);
    const before = runOk(PYTHON, ['-c', 'import sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); print(sorted((i.filename, i.compress_size, i.CRC) for i in z.infolist()))', wheel]);
    assert.equal(runCli(['--keep-compression', '--epoch', EPOCH, wheel]).code, 0);
    const after = runOk(PYTHON, ['-c', 'import sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); print(sorted((i.filename, i.compress_size, i.CRC) for i in z.infolist()))', wheel]);
    assert.equal(after, before);
    assert.deepEqual(zipInfos(wheel)[0]!.date, [2023, 11, 14, 22, 13, 20]);
  });

  test("third-party wheels (Debian's pip and setuptools) normalize, stay valid and install", (t) => {
    if (!requireTools(t, PYTHON, 'unzip', 'py:pip')) return;
    const source = '/usr/share/python-wheels';
    const wheels = existsSync(source) ? readdirSync(source).filter((n) => /^(pip|setuptools)-.*\.whl$/.test(n)) : [];
    if (wheels.length < 2) {
      if (process.env.CI) assert.fail('python3-pip-whl and python3-setuptools-whl must be installed in CI');
      t.skip('no wheels in /usr/share/python-wheels');
      return;
    }
    const dir = tmpDir(t);
    for (const name of wheels) {
      const wheel = join(dir, name);
      copyFileSync(join(source, name), wheel);
      const result = runCli([wheel]);
      assert.equal(result.code, 0, result.stderr);
      assert.equal(runCli(['check', wheel]).code, 0, `${name} is normal and its RECORD matches`);
      assert.equal(run('unzip', ['-tq', wheel]).code, 0);
      const target = join(dir, `installed-${name}`);
      runOk(PYTHON, ['-m', 'pip', 'install', '--quiet', '--no-index', '--no-deps', '--target', target, wheel]);
      assert.ok(existsSync(join(target, name.split('-')[0]!)), `${name} installed`);
    }
  });

  describe('refusals: exit 2, one line, original untouched', () => {
    const cases: [string, string, RegExp][] = [
      ['absolute name', "add('/etc/evil', 'x')", /absolute path/],
      ['.. escaping', "add('demo/../../evil', 'x')", /uses \.\. to leave/],
      ['fifo', "add('demo/fifo', '', mode=0o010644 & ~0o100000)", /file type|fifo/],
      ['no members', '', /no members|end of central directory/],
    ];
    for (const [what, body, pattern] of cases) {
      test(what, (t) => {
        if (!requireTools(t, PYTHON)) return;
        const dir = tmpDir(t);
        const wheel = pythonWheel(dir, body);
        const before = sha256File(wheel);
        const result = runCli([wheel]);
        assert.equal(result.code, 2, result.stdout + result.stderr);
        assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
        assert.match(result.stderr, pattern);
        assert.equal(sha256File(wheel), before);
        assert.deepEqual(readdirSync(dir), ['demo-1.0-py3-none-any.whl']);
      });
    }
    test('a lying size is refused after inflating little more than it declares', (t) => {
      if (!requireTools(t, PYTHON)) return;
      const dir = tmpDir(t);
      const wheel = pythonWheel(dir, "add('demo/zeros.bin', b'\\0' * 50_000_000)");
      const bytes = readFileSync(wheel);
      // Patch the uncompressed size (local header offset 22, central header offset 24) down to 10.
      const local = bytes.indexOf(Buffer.from('PK\x03\x04', 'latin1'));
      const central = bytes.indexOf(Buffer.from('PK\x01\x02', 'latin1'));
      bytes.writeUInt32LE(10, local + 22);
      bytes.writeUInt32LE(10, central + 24);
      writeFileSync(wheel, bytes);
      const result = runCli([wheel]);
      assert.equal(result.code, 2);
      // The reader counts what it inflated: it stops within one output chunk (64 KiB) past the
      // declared 10 bytes, not after the 50 MB the data holds.
      const stopped = /more than its declared uncompressed size of 10 bytes \(stopped after (\d+) bytes/.exec(result.stderr);
      assert.ok(stopped, result.stderr);
      assert.ok(Number(stopped[1]) <= 64 * 1024, result.stderr);
    });
  });
});
