// Issue 20: the structure-aware fuzzer's findings (test/fuzz/structured.ts), each shrunk to a named
// archive that reprodist must refuse (exit 2, one line) in normalize, check and digest, because pip or
// tarfile/zipfile read it otherwise than reprodist does. Each carries its diagnosis: which bytes,
// which oracle disagreed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PYTHON, REPO_ROOT, requireTools, runCli, runOk, tmpDir } from '../helpers/tools.js';
import { fixChecksum, makeRecord, paxRecord, sdistBytes, setField, type FieldName, type TarRecord } from '../fuzz/tar-model.js';
import { hiddenDirectory, parseZip, zipBytes, type ZipModel } from '../fuzz/zip-model.js';

const TOP = 'pkg-1.0';

/** A small clean sdist's members, then `extra`, then the end blocks. */
function sdist(...extra: TarRecord[]): Buffer {
  const records = [
    makeRecord('5', `${TOP}/`, Buffer.alloc(0), 'ustar\x0000', 0o755),
    makeRecord('0', `${TOP}/setup.py`, Buffer.from("print('hi')\n")),
    ...extra,
  ];
  return sdistBytes({ records, tail: Buffer.alloc(1024), gzip: '' });
}

/** A pax extended header whose declared records are harmless and whose block padding holds `padding`. */
function paxWithPadding(padding: Buffer): TarRecord {
  const record = makeRecord('x', '././@PaxHeader', paxRecord('comment', 'c'));
  padding.copy(record.padding);
  return record;
}

/** A v7 directory header (typeflag NUL, no magic, name ending in /) with some fields set. */
function v7Directory(fields: Partial<Record<FieldName, string>>): TarRecord {
  const directory = makeRecord('\0', `${TOP}/v7dir/`, Buffer.alloc(0), '\0'.repeat(8), 0o755);
  for (const [name, value] of Object.entries(fields)) setField(directory.header, name as FieldName, Buffer.from(value, 'latin1'));
  fixChecksum(directory.header);
  return directory;
}

/** differential.py's clean wheel, edited through the zip model. */
function wheel(dir: string, edit: (model: ZipModel) => void): Buffer {
  const craftDir = join(dir, 'craft');
  mkdirSync(craftDir, { recursive: true });
  const cases = JSON.parse(runOk(PYTHON, [join(REPO_ROOT, 'test/helpers/differential.py'), 'craft-zip', craftDir])) as { name: string; file: string }[];
  const model = parseZip(readFileSync(cases.find((c) => c.name === 'clean')!.file));
  edit(model);
  return zipBytes(model);
}

interface Finding {
  name: string;
  file: string;
  make: (dir: string) => Buffer;
  /** Why reprodist must refuse it: the bytes and the oracle that read them otherwise. */
  diagnosis: string;
}

const EVIL = Buffer.from('import os\n');

