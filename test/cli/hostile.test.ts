// Hostile archives: each ends as a refusal or a correct output, in bounded memory and with work
// that grows linearly with the input (counted, not timed).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { GNU_TIME, MAX_RSS_KIB, assertLinearGrowth, counted, measured } from '../helpers/measure.js';
import { lateLinksSdist } from '../helpers/artefacts.js';
import { CLI, PYTHON, python, requireTools, run, runCli, runOk, tmpDir } from '../helpers/tools.js';

test('a gzip bomb: 2 GiB of tar from a few MiB of gzip streams through in bounded memory', (t) => {
  if (!requireTools(t, PYTHON, GNU_TIME)) return;
  const dir = tmpDir(t);
  const archive = join(dir, 'bomb-1.0.tar.gz');
  python(`
import sys, tarfile, zlib
size = 2 * 1024**3
with open(sys.argv[1], 'wb') as out:
    out.write(b'\\x1f\\x8b\\x08\\x00\\x00\\x00\\x00\\x00\\x00\\x03')
    c, crc, total = zlib.compressobj(1, zlib.DEFLATED, -15), 0, 0
    def put(data):
        global crc, total
        crc = zlib.crc32(data, crc); total += len(data); out.write(c.compress(data))
    info = tarfile.TarInfo('bomb-1.0/zeros.bin'); info.size = size
    put(info.tobuf(tarfile.PAX_FORMAT))
    chunk = bytes(1 << 20)
    for _ in range(size >> 20): put(chunk)
    put(bytes(1024))
    out.write(c.flush()); out.write(crc.to_bytes(4, 'little') + (total % 2**32).to_bytes(4, 'little'))
`, archive);
  const result = measured(['--jobs', '2', '--epoch', '1700000000', archive]);
  assert.equal(result.code, 0, result.stderr);
  // About 107 MiB on 2 cores (src/commands/dead-buffers.ts): its figure is in every CI log.
  t.diagnostic(`peak RSS ${result.rssKiB} KiB`);
  assert.ok(result.rssKiB < MAX_RSS_KIB, `peak RSS ${result.rssKiB} KiB`);
  assert.match(runOk('tar', ['-tvzf', archive]), /2147483648 2023-11-14 22:13 bomb-1.0\/zeros.bin/);
});

test('a tar whose size field exceeds the data is refused as truncated', (t) => {
  if (!requireTools(t, PYTHON)) return;
  const dir = tmpDir(t);
  const archive = join(dir, 'lie-1.0.tar.gz');
  python(`
import gzip, io, sys, tarfile
info = tarfile.TarInfo('lie-1.0/a.txt'); info.size = 10**9
data = info.tobuf(tarfile.USTAR_FORMAT) + b'short data' + bytes(1024)
open(sys.argv[1], 'wb').write(gzip.compress(data))
`, archive);
  const result = run(process.execPath, [CLI, archive]);
  assert.equal(result.code, 2);
  assert.match(result.stderr, /truncated/);
});

test('deep nesting, a 4,000-byte name and a symlink loop are normalized and read back', (t) => {
  if (!requireTools(t, PYTHON, 'tar')) return;
  const dir = tmpDir(t);
  const archive = join(dir, 'odd-1.0.tar.gz');
  python(`
import io, sys, tarfile
with tarfile.open(sys.argv[1], 'w:gz', format=tarfile.PAX_FORMAT) as t:
    def add(name, data=b'', type=tarfile.REGTYPE, linkname=''):
        info = tarfile.TarInfo(name); info.type = type; info.linkname = linkname; info.size = len(data)
        t.addfile(info, io.BytesIO(data) if data else None)
    add('odd-1.0/' + '/'.join('d%d' % i for i in range(250)) + '/deep.txt', b'deep')
    add('odd-1.0/' + '/'.join(['n' * 250] * 15), b'long name')
    add('odd-1.0/loop-a', type=tarfile.SYMTYPE, linkname='loop-b')
    add('odd-1.0/loop-b', type=tarfile.SYMTYPE, linkname='loop-a')
`, archive);
  const result = run(process.execPath, [CLI, '--epoch', '1700000000', archive]);
  assert.equal(result.code, 0, result.stderr);
  const names = runOk(PYTHON, ['-c', 'import sys, tarfile; print("\\n".join(m.name + " " + m.linkname for m in tarfile.open(sys.argv[1])))', archive]).split('\n');
  assert.ok(names.includes(`odd-1.0/${['n'.repeat(250)].concat(Array(14).fill('n'.repeat(250))).join('/')} `));
  assert.ok(names.includes('odd-1.0/loop-a loop-b'));
  assert.equal(names.filter((n) => n.startsWith('odd-1.0/d0')).length, 251, '250 directories and the file');
  assert.equal(run('tar', ['-tzf', archive]).code, 0);
});

