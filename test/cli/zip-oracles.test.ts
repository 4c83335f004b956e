// The zip codec against independent readers and writers: archives our writer makes are read by
// Python's zipfile, `unzip -t` and 7-Zip; archives Info-ZIP, 7-Zip and Python write are read by the
// strict reader as zipfile reads them, and those it must refuse are refused. (test/unit/zip-*.test.ts
// hold what needs no other tool.)
import { describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  EXTRA_EXTENDED_TIMESTAMP, EXTRA_INFOZIP_UNIX_NEW, EXTRA_NTFS, EXTRA_ZIP64, FLAG_DATA_DESCRIPTOR, FLAG_UTF8, HOST_MSDOS, HOST_UNIX,
  METHOD_DEFLATE, METHOD_STORED, MSDOS_ATTR_DIRECTORY, S_IFLNK, ZipWriter, externalAttrToUnixMode, fromDosDateTime, hostOf, openZip,
  toDosDateTime, type ZipEntry,
} from '../../src/formats/zip/index.js';
import { PYTHON, requireTools } from '../helpers/tools.js';
import { entriesOf, entryOf, patchU32, plainZip, readAll, readMember, refuses, sampleMembers, sparseZip, storedNameBytes, writeZip, zipTestDir } from '../helpers/zip-test.js';

const dir = zipTestDir();

function py(script: string, args: string[] = []): Buffer {
  return execFileSync(PYTHON, ['-c', script, ...args], { maxBuffer: 64 << 20 });
}

const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

interface PyInfo {
  name: string;
  nameHex: string;
  crc: number;
  compressSize: number;
  fileSize: number;
  headerOffset: number;
  flags: number;
  method: number;
  createSystem: number;
  createVersion: number;
  extractVersion: number;
  externalAttr: number;
  internalAttr: number;
  dateTime: number[];
  extraHex: string;
  sha256: string;
}

/** What Python's zipfile sees in an archive: its infolist, and the sha256 of each member as read (CRC checked). */
function pythonView(path: string): { testzip: string | null; infos: PyInfo[] } {
  const out = py(
    `import sys, json, zipfile, hashlib
with zipfile.ZipFile(sys.argv[1]) as z:
    infos = []
    for i in z.infolist():
        infos.append(dict(name=i.filename, nameHex=i.orig_filename.encode('utf-8' if i.flag_bits & 0x800 else 'cp437').hex(),
            crc=i.CRC, compressSize=i.compress_size, fileSize=i.file_size, headerOffset=i.header_offset,
            flags=i.flag_bits, method=i.compress_type, createSystem=i.create_system, createVersion=i.create_version,
            extractVersion=i.extract_version, externalAttr=i.external_attr, internalAttr=i.internal_attr,
            dateTime=list(i.date_time), extraHex=i.extra.hex(), sha256=hashlib.sha256(z.read(i)).hexdigest()))
    print(json.dumps(dict(testzip=z.testzip(), infos=infos)))`,
    [path],
  );
  return JSON.parse(out.toString('utf8')) as { testzip: string | null; infos: PyInfo[] };
}

function dosTuple(e: { dosDate: number; dosTime: number }): number[] {
  return [(e.dosDate >> 9) + 1980, (e.dosDate >> 5) & 0xf, e.dosDate & 0x1f, e.dosTime >> 11, (e.dosTime >> 5) & 0x3f, (e.dosTime & 0x1f) * 2];
}

/** The reader and Python's zipfile agree on every field and every byte of content. */
async function agreesWithPython(t: TestContext, path: string): Promise<ZipEntry[]> {
  const zip = await openZip(path);
  try {
    if (!requireTools(t, PYTHON)) return zip.listEntries();
    const view = pythonView(path);
    assert.equal(view.testzip, null);
    assert.equal(view.infos.length, zip.entryCount);
    for (const [i, e] of zip.listEntries().entries()) {
      const p = view.infos[i]!;
      const content = await readAll(zip.openMemberStream(e));
      assert.deepEqual(
        {
          nameHex: hex(await storedNameBytes(path, e)),
          crc: e.crc32,
          compressSize: e.compressedSize,
          fileSize: e.uncompressedSize,
          headerOffset: e.localHeaderOffset,
          flags: e.flags,
          method: e.method,
          createSystem: hostOf(e.versionMadeBy),
          createVersion: e.versionMadeBy & 0xff,
          extractVersion: e.versionNeeded,
          externalAttr: e.externalAttr,
          internalAttr: e.internalAttr,
          dateTime: dosTuple(e),
          extraHex: (await zip.extraFields(e)).central.map((f) => hex(Buffer.from([f.id & 0xff, f.id >> 8, f.data.length & 0xff, f.data.length >> 8])) + hex(f.data)).join(''),
          sha256: sha256(content),
        },
        {
          nameHex: p.nameHex,
          crc: p.crc,
          compressSize: p.compressSize,
          fileSize: p.fileSize,
          headerOffset: p.headerOffset,
          flags: p.flags,
          method: p.method,
          createSystem: p.createSystem,
          createVersion: p.createVersion,
          extractVersion: p.extractVersion,
          externalAttr: p.externalAttr,
          internalAttr: p.internalAttr,
          dateTime: p.dateTime,
          extraHex: p.extraHex,
          sha256: p.sha256,
        },
        `entry ${i} ${e.name}`,
      );
      if ((e.flags & FLAG_UTF8) !== 0) assert.equal(e.name, p.name);
    }
    return zip.listEntries();
  } finally {
    await zip.close();
  }
}