const FINDINGS: Finding[] = [
  {
    name: 'a pax path record in the extended header\'s block padding',
    file: `${TOP}.tar.gz`,
    make: () => sdist(paxWithPadding(paxRecord('path', `${TOP}/evil.pth`)), makeRecord('0', `${TOP}/good.py`, EVIL)),
    diagnosis: 'bytes 13-511 of the pax header block (padding) hold "path=pkg-1.0/evil.pth": pip and tarfile-data rename good.py to evil.pth, reprodist reads only the declared 13 bytes (issue #20 class 1)',
  },
  {
    name: 'pax header block padding that starts with a space',
    file: `${TOP}.tar.gz`,
    make: () => sdist(paxWithPadding(Buffer.from(' ')), makeRecord('0', `${TOP}/good.py`, EVIL)),
    diagnosis: 'a space at the first padding byte of a pax header: tarfile (pip, tarfile-data 3.13) takes it for a malformed record and silently ends the archive, so pip installs nothing; reprodist reads on (issue #20 class 1)',
  },
  {
    name: 'a v7 directory whose size field covers the next member',
    file: `${TOP}.tar.gz`,
    make: () => sdist(v7Directory({ size: '00000002000\0' }), makeRecord('0', `${TOP}/v7dir/f`, EVIL)),
    diagnosis: 'the size field (1024) of a v7 directory (typeflag NUL, name ending in /): reprodist skips 1024 bytes of data after it, swallowing the next member (header and data), while tarfile (pip, tarfile-data) reads no data for a directory and installs v7dir/f',
  },
  {
    name: 'a v7 directory with one byte of data',
    file: `${TOP}.tar.gz`,
    make: () => {
      const directory = v7Directory({ size: '00000000001\0' });
      directory.data = Buffer.from('x');
      directory.padding = Buffer.alloc(511);
      return sdist(directory, makeRecord('0', `${TOP}/v7dir/f`, EVIL));
    },
    diagnosis: 'a v7 directory with size 1 and a data block: reprodist reads the block as its data and installs v7dir/f; tarfile reads no data for a directory, takes the block for an invalid header and ends the archive, so pip never installs v7dir/f',
  },
  {
    name: 'a v7 header with devmajor 9999999',
    file: `${TOP}.tar.gz`,
    make: () => sdist(v7Directory({ devmajor: '9999999\0' }), makeRecord('0', `${TOP}/v7dir/f`, EVIL, '\0'.repeat(8))),
    diagnosis: 'bytes 329-336 (devmajor) of a v7 header hold 9999999: tarfile parses them, fails, and silently ends the archive (pip installs neither v7dir nor v7dir/f); reprodist skips the field (issue #20 class 2)',
  },
  {
    name: 'an sdist whose one member is a file at the top',
    file: `${TOP}.tar.gz`,
    make: () => sdistBytes({ records: [makeRecord('0', TOP, EVIL)], tail: Buffer.alloc(1024), gzip: '' }),
    diagnosis: 'pip takes the only member name (pkg-1.0, a file) for the leading directory, strips it and fails (IsADirectoryError writing the target directory itself); tarfile installs the file. No writer makes this: a file outside the top directory is refused',
  },
  {
    name: 'zip64 end record with extensible data',
    file: 'demo-1.0-py3-none-any.whl',
    make: (dir) => wheel(dir, (model) => void (model.zip64 = Buffer.from('extensible data'))),
    diagnosis: 'zip64 extensible data (15 bytes) after a zip64 end record: zipfile 3.11 and 3.13 (pip) read the end record at locator - 56 and fail (Bad magic number for central directory) (issue #20)',
  },
  {
    name: 'a second zip64 end record at locator - 56, pointing at a central directory hidden in the extensible data',
    file: 'demo-1.0-py3-none-any.whl',
    make: (dir) => wheel(dir, (model) => void (model.zip64 = hiddenDirectory(model))),
    diagnosis: 'the zip64 extensible data holds a central directory and a fake zip64 end record at locator - 56: zipfile (pip) reads that directory, reprodist the real one (issue #20 class 3)',
  },
  {
    name: 'flag bit 5 (compressed patched data)',
    file: 'demo-1.0-py3-none-any.whl',
    make: (dir) => wheel(dir, (model) => {
      const entry = model.entries[0]!;
      entry.local.writeUInt16LE(entry.local.readUInt16LE(6) | 0x20, 6);
      entry.central.writeUInt16LE(entry.central.readUInt16LE(8) | 0x20, 8);
    }),
    diagnosis: 'general purpose flag bit 5 of demo/__init__.py: zipfile (pip) raises NotImplementedError (issue #20)',
  },
  {
    name: 'a directory entry that declares a CRC-32 of its no data',
    file: 'demo-1.0-py3-none-any.whl',
    make: (dir) => wheel(dir, (model) => {
      const entry = model.entries.find((e) => e.centralName.toString('latin1') === 'demo/empty/')!;
      entry.local.writeUInt32LE(1, 14);
      entry.central.writeUInt32LE(1, 16);
    }),
    diagnosis: 'the CRC-32 field (1) of the directory entry demo/empty/: installers make the directory without reading it, so no reader checks the field; the strict reader read it only where it reads data (found by the 100,000-case campaign\'s byte coverage)',
  },
];

for (const finding of FINDINGS) {
  test(`structured fuzzer finding, refused by every verb: ${finding.name}`, {}, (t) => {
    if (!requireTools(t, PYTHON)) return;
    const dir = tmpDir(t);
    const file = join(dir, finding.file);
    writeFileSync(file, finding.make(dir));
    const outDir = join(dir, 'out');
    mkdirSync(outDir);
    const original = readFileSync(file);
    for (const args of [['--out', outDir, file], ['check', file], ['digest', file]]) {
      const result = runCli(args);
      assert.equal(result.code, 2, `${args[0]} exited ${result.code}: ${result.stdout}${result.stderr}`);
      assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
    }
    assert.deepEqual(readFileSync(file), original);
  });
}