test('a name over 4096 bytes or 256 levels deep is refused, naming the limit', (t) => {
  if (!requireTools(t, PYTHON)) return;
  const dir = tmpDir(t);
  python(`
import gzip, io, sys, tarfile
def one(path, name):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode='w', format=tarfile.PAX_FORMAT) as t:
        t.addfile(tarfile.TarInfo(name))
    open(path, 'wb').write(gzip.compress(buf.getvalue(), 9))
one(sys.argv[1] + '/long-1.0.tar.gz', 'long-1.0/' + 'n' * 10000)
one(sys.argv[1] + '/deep-1.0.tar.gz', 'deep-1.0/' + 'd/' * 40000 + 'x')
`, dir);
  const long = run(process.execPath, [CLI, join(dir, 'long-1.0.tar.gz')]);
  assert.equal(long.code, 2);
  assert.match(long.stderr, /longer than the limit of 4096 bytes/);
  const deep = run(process.execPath, [CLI, join(dir, 'deep-1.0.tar.gz')]);
  assert.equal(deep.code, 2);
  assert.match(deep.stderr, /(deeper than the limit of 256 levels|longer than the limit of 4096 bytes)/);
});

/** Writes `<name>-1.0.tar.gz` and `<name>-1.0-py3-none-any.whl` (with its RECORD, its entries with Info-ZIP extra fields) of `members` tiny members each in `dir`. */
function manyMembers(dir: string, name: string, members: number): string[] {
  python(`
import base64, hashlib, io, os, struct, sys, tarfile, zipfile
d, name, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
# Info-ZIP's extended timestamp (UT) and Unix uid and gid (ux) records, which its zip writes on every
# entry: an entry table that kept an object per record took 258 MiB for this wheel.
extra = struct.pack('<HHBi', 0x5455, 5, 1, 1700000000) + struct.pack('<HHBBIBI', 0x7875, 11, 1, 4, 1000, 4, 1000)
with tarfile.open(os.path.join(d, name + '-1.0.tar.gz'), 'w:gz') as t:
    for i in range(n):
        info = tarfile.TarInfo(name + '-1.0/d%03d/f%05d.txt' % (i % 500, i)); data = b'%d\\n' % i; info.size = len(data)
        t.addfile(info, io.BytesIO(data))
with zipfile.ZipFile(os.path.join(d, name + '-1.0-py3-none-any.whl'), 'w', zipfile.ZIP_DEFLATED) as z:
    rows = []
    for i in range(n):
        member, data = name + '/d%03d/f%05d.txt' % (i % 500, i), b'%d\\n' % i
        info = zipfile.ZipInfo(member, (2024, 1, 1, 0, 0, 0))
        info.compress_type, info.extra = zipfile.ZIP_DEFLATED, extra
        z.writestr(info, data)
        rows.append('%s,sha256=%s,%d' % (member, base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b'=').decode(), len(data)))
    z.writestr(name + '-1.0.dist-info/RECORD', '\\n'.join(rows + [name + '-1.0.dist-info/RECORD,,']) + '\\n')
`, dir, name, String(members));
  return [`${name}-1.0.tar.gz`, `${name}-1.0-py3-none-any.whl`].map((file) => join(dir, file));
}