function sevenZipTest(t: TestContext, path: string): void {
  if (!requireTools(t, '7z')) return;
  const r = spawnSync('7z', ['t', path], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /Everything is Ok/);
}

function unzipTest(t: TestContext, path: string): void {
  if (!requireTools(t, 'unzip')) return;
  const r = spawnSync('unzip', ['-t', path], { encoding: 'utf8' });
  assert.equal(r.status, 0, `unzip -t failed:\n${r.stdout}\n${r.stderr}`);
  assert.match(r.stdout, /No errors detected/);
}

/** Builds a small tree for the archivers to pack: regular files, a directory, a symlink, a non-ASCII name. */
async function makeTree(): Promise<{ root: string; files: Map<string, Buffer> }> {
  const root = await mkdtemp(join(dir.path, 'tree-'));
  const files = new Map<string, Buffer>([
    ['a.txt', Buffer.from('hello\n')],
    ['pkg/__init__.py', Buffer.from('print("hi")\n'.repeat(500))],
    ['pkg/data.bin', randomBytes(100_000)],
    ['naïve-ü.txt', Buffer.from('non-ascii name\n')],
    ['empty', Buffer.alloc(0)],
  ]);
  await mkdir(join(root, 'pkg'));
  for (const [name, content] of files) await writeFile(join(root, name), content);
  await symlink('a.txt', join(root, 'link'));
  return { root, files };
}

// ---------------------------------------------------------------------------------------------------
// Writer → Python, unzip, 7z
// ---------------------------------------------------------------------------------------------------