test('a hundred thousand tiny members, in sdist and wheel, in bounded memory: normalize, compare, digest', (t) => {
  if (!requireTools(t, PYTHON, GNU_TIME)) return;
  const dir = tmpDir(t);
  mkdirSync(join(dir, 'as-built'));
  for (const archive of manyMembers(dir, 'many', 100_000)) {
    const asBuilt = join(dir, 'as-built', basename(archive));
    copyFileSync(archive, asBuilt);
    const result = measured(['--epoch', '1700000000', archive]);
    assert.equal(result.code, 0, result.stderr);
    // About 111 MiB for the sdist and 114 MiB for the wheel (docs/limits.md, "Member count").
    assert.ok(result.rssKiB < MAX_RSS_KIB, `${archive}: peak RSS ${result.rssKiB} KiB`);
    assert.equal(runCli(['check', '--epoch', '1700000000', archive]).code, 0, `${archive} is in normal form`);
    // Both sides' members, content and metadata, and every example of every change in the document.
    const compared = measured(['compare', '--json', asBuilt, archive]);
    assert.equal(compared.code, 1, compared.stderr);
    assert.equal(JSON.parse(compared.stdout).results[0].verdict, 'same-content');
    t.diagnostic(`${basename(archive)}: peak RSS normalize ${result.rssKiB} KiB, compare ${compared.rssKiB} KiB`);
    assert.ok(compared.rssKiB < MAX_RSS_KIB, `compare ${archive}: peak RSS ${compared.rssKiB} KiB`);
    // Every example on a line of its own, each line made as it is printed.
    const listed = measured(['compare', '--verbose', asBuilt, archive]);
    assert.equal(listed.code, 1, listed.stderr);
    const lineCount = listed.stdout.split('\n').length;
    assert.ok(lineCount > 200_000, `compare --verbose ${archive}: ${lineCount} lines`);
    t.diagnostic(`${basename(archive)}: peak RSS compare --verbose ${listed.rssKiB} KiB (${lineCount} lines)`);
    assert.ok(listed.rssKiB < MAX_RSS_KIB, `compare --verbose ${archive}: peak RSS ${listed.rssKiB} KiB`);
    const digested = measured(['digest', '--json', asBuilt, archive]);
    assert.equal(digested.code, 0, digested.stderr);
    const [digestBuilt, digestNormal] = JSON.parse(digested.stdout).results.map((r: { digest: string }) => r.digest);
    assert.equal(digestBuilt, digestNormal);
    t.diagnostic(`${basename(archive)}: peak RSS digest of both ${digested.rssKiB} KiB`);
    assert.ok(digested.rssKiB < MAX_RSS_KIB, `digest ${archive}: peak RSS ${digested.rssKiB} KiB`);
  }
});

test('pax records of a MiB on many members are held neither by the change examples nor by hard links resolved with the runs', (t) => {
  if (!requireTools(t, PYTHON, GNU_TIME)) return;
  const dir = tmpDir(t);
  // 70,000 files fill more than one member table (65,536 rows), so links to the first are resolved
  // with the runs; each has a pax comment of almost 1 MiB (the limit), a few KB once gzipped. Each
  // example of the pax records' departure held its value whole, and each link its records until it
  // was resolved: 439 MiB for this 1 MB sdist (291 MiB with the examples cut).
  const archive = lateLinksSdist(dir, 'links', 70_000, 150, { commentBytes: (1 << 20) - 64 });
  const result = measured(['--epoch', '1700000000', archive]);
  assert.equal(result.code, 0, result.stderr);
  t.diagnostic(`peak RSS ${result.rssKiB} KiB`);
  assert.ok(result.rssKiB < MAX_RSS_KIB, `peak RSS ${result.rssKiB} KiB`);
  // The pax records' departure is noted for every link all the same, each example cut short.
  assert.match(result.stdout, /tar pax records \[150\]: links-1\.0\/l\/00000 \(comment=00000c+… \(\d+ more characters\), /);
});


test('compare carries owner names and pax records of a MiB through its pairing as their start, length and sha256', (t) => {
  if (!requireTools(t, PYTHON, GNU_TIME)) return;
  const dir = tmpDir(t);
  // Two 0.1 MB sdists of 100 members, each with a pax comment and an owner name of 500 KB (a MiB in all, the
  // limit), A's of one letter and B's of another but for one member: each record went through the
  // runs whole, 346 MiB to compare them.
  python(`
import io, sys, tarfile
for side in 'ab':
    with tarfile.open('%s/pax-%s.tar.gz' % (sys.argv[1], side), 'w:gz', format=tarfile.PAX_FORMAT) as t:
        for i in range(100):
            info = tarfile.TarInfo('pax-1.0/f%03d' % i); info.size = 1
            letter = 'a' if i == 7 else side
            info.pax_headers = {'comment': letter * 500000, 'uname': letter * 500000}
            t.addfile(info, io.BytesIO(b'x'))
`, dir);
  const result = measured(['compare', '--json', join(dir, 'pax-a.tar.gz'), join(dir, 'pax-b.tar.gz')]);
  assert.equal(result.code, 1, result.stderr);
  t.diagnostic(`peak RSS ${result.rssKiB} KiB`);
  assert.ok(result.rssKiB < MAX_RSS_KIB, `peak RSS ${result.rssKiB} KiB`);
  const [pair] = JSON.parse(result.stdout).results;
  assert.equal(pair.verdict, 'same-content');
  // Every member but the one whose values are equal differs, shown by the start of its values.
  const field = (name: string) => pair.metadata.find((change: { field: string }) => change.field === name);
  for (const name of ['tar pax records', 'tar owner']) {
    assert.equal(field(name).count, 99, name);
    assert.ok(!field(name).all.some((example: string) => example.startsWith('pax-1.0/f007 ')), name);
  }
  assert.match(field('tar pax records').all[0], /^pax-1\.0\/f000 \(comment: a{256}… \(499744 more characters, sha256 [0-9a-f]{64}\) → b{256}… \(499744 more characters, sha256 [0-9a-f]{64}\); uname: a{256}… /);
  assert.match(field('tar owner').all[0], /^pax-1\.0\/f000 \(a{256}… \(499744 more characters, sha256 [0-9a-f]{64}\)\(0\):0 → b{256}… /);
});
test('40,000 names of 4 KB go to sorted runs by their bytes, before a table has its rows', (t) => {
  if (!requireTools(t, PYTHON, GNU_TIME)) return;
  const dir = tmpDir(t);
  // 160 MB of names in 0.9 MB of gzip: one table held them all, 327 MiB at the peak.
  python(`
import io, sys, tarfile
with tarfile.open(sys.argv[1] + '/names-1.0.tar.gz', 'w:gz', format=tarfile.PAX_FORMAT) as t:
    for i in range(40000):
        t.addfile(tarfile.TarInfo('names-1.0/%05d' % i + 'a' * 3995), io.BytesIO(b''))
`, dir);
  const archive = join(dir, 'names-1.0.tar.gz');
  const result = measured(['--epoch', '1700000000', archive]);
  assert.equal(result.code, 0, result.stderr);
  t.diagnostic(`peak RSS ${result.rssKiB} KiB`);
  assert.ok(result.rssKiB < MAX_RSS_KIB, `peak RSS ${result.rssKiB} KiB`);
  assert.equal(runCli(['check', '--epoch', '1700000000', archive]).code, 0);
});

test('twice the members, twice the work, in sdist and wheel', (t) => {
  if (!requireTools(t, PYTHON)) return;
  const dir = tmpDir(t);
  const [fewer, more] = [10_000, 20_000].map((members) => manyMembers(dir, `many${members}`, members).map((archive) => {
    const result = counted(['--epoch', '1700000000', archive]);
    assert.equal(result.code, 0, result.stderr);
    return result;
  }));
  assertLinearGrowth(fewer![0]!, more![0]!, 'sdist members');
  assertLinearGrowth(fewer![1]!, more![1]!, 'wheel members');
});

/** Legal gzip headers longer than the old 64 KiB read, and trailing data that starts with a zero byte (issue 11). */
test('gzip: XLEN 65535 and a 100 KB FNAME are read; a header over 1 MiB is refused naming the limit; only zeros may trail', (t) => {
  if (!requireTools(t, PYTHON)) return;
  const dir = tmpDir(t);
  python(`
import io, os, struct, sys, tarfile, zlib
b = io.BytesIO()
with tarfile.open(fileobj=b, mode='w', format=tarfile.USTAR_FORMAT) as tf:
    info = tarfile.TarInfo('g-1.0/PKG-INFO'); info.size = 2; tf.addfile(info, io.BytesIO(b'x\\n'))
data = b.getvalue()
def member(flags=0, extra=b'', fname=b''):
    h = b'\\x1f\\x8b\\x08' + bytes([flags]) + b'\\x00\\x00\\x00\\x00\\x00\\x03'
    if flags & 4: h += struct.pack('<H', len(extra)) + extra
    if flags & 8: h += fname + b'\\x00'
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    return h + c.compress(data) + c.flush() + struct.pack('<II', zlib.crc32(data), len(data))
def put(name, content): open(os.path.join(sys.argv[1], name), 'wb').write(content)
put('xlen-1.0.tar.gz', member(4, b'A' * 65535))
put('fname-1.0.tar.gz', member(8, fname=b'n' * 100000))
put('hugename-1.0.tar.gz', member(8, fname=b'n' * (2 << 20)))
put('trail-1.0.tar.gz', member() + b'\\x00garbage')
put('pad-1.0.tar.gz', member() + bytes(1000))
`, dir);
  for (const name of ['xlen-1.0.tar.gz', 'fname-1.0.tar.gz', 'pad-1.0.tar.gz']) {
    const result = runCli(['--epoch', '1700000000', join(dir, name)]);
    assert.equal(result.code, 0, `${name}: ${result.stderr}`);
    assert.equal(runCli(['check', '--epoch', '1700000000', join(dir, name)]).code, 0, name);
  }
  const huge = runCli(['check', join(dir, 'hugename-1.0.tar.gz')]);
  assert.equal(huge.code, 2);
  assert.match(huge.stderr, /gzip: header longer than 1048576 bytes \(FNAME or FCOMMENT\), the limit for a gzip header/);
  const trail = runCli(['check', join(dir, 'trail-1.0.tar.gz')]);
  assert.equal(trail.code, 2, trail.stdout);
  assert.match(trail.stderr, /gzip: data after a member is neither a gzip member nor zero padding \(byte \d+\)/);
});

test('--mtime clamp with a garbage or a negative base-256 mtime: refused naming the field, or clamped to 1980; no NaN', (t) => {
  if (!requireTools(t, PYTHON, 'tar')) return;
  const dir = tmpDir(t);
  const garbage = join(dir, 'g-1.0.tar.gz');
  const negative = join(dir, 'n-1.0.tar.gz');
  python(`
import gzip, sys, tarfile
def member(name, data, mtime_field):
    info = tarfile.TarInfo(name); info.size = len(data); info.mtime = 1600000000
    h = bytearray(info.tobuf(tarfile.USTAR_FORMAT))
    h[136:148] = mtime_field
    h[148:156] = b'        '
    h[148:156] = b'%06o\\x00 ' % sum(h[:512])
    return bytes(h) + data + bytes((512 - len(data) % 512) % 512)
def archive(path, *members): open(path, 'wb').write(gzip.compress(b''.join(members) + bytes(1024)))
archive(sys.argv[1], member('g-1.0/PKG-INFO', b'x\\n', bytes([0x80]) + b'\\xff' * 11))
archive(sys.argv[2], member('n-1.0/PKG-INFO', b'x\\n', b'%011o\\x00' % 1600000000), member('n-1.0/neg.txt', b'y\\n', bytes([0xff]) * 12))
`, garbage, negative);
  // 2**88 - 1 seconds: no reader can represent it the same way, so the strict reader refuses it.
  const refused = runCli(['--mtime', 'clamp', '--epoch', '1700000000', garbage]);
  assert.equal(refused.code, 2, refused.stdout);
  assert.match(refused.stderr, /mtime too large to read/);
  assert.doesNotMatch(refused.stdout + refused.stderr, /NaN/);
  const result = runCli(['--mtime', 'clamp', '--epoch', '1700000000', negative]);
  assert.equal(result.code, 0, result.stderr);
  assert.doesNotMatch(result.stdout + result.stderr, /NaN/);
  const listing = runOk('tar', ['--utc', '-tvzf', negative]);
  assert.match(listing, /2020-09-13 12:26 n-1\.0\/PKG-INFO/);
  assert.match(listing, /1980-01-01 00:00 n-1\.0\/neg\.txt/);
  assert.equal(runCli(['check', '--mtime', 'clamp', '--epoch', '1700000000', negative]).code, 0);
});