describe('what ZipWriter writes', () => {
  test('is read alike by Python zipfile, unzip -t and 7z t', async (t) => {
    const path = join(dir.path, 'written.zip');
    await writeZip(path, sampleMembers().map(entryOf));
    await agreesWithPython(t, path);
    unzipTest(t, path);
    sevenZipTest(t, path);
  });

  test('an empty archive (22 bytes) is one to Python', async (t) => {
    if (!requireTools(t, PYTHON)) return;
    const path = join(dir.path, 'empty-archive.zip');
    await writeZip(path, []);
    assert.deepEqual(pythonView(path), { testzip: null, infos: [] });
  });

  test('zip64: a 4 GiB member, then a member past 4 GiB (sparse file), read by Python, unzip and 7z', async (t) => {
    const path = join(dir.path, 'zip64.zip');
    const bigSize = 2 ** 32;
    const small = Buffer.from('after four gigabytes\n');
    const { offsets } = await sparseZip(path, bigSize, [{ name: 'small.txt', content: small }]);
    if (requireTools(t, PYTHON)) {
      const out = py(
        `import sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z:
    a, b = z.infolist()
    print(a.file_size, a.compress_size, b.header_offset, z.read('small.txt').decode(), end='')`,
        [path],
      );
      assert.equal(out.toString(), `${bigSize} ${bigSize} ${offsets[1]} ${small.toString()}`);
    }
    if (requireTools(t, 'unzip')) {
      const r = spawnSync('unzip', ['-p', path, 'small.txt'], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout, small.toString());
    }
    // 7z checks the CRC-32 of all 4 GiB (unzip -t takes ten times longer).
    sevenZipTest(t, path);
  });

  test('zip64 threshold: Python reads a member of exactly 0xFFFFFFFF bytes', async (t) => {
    if (!requireTools(t, PYTHON)) return;
    const path = join(dir.path, 'zip64-threshold.zip');
    await sparseZip(path, 0xffffffff, []);
    const out = py(`import sys, zipfile\ni = zipfile.ZipFile(sys.argv[1]).infolist()[0]\nprint(i.file_size, i.compress_size, end='')`, [path]);
    assert.equal(out.toString(), '4294967295 4294967295');
  });

  test('zip64 end records for 65535 entries: Python counts them all', async (t) => {
    if (!requireTools(t, PYTHON)) return;
    const chunks: Uint8Array[] = [];
    const writer = new ZipWriter(async (c) => void chunks.push(Uint8Array.from(c)));
    const base = entryOf({ name: 'x', content: new Uint8Array(0), method: METHOD_STORED });
    for (let i = 0; i < 65535; i++) await writer.addEntry({ ...base, nameBytes: Buffer.from(`f${i}`) });
    assert.equal((await writer.finish()).zip64, true);
    const path = join(dir.path, 'many.zip');
    await writeFile(path, Buffer.concat(chunks));
    const out = py(`import sys, zipfile\nprint(len(zipfile.ZipFile(sys.argv[1]).infolist()), end='')`, [path]);
    assert.equal(out.toString(), '65535');
  });

  test('MS-DOS times match what Python writes for the same UTC times', async (t) => {
    if (!requireTools(t, PYTHON)) return;
    const times = [315532800, 1_000_000_001, 1_700_000_000, 4_102_444_799];
    const path = join(dir.path, 'times.zip');
    py(
      `import sys, time, zipfile
with zipfile.ZipFile(sys.argv[1], 'w') as z:
    for t in sys.argv[2:]:
        z.writestr(zipfile.ZipInfo(t, time.gmtime(int(t))[:6]), b'')`,
      [path, ...times.map(String)],
    );
    for (const e of await entriesOf(path)) {
      assert.deepEqual({ dosDate: e.dosDate, dosTime: e.dosTime }, toDosDateTime(Number(e.name)), e.name);
      assert.equal(fromDosDateTime(e), Number(e.name) - (Number(e.name) % 2));
    }
  });
});

// ---------------------------------------------------------------------------------------------------
// Archives written by other tools → reader
// ---------------------------------------------------------------------------------------------------

describe('reads archives written by', () => {
  async function checkTree(t: TestContext, path: string, files: Map<string, Buffer>): Promise<ZipEntry[]> {
    const entries = await agreesWithPython(t, path);
    const zip = await openZip(path);
    try {
      for (const [name, content] of files) {
        // By the stored bytes: how an unflagged name decodes (CP437, as zipfile) is agreesWithPython's check.
        const stored = await Promise.all(zip.listEntries().map((x) => storedNameBytes(path, x)));
        const e = zip.listEntries().find((x) => stored[x.index]!.equals(Buffer.from(name, 'utf8')));
        assert.ok(e, `${path}: missing ${name}; have ${zip.listEntries().map((x) => x.name).join(', ')}`);
        assert.deepEqual(await readAll(zip.openMemberStream(e)), content, name);
      }
    } finally {
      await zip.close();
    }
    return entries;
  }

  test('Info-ZIP zip (with UT and ux extras, a symlink and a directory)', async (t) => {
    if (!requireTools(t, 'zip')) return;
    const { root, files } = await makeTree();
    const path = join(dir.path, 'infozip.zip');
    execFileSync('zip', ['-qry', path, '.'], { cwd: root });
    const entries = await checkTree(t, path, files);
    const link = entries.find((e) => e.name === 'link')!;
    assert.equal(externalAttrToUnixMode(link.externalAttr) & 0o170000, S_IFLNK);
    assert.ok(entries.some((e) => e.name === 'pkg/'));
    for (const e of entries) {
      assert.deepEqual(e.extraFieldIds, [EXTRA_EXTENDED_TIMESTAMP, EXTRA_INFOZIP_UNIX_NEW]);
      assert.equal(hostOf(e.versionMadeBy), HOST_UNIX);
    }
  });

  test('Info-ZIP zip -X (no extras)', async (t) => {
    if (!requireTools(t, 'zip')) return;
    const { root, files } = await makeTree();
    const path = join(dir.path, 'infozip-X.zip');
    execFileSync('zip', ['-qrXy', path, '.'], { cwd: root });
    for (const e of await checkTree(t, path, files)) assert.deepEqual([e.extraFieldIds, e.localExtraFieldIds, e.extendedMtime], [[], [], undefined]);
  });

  test('Info-ZIP zip writing to a pipe (data descriptors) and reading stdin (zip64 local extra)', async (t) => {
    if (!requireTools(t, 'zip')) return;
    const { root, files } = await makeTree();
    const path = join(dir.path, 'infozip-pipe.zip');
    execFileSync('sh', ['-c', `zip -qr - . | cat > "${path}"`], { cwd: root });
    const entries = await checkTree(t, path, files);
    assert.ok(entries.some((e) => e.flags & FLAG_DATA_DESCRIPTOR && e.dataDescriptorLength === 16));

    const stdin = join(dir.path, 'infozip-stdin.zip');
    execFileSync('sh', ['-c', `zip -q - - < pkg/data.bin | cat > "${stdin}"`], { cwd: root });
    const [e] = await agreesWithPython(t, stdin);
    assert.equal(e!.dataDescriptorLength, 24); // signature + zip64 sizes
    assert.deepEqual(e!.localExtraFieldIds, [EXTRA_ZIP64]);
    assert.deepEqual(await readMember(stdin, '-'), files.get('pkg/data.bin'));

    // Written to a seekable file from stdin: small member with a zip64 local extra and zip64 end records.
    const seekable = join(dir.path, 'infozip-stdin-seekable.zip');
    execFileSync('sh', ['-c', `zip -q - - < pkg/data.bin > "${seekable}"`], { cwd: root });
    const zip = await openZip(seekable);
    assert.equal(zip.zip64, true);
    await zip.close();
    await agreesWithPython(t, seekable);
  });

  test('7-Zip (NTFS extra, UTF-8 flag)', async (t) => {
    if (!requireTools(t, '7z')) return;
    const { root, files } = await makeTree();
    const path = join(dir.path, '7z.zip');
    execFileSync('7z', ['a', '-tzip', path, '.'], { cwd: root, stdio: 'ignore' });
    const entries = await checkTree(t, path, files);
    assert.ok(entries.every((e) => e.extraFieldIds.includes(EXTRA_NTFS)));
    assert.ok(entries.find((e) => e.name === 'naïve-ü.txt')!.flags & FLAG_UTF8);
  });

  test('Python zipfile: plain, non-ASCII names, force_zip64, and a DOS host entry', async (t) => {
    if (!requireTools(t, PYTHON)) return;
    const path = join(dir.path, 'python.zip');
    py(
      `import sys, zipfile
with zipfile.ZipFile(sys.argv[1], 'w', zipfile.ZIP_DEFLATED) as z:
    z.writestr('a.txt', b'hi' * 1000)
    z.writestr('ü/ñ.txt', b'x')
    with z.open('big', 'w', force_zip64=True) as f:
        f.write(b'abc' * 100)
    i = zipfile.ZipInfo('DOSDIR/', (2000, 1, 1, 0, 0, 0))
    i.create_system = 0
    i.external_attr = 0x10
    z.writestr(i, b'')`,
      [path],
    );
    const entries = await agreesWithPython(t, path);
    assert.equal(entries[1]!.name, 'ü/ñ.txt');
    assert.ok(entries[1]!.flags & FLAG_UTF8);
    assert.deepEqual(entries[2]!.localExtraFieldIds, [EXTRA_ZIP64]);
    assert.equal(hostOf(entries[3]!.versionMadeBy), HOST_MSDOS);
    assert.equal(entries[3]!.externalAttr, MSDOS_ATTR_DIRECTORY);
  });

  test('Python zipfile streaming to an unseekable pipe (data descriptors, zip64 descriptor)', async (t) => {
    if (!requireTools(t, PYTHON)) return;
    const path = join(dir.path, 'python-pipe.zip');
    execFileSync('sh', [
      '-c',
      `${PYTHON} -c "
import sys, zipfile
with zipfile.ZipFile(sys.stdout.buffer, 'w', zipfile.ZIP_DEFLATED) as z:
    z.writestr('a.txt', b'hi' * 1000)
    z.writestr('s.txt', b'stored', zipfile.ZIP_STORED)
    with z.open('z64', 'w', force_zip64=True) as f:
        f.write(b'abc' * 100)
" | cat > "${path}"`,
    ]);
    const entries = await agreesWithPython(t, path);
    assert.deepEqual(entries.map((e) => [e.flags & FLAG_DATA_DESCRIPTOR, e.dataDescriptorLength]), [
      [8, 16],
      [8, 16],
      [8, 24],
    ]);
  });

  test('names without the flag are CP437 (all 128 high bytes, as Python decodes them)', async (t) => {
    if (!requireTools(t, PYTHON)) return;
    const path = join(dir.path, 'names.zip');
    const cp437 = Buffer.from(Array.from({ length: 128 }, (_, i) => 0x80 + i));
    await writeZip(path, [{ ...entryOf({ name: 'x', content: Buffer.from('2'), method: METHOD_STORED }), nameBytes: cp437 }]);
    const [dos] = await entriesOf(path);
    const expected = py(`import sys\nsys.stdout.buffer.write(bytes(range(128, 256)).decode('cp437').encode('utf-8'))`).toString('utf8');
    assert.equal(dos!.name, expected);
    await agreesWithPython(t, path);
  });

  test('Python zipfile with exactly 65535 entries: a count of 0xFFFF without zip64 records is literal', async (t) => {
    if (!requireTools(t, PYTHON)) return;
    const path = join(dir.path, 'python-65535.zip');
    py(`import sys, zipfile\nwith zipfile.ZipFile(sys.argv[1], 'w') as z:\n    for i in range(65535): z.writestr(f'f{i}', b'')`, [path]);
    const zip = await openZip(path);
    assert.equal(zip.zip64, false);
    assert.equal(zip.entryCount, 65535);
    await zip.close();
  });

  test('an end record signature inside a member name: Python reads the archive as the reader does', async (t) => {
    const path = join(dir.path, 'sig-in-name.zip');
    await writeZip(path, [{ ...entryOf({ name: 'x', content: Buffer.from('1'), method: METHOD_STORED }), nameBytes: Buffer.from('PK\x05\x06.txt', 'latin1') }]);
    await agreesWithPython(t, path);
  });

  test('every data descriptor form: Python reads the archive as the reader does', async (t) => {
    const path = await plainZip(dir.path, 'descriptors.zip', (a) => {
      a.members = ([12, 16, 20, 24] as const).map((length) => ({ name: `d${length}`, content: Buffer.from('x'.repeat(length)), method: METHOD_DEFLATE, descriptor: length }));
    });
    await agreesWithPython(t, path);
    unzipTest(t, path);
  });
});

// ---------------------------------------------------------------------------------------------------
// Refusals of what real tools write
// ---------------------------------------------------------------------------------------------------

describe('refuses what tools write', () => {
  test('encrypted members', async (t) => {
    if (requireTools(t, 'zip')) {
      const root = await mkdtemp(join(dir.path, 'enc-'));
      await writeFile(join(root, 'secret.txt'), 'secret');
      const path = join(dir.path, 'zipcrypto.zip');
      execFileSync('zip', ['-q', '-P', 'password', path, 'secret.txt'], { cwd: root });
      await refuses(t, path, /^entry "secret.txt" \(central directory header 0 at offset \d+\) is encrypted \(flag bit 0, encrypted\)/);
    }
  });

  test('compression methods other than stored and deflate', async (t) => {
    if (!requireTools(t, '7z')) return;
    const root = await mkdtemp(join(dir.path, 'methods-'));
    await writeFile(join(root, 'f.txt'), 'some text '.repeat(1000));
    for (const [method, id] of [['BZip2', 12], ['Deflate64', 9], ['LZMA', 14]] as const) {
      const path = join(dir.path, `method-${method}.zip`);
      execFileSync('7z', ['a', '-tzip', `-mm=${method}`, path, 'f.txt'], { cwd: root, stdio: 'ignore' });
      await refuses(t, path, new RegExp(`^entry "f.txt" .* uses compression method ${id}; only 0 \\(stored\\) and 8 \\(deflate\\) are supported`));
    }
  });

  test('a broken zip64 end record', async (t) => {
    if (!requireTools(t, 'zip')) return;
    const root = await mkdtemp(join(dir.path, 'z64-'));
    await writeFile(join(root, 'in'), 'data');
    const path = join(dir.path, 'z64-broken.zip');
    execFileSync('sh', ['-c', `zip -q - - < in > "${path}"`], { cwd: root });
    const bytes = await readFile(path);
    const z64 = bytes.lastIndexOf(Buffer.from([0x50, 0x4b, 0x06, 0x06]));
    await patchU32(path, z64 + 48, bytes.readUInt32LE(z64 + 48) + 1); // central directory offset
    await refuses(t, path, /^(end of central directory record at offset \d+: central directory offset is \d+, but the zip64 end of central directory record|zip64 end of central directory record at offset \d+: central directory at offset)/);
  });

});
