// The zip codec against real archives: written by this writer and read back by Python's zipfile,
// `unzip -t`, 7-Zip and the reader; written by Info-ZIP, 7-Zip and Python and read by the reader; and
// real archives corrupted byte by byte, each of which the reader must refuse with a ZipFormatError
// that names the problem.
import { after, before, describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, open, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { crc32 } from 'node:zlib';
import { DEFLATE_BLOCK_SIZE, DEFLATE_DICTIONARY_SIZE } from '../../src/formats/deflate/index.js';
import { deflateBlockWasm as deflateBlock } from '../../src/formats/deflate/zlib-wasm.js';
import {
  EXTERNAL_ATTR_S_IFDIR,
  EXTERNAL_ATTR_S_IFLNK,
  EXTERNAL_ATTR_S_IFREG,
  EXTRA_EXTENDED_TIMESTAMP,
  EXTRA_INFOZIP_UNIX_NEW,
  EXTRA_NTFS,
  EXTRA_ZIP64,
  FLAG_DATA_DESCRIPTOR,
  FLAG_UTF8,
  HOST_MSDOS,
  HOST_UNIX,
  METHOD_DEFLATE,
  METHOD_STORED,
  MSDOS_ATTR_DIRECTORY,
  S_IFDIR,
  S_IFLNK,
  S_IFREG,
  VERSION_DEFLATE,
  VERSION_ZIP64,
  ZipFormatError,
  ZipReader,
  ZipWriter,
  externalAttrToUnixMode,
  fromDosDateTime,
  hostOf,
  makeVersionMadeBy,
  openZip,
  toDosDateTime,
  unixModeToExternalAttr,
  type ZipEntry,
  type ZipWriterEntry,
} from '../../src/formats/zip/index.js';

const PYTHON = '/usr/bin/python3';
let dir = '';

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'reprodist-zip-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

// ---------------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------------

/** Whether an external tool is here. Missing: skip locally, fail in CI. */
function need(t: TestContext, tool: string): boolean {
  const found = tool.startsWith('/') ? existsSync(tool) : spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;
  if (found) return true;
  if (process.env.CI) assert.fail(`${tool} is required in CI but is not installed`);
  t.skip(`${tool} is not installed`);
  return false;
}

function py(script: string, args: string[] = [], options: { cwd?: string } = {}): Buffer {
  return execFileSync(PYTHON, ['-c', script, ...args], { cwd: options.cwd, maxBuffer: 64 << 20 });
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function readMember(path: string, name: string): Promise<Buffer> {
  const zip = await openZip(path);
  try {
    const entry = zip.entries.find((e) => e.name === name);
    assert.ok(entry, `no entry ${name}`);
    return await readAll(zip.openMemberStream(entry));
  } finally {
    await zip.close();
  }
}

const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/** Deflates like the normalizer: stock zlib in WebAssembly, block by block. */
function deflate(data: Uint8Array, level = 6): Uint8Array {
  const parts: Uint8Array[] = [];
  for (let at = 0; at === 0 || at < data.length; at += DEFLATE_BLOCK_SIZE) {
    const end = Math.min(at + DEFLATE_BLOCK_SIZE, data.length);
    parts.push(
      deflateBlock({
        input: data.subarray(at, end),
        dictionary: data.subarray(Math.max(0, at - DEFLATE_DICTIONARY_SIZE), at),
        level,
        last: end === data.length,
      }),
    );
  }
  return Buffer.concat(parts);
}

const WHEN = toDosDateTime(Date.UTC(2020, 1, 2, 3, 4, 6) / 1000);

interface Member {
  name: string;
  content: Uint8Array;
  method?: number;
  mode?: number;
  utf8?: boolean;
}

function entryOf(m: Member): ZipWriterEntry {
  const method = m.method ?? METHOD_DEFLATE;
  const stored = method === METHOD_STORED ? m.content : deflate(m.content);
  return {
    nameBytes: Buffer.from(m.name, 'utf8'),
    flags: m.utf8 ? FLAG_UTF8 : 0,
    method,
    versionMadeBy: makeVersionMadeBy(HOST_UNIX, VERSION_DEFLATE),
    versionNeeded: VERSION_DEFLATE,
    dosTime: WHEN.dosTime,
    dosDate: WHEN.dosDate,
    externalAttr: unixModeToExternalAttr(m.mode ?? S_IFREG | 0o644),
    internalAttr: 0,
    crc32: crc32(m.content),
    compressedSize: stored.length,
    uncompressedSize: m.content.length,
    data: stored,
  };
}

async function writeZip(path: string, entries: ZipWriterEntry[]) {
  const handle = await open(path, 'w');
  try {
    const writer = new ZipWriter(handle);
    for (const e of entries) await writer.addEntry(e);
    return await writer.finish();
  } finally {
    await handle.close();
  }
}

async function writeMembers(path: string, members: Member[]) {
  return writeZip(path, members.map(entryOf));
}

/** A plain two-member archive written by Python (stored a.txt, deflated b.txt). */
async function pythonZip(name: string, extra = ''): Promise<string> {
  const path = join(dir, name);
  py(
    `import sys, zipfile
z = zipfile.ZipFile(sys.argv[1], 'w')
z.writestr('a.txt', b'alpha ' * 20, zipfile.ZIP_STORED)
z.writestr('b.txt', b'bravo ' * 200, zipfile.ZIP_DEFLATED)
${extra}
z.close()`,
    [path],
  );
  return path;
}

async function patch(path: string, offset: number, bytes: number[] | Buffer): Promise<void> {
  const handle = await open(path, 'r+');
  try {
    await handle.write(Buffer.from(bytes), 0, bytes.length, offset);
  } finally {
    await handle.close();
  }
}

async function patchU16(path: string, offset: number, value: number): Promise<void> {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(value);
  await patch(path, offset, b);
}

async function patchU32(path: string, offset: number, value: number): Promise<void> {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(value);
  await patch(path, offset, b);
}

async function entriesOf(path: string): Promise<ZipEntry[]> {
  const zip = await openZip(path);
  await zip.close();
  return [...zip.entries];
}

async function eocdOffset(path: string): Promise<number> {
  const data = await readFile(path);
  return data.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
}

/** Asserts that opening `path` (or reading one of its members) fails with a ZipFormatError matching `pattern`. */
async function refuses(t: TestContext, path: string, pattern: RegExp, member?: string): Promise<void> {
  let message = '';
  await assert.rejects(
    member === undefined ? openZip(path) : readMember(path, member),
    (err: unknown) => {
      assert.ok(err instanceof ZipFormatError, `expected a ZipFormatError, got ${String(err)}`);
      message = err.message;
      assert.match(err.message, pattern);
      return true;
    },
  );
  t.diagnostic(message);
}

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
    if (!need(t, PYTHON)) return [...zip.entries];
    const view = pythonView(path);
    assert.equal(view.testzip, null);
    assert.equal(view.infos.length, zip.entries.length);
    for (const [i, e] of zip.entries.entries()) {
      const p = view.infos[i]!;
      const content = await readAll(zip.openMemberStream(e));
      assert.deepEqual(
        {
          nameHex: hex(e.nameBytes),
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
          extraHex: e.extraFields.map((f) => hex(Buffer.from([f.id & 0xff, f.id >> 8, f.data.length & 0xff, f.data.length >> 8])) + hex(f.data)).join(''),
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
    return [...zip.entries];
  } finally {
    await zip.close();
  }
}

function unzipTest(t: TestContext, path: string): void {
  if (!need(t, 'unzip')) return;
  const r = spawnSync('unzip', ['-t', path], { encoding: 'utf8' });
  assert.equal(r.status, 0, `unzip -t failed:\n${r.stdout}\n${r.stderr}`);
  assert.match(r.stdout, /No errors detected/);
}

/** Builds a small tree for the archivers to pack: regular files, a directory, a symlink, a non-ASCII name. */
async function makeTree(): Promise<{ root: string; files: Map<string, Buffer> }> {
  const root = await mkdtemp(join(dir, 'tree-'));
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
// Writer → Python, unzip, 7z, reader
// ---------------------------------------------------------------------------------------------------

const sampleMembers = (): Member[] => [
  { name: 'pkg/', content: new Uint8Array(0), method: METHOD_STORED, mode: S_IFDIR | 0o755 },
  { name: 'pkg/__init__.py', content: Buffer.from('import os\n'.repeat(1000)) },
  { name: 'pkg/data.bin', content: randomBytes(200_000), method: METHOD_STORED },
  { name: 'pkg/ünïcødé.txt', content: Buffer.from('ü'), utf8: true },
  { name: 'pkg/link', content: Buffer.from('data.bin'), method: METHOD_STORED, mode: S_IFLNK | 0o777 },
  { name: 'pkg/big.txt', content: Buffer.from('lorem ipsum dolor sit amet '.repeat(100_000)) }, // > one deflate block
  { name: 'pkg/empty-deflated', content: new Uint8Array(0) },
];

describe('ZipWriter', () => {
  test('round-trips through Python zipfile, unzip -t, 7z t and the reader', async (t) => {
    const members = sampleMembers();
    const entries = members.map(entryOf);
    const path = join(dir, 'written.zip');
    const summary = await writeZip(path, entries);
    assert.equal(summary.zip64, false);
    assert.equal(summary.entryCount, members.length);
    assert.equal(summary.size, (await stat(path)).size);

    const read = await agreesWithPython(t, path);
    unzipTest(t, path);
    if (need(t, '7z')) {
      const r = spawnSync('7z', ['t', path], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stdout + r.stderr);
      assert.match(r.stdout, /Everything is Ok/);
    }

    const zip = await openZip(path);
    try {
      for (const [i, m] of members.entries()) {
        const e = zip.entries[i]!;
        const w = entries[i]!;
        assert.equal(e.name, m.name);
        assert.deepEqual(
          [e.flags, e.method, e.versionMadeBy, e.versionNeeded, e.dosTime, e.dosDate, e.externalAttr, e.internalAttr, e.crc32, e.compressedSize, e.uncompressedSize],
          [w.flags, w.method, w.versionMadeBy, w.versionNeeded, w.dosTime, w.dosDate, w.externalAttr, w.internalAttr, w.crc32, w.compressedSize, w.uncompressedSize],
        );
        assert.deepEqual(e.extraFields, []);
        assert.deepEqual(e.localExtraFields, []);
        assert.equal(e.dataDescriptorLength, 0);
        assert.deepEqual(await readAll(zip.openMemberStream(e)), Buffer.from(m.content));
        assert.deepEqual(await readAll(zip.openRawStream(e)), Buffer.from(w.data as Uint8Array));
      }
      assert.equal(externalAttrToUnixMode(zip.entries[0]!.externalAttr), S_IFDIR | 0o755);
      assert.equal(read.length, members.length);
    } finally {
      await zip.close();
    }
  });

  test('local and central headers agree byte for byte; no extra fields, comments or descriptors', async () => {
    const path = join(dir, 'bytes.zip');
    await writeMembers(path, sampleMembers());
    const bytes = await readFile(path);
    const entries = await entriesOf(path);
    for (const e of entries) {
      const local = bytes.subarray(e.localHeaderOffset, e.localHeaderOffset + 30);
      const central = bytes.subarray(e.centralHeaderOffset, e.centralHeaderOffset + 46);
      // versionNeeded, flags, method, time, date, crc, sizes, name length, extra length.
      assert.deepEqual(local.subarray(4, 30), central.subarray(6, 32), e.name);
      assert.equal(local.readUInt16LE(28), 0, 'local extra length');
      assert.equal(central.readUInt16LE(32), 0, 'comment length');
      assert.equal(e.dataOffset, e.localHeaderOffset + 30 + e.nameBytes.length);
    }
    // The file ends with a 22-byte end record without comment.
    const eocd = bytes.subarray(bytes.length - 22);
    assert.equal(eocd.readUInt32LE(0), 0x06054b50);
    assert.equal(eocd.readUInt16LE(20), 0);
  });

  test('is deterministic, and a sink function gets the same bytes as a FileHandle', async () => {
    const members = sampleMembers();
    const a = join(dir, 'det-a.zip');
    const b = join(dir, 'det-b.zip');
    await writeMembers(a, members);
    await writeMembers(b, members);
    const chunks: Uint8Array[] = [];
    const writer = new ZipWriter(async (chunk) => {
      chunks.push(Uint8Array.from(chunk));
    });
    for (const m of members) {
      const e = entryOf(m);
      // Streamed in small pieces this time.
      const data = e.data as Uint8Array;
      e.data = (async function* () {
        for (let at = 0; at < data.length; at += 1000) yield data.subarray(at, at + 1000);
      })();
      await writer.addEntry(e);
    }
    const summary = await writer.finish();
    const viaSink = Buffer.concat(chunks);
    assert.deepEqual(await readFile(a), await readFile(b));
    assert.deepEqual(viaSink, await readFile(a));
    assert.equal(summary.size, viaSink.length);
  });

  test('writes an empty archive (22 bytes) that Python and the reader accept', async (t) => {
    const path = join(dir, 'empty-archive.zip');
    const summary = await writeZip(path, []);
    assert.equal(summary.size, 22);
    const zip = await openZip(path);
    assert.deepEqual(zip.entries, []);
    await zip.close();
    if (need(t, PYTHON)) assert.deepEqual(pythonView(path), { testzip: null, infos: [] });
  });

  test('checks the data it is given against the declared sizes and (stored) CRC-32', async () => {
    const base = entryOf({ name: 'x', content: Buffer.from('0123456789'), method: METHOD_STORED });
    const cases: [string, Partial<ZipWriterEntry>, RegExp][] = [
      ['longer', { data: Buffer.from('0123456789A') }, /longer than its declared compressedSize 10/],
      ['shorter', { data: Buffer.from('012345678') }, /9 bytes, shorter than its declared compressedSize 10/],
      ['crc', { crc32: 1 }, /CRC-32 0x[0-9a-f]{8}, but crc32 declares 0x00000001/],
      ['descriptor flag', { flags: FLAG_DATA_DESCRIPTOR }, /bits 0x0008 .* not written/],
      ['method', { method: 12 }, /method 12: only 0 \(stored\) and 8 \(deflate\)/],
      ['stored sizes', { uncompressedSize: 11 }, /stored entry: compressedSize 10 differs from uncompressedSize 11/],
      ['range', { dosTime: 0x10000 }, /dosTime must be an integer from 0 to 65535/],
      ['utf-8', { flags: FLAG_UTF8, nameBytes: Buffer.from([0x66, 0xff]) }, /nameBytes are not valid UTF-8, but flag bit 11/],
    ];
    for (const [label, change, pattern] of cases) {
      const chunks: Uint8Array[] = [];
      const writer = new ZipWriter(async (c) => void chunks.push(c));
      await assert.rejects(writer.addEntry({ ...base, ...change }), pattern, label);
      await assert.rejects(writer.finish(), /unusable after an earlier error/, label);
    }
    // The byte that would overflow the declared size is never written.
    const chunks: Uint8Array[] = [];
    const writer = new ZipWriter(async (c) => void chunks.push(c));
    async function* pieces() {
      yield Buffer.from('01234');
      yield Buffer.from('56789AB');
    }
    await assert.rejects(writer.addEntry({ ...base, data: pieces() }), /longer than its declared compressedSize 10 \(got at least 12 bytes\)/);
    assert.equal(Buffer.concat(chunks).length, 30 + 1 + 5);
  });

  test('refuses a duplicate name', async () => {
    const writer = new ZipWriter(async () => {});
    await writer.addEntry(entryOf({ name: 'a', content: Buffer.from('a'), method: METHOD_STORED }));
    await assert.rejects(writer.addEntry(entryOf({ name: 'a', content: Buffer.from('b'), method: METHOD_STORED })), /duplicate name "a"/);
  });

  test('refuses overlapping calls', async () => {
    const writer = new ZipWriter(async () => new Promise((resolve) => setTimeout(resolve, 5)));
    const first = writer.addEntry(entryOf({ name: 'a', content: Buffer.from('a'), method: METHOD_STORED }));
    await assert.rejects(writer.addEntry(entryOf({ name: 'b', content: Buffer.from('b'), method: METHOD_STORED })), /must not overlap/);
    await first;
  });

  /** Writes `bigSize` zero bytes stored as 'zeros', then `after`, skipping the zeros on disk (sparse file). */
  async function sparseZip(path: string, bigSize: number, after: Member[]): Promise<{ offsets: number[]; summary: Awaited<ReturnType<ZipWriter['finish']>> }> {
    const zero = Buffer.alloc(1 << 20);
    let crc = 0;
    for (let left = bigSize; left > 0; left -= zero.length) crc = crc32(zero.subarray(0, Math.min(left, zero.length)), crc);
    async function* zeros() {
      for (let left = bigSize; left > 0; left -= zero.length) yield zero.subarray(0, Math.min(left, zero.length));
    }
    const handle = await open(path, 'w');
    try {
      let position = 0;
      const writer = new ZipWriter(async (chunk) => {
        if (chunk.buffer !== zero.buffer) await handle.write(chunk, 0, chunk.length, position);
        position += chunk.length;
      });
      const offsets = [writer.offset];
      const big = entryOf({ name: 'zeros', content: new Uint8Array(0), method: METHOD_STORED });
      await writer.addEntry({ ...big, crc32: crc, compressedSize: bigSize, uncompressedSize: bigSize, data: zeros() });
      for (const m of after) {
        offsets.push(writer.offset);
        await writer.addEntry(entryOf(m));
      }
      const summary = await writer.finish();
      await handle.truncate(position);
      return { offsets, summary };
    } finally {
      await handle.close();
    }
  }

  test('zip64: a 4 GiB member, then a member past 4 GiB and a central directory past 4 GiB (sparse file)', async (t) => {
    const path = join(dir, 'zip64.zip');
    const bigSize = 2 ** 32;
    const small = Buffer.from('after four gigabytes\n');
    const { offsets, summary } = await sparseZip(path, bigSize, [{ name: 'small.txt', content: small }]);
    const smallOffset = offsets[1]!;
    assert.equal(summary.zip64, true);
    assert.ok(smallOffset > 0xffffffff && summary.centralDirectoryOffset > 0xffffffff);

    const zip = await openZip(path);
    try {
      assert.equal(zip.zip64, true);
      const [big, after] = zip.entries as [ZipEntry, ZipEntry];
      assert.equal(big.uncompressedSize, bigSize);
      assert.equal(big.compressedSize, bigSize);
      assert.equal(big.versionNeeded, VERSION_ZIP64);
      // Local: both sizes (APPNOTE 4.5.3); central: only what overflows.
      assert.deepEqual(big.localExtraFields.map((f) => [f.id, f.data.length]), [[EXTRA_ZIP64, 16]]);
      assert.deepEqual(big.extraFields.map((f) => [f.id, f.data.length]), [[EXTRA_ZIP64, 16]]);
      assert.equal(after.localHeaderOffset, smallOffset);
      assert.equal(after.versionNeeded, VERSION_ZIP64);
      assert.deepEqual(after.localExtraFields, []);
      assert.deepEqual(after.extraFields.map((f) => [f.id, f.data.length]), [[EXTRA_ZIP64, 8]]);
      assert.deepEqual(await readAll(zip.openMemberStream(after)), small);
    } finally {
      await zip.close();
    }
    if (need(t, PYTHON)) {
      const out = py(
        `import sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z:
    a, b = z.infolist()
    print(a.file_size, a.compress_size, b.header_offset, z.read('small.txt').decode(), end='')`,
        [path],
      );
      assert.equal(out.toString(), `${bigSize} ${bigSize} ${smallOffset} ${small.toString()}`);
    }
    if (need(t, 'unzip')) {
      const r = spawnSync('unzip', ['-p', path, 'small.txt'], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout, small.toString());
    }
    if (need(t, '7z')) {
      // 7z checks the CRC-32 of all 4 GiB (unzip -t takes ten times longer).
      const r = spawnSync('7z', ['t', path], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stdout + r.stderr);
      assert.match(r.stdout, /Everything is Ok/);
    }
  });

  test('zip64 threshold: a member of exactly 0xFFFFFFFF bytes gets zip64 sizes', async (t) => {
    const path = join(dir, 'zip64-threshold.zip');
    const { summary } = await sparseZip(path, 0xffffffff, []);
    assert.equal(summary.zip64, true); // the central directory starts past 0xFFFFFFFF
    const bytes = Buffer.alloc(30 + 5 + 20);
    const handle = await open(path, 'r');
    await handle.read(bytes, 0, bytes.length, 0);
    await handle.close();
    assert.equal(bytes.readUInt32LE(18), 0xffffffff);
    assert.equal(bytes.readUInt32LE(22), 0xffffffff);
    assert.equal(bytes.readUInt16LE(28), 20);
    assert.equal(bytes.readBigUInt64LE(35 + 4), 0xffffffffn);
    const [e] = await entriesOf(path);
    assert.equal(e!.uncompressedSize, 0xffffffff);
    if (need(t, PYTHON)) {
      const out = py(`import sys, zipfile\ni = zipfile.ZipFile(sys.argv[1]).infolist()[0]\nprint(i.file_size, i.compress_size, end='')`, [path]);
      assert.equal(out.toString(), '4294967295 4294967295');
    }
  });

  test('zip64 end records from 65535 entries on', async (t) => {
    const chunks: Uint8Array[] = [];
    const writer = new ZipWriter(async (c) => void chunks.push(Uint8Array.from(c)));
    const base = entryOf({ name: 'x', content: new Uint8Array(0), method: METHOD_STORED });
    for (let i = 0; i < 65535; i++) await writer.addEntry({ ...base, nameBytes: Buffer.from(`f${i}`) });
    const summary = await writer.finish();
    assert.equal(summary.zip64, true);
    const path = join(dir, 'many.zip');
    // 0xFFFF in the end record would read as "see zip64", so 65535 entries already need the zip64 records.
    await writeFile(path, Buffer.concat(chunks));
    const zip = await openZip(path);
    assert.equal(zip.zip64, true);
    assert.equal(zip.entries.length, 65535);
    assert.equal(zip.entries[65534]!.name, 'f65534');
    await zip.close();
    if (need(t, PYTHON)) {
      const out = py(`import sys, zipfile\nprint(len(zipfile.ZipFile(sys.argv[1]).infolist()), end='')`, [path]);
      assert.equal(out.toString(), '65535');
    }
  });
});

// ---------------------------------------------------------------------------------------------------
// Helpers for the normalizer
// ---------------------------------------------------------------------------------------------------

describe('MS-DOS date and time', () => {
  test('converts in UTC, rounding down to an even second, within 1980..2107', () => {
    assert.deepEqual(toDosDateTime(315532800), { dosDate: (1 << 5) | 1, dosTime: 0 }); // 1980-01-01T00:00:00Z
    assert.deepEqual(toDosDateTime(315532801.9), { dosDate: (1 << 5) | 1, dosTime: 0 });
    const t = Date.UTC(2024, 5, 30, 23, 59, 59) / 1000;
    assert.deepEqual(toDosDateTime(t), { dosDate: (44 << 9) | (6 << 5) | 30, dosTime: (23 << 11) | (59 << 5) | 29 });
    assert.equal(fromDosDateTime(toDosDateTime(t)), t - 1);
    const max = Date.UTC(2107, 11, 31, 23, 59, 59) / 1000;
    assert.equal(fromDosDateTime(toDosDateTime(max)), max - 1);
    assert.throws(() => toDosDateTime(315532799), RangeError);
    assert.throws(() => toDosDateTime(max + 1), RangeError);
    assert.throws(() => toDosDateTime(Number.NaN), RangeError);
    assert.throws(() => fromDosDateTime({ dosDate: 0, dosTime: 0 }), /invalid MS-DOS date/); // month 0
    assert.throws(() => fromDosDateTime({ dosDate: (1 << 5) | 1, dosTime: 24 << 11 }), RangeError);
    assert.throws(() => fromDosDateTime({ dosDate: (2 << 5) | 30, dosTime: 0 }), RangeError); // 30 February
  });

  test('matches what Python writes for the same UTC times', async (t) => {
    if (!need(t, PYTHON)) return;
    const times = [315532800, 1_000_000_001, 1_700_000_000, 4_102_444_799];
    const path = join(dir, 'times.zip');
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

test('attribute and host constants', () => {
  assert.equal(EXTERNAL_ATTR_S_IFREG, 0x80000000);
  assert.equal(EXTERNAL_ATTR_S_IFDIR, 0x40000000);
  assert.equal(EXTERNAL_ATTR_S_IFLNK, 0xa0000000);
  assert.equal(unixModeToExternalAttr(S_IFREG | 0o644), 0x81a40000);
  assert.equal(externalAttrToUnixMode(0x81a40000 | MSDOS_ATTR_DIRECTORY), S_IFREG | 0o644);
  assert.equal(HOST_UNIX, 3);
  assert.equal(HOST_MSDOS, 0);
  assert.equal(makeVersionMadeBy(HOST_UNIX, 20), 0x0314);
  assert.equal(hostOf(0x0314), HOST_UNIX);
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
        const e = zip.entries.find((x) => Buffer.from(x.nameBytes).equals(Buffer.from(name, 'utf8')));
        assert.ok(e, `${path}: missing ${name}; have ${zip.entries.map((x) => x.name).join(', ')}`);
        assert.deepEqual(await readAll(zip.openMemberStream(e)), content, name);
      }
    } finally {
      await zip.close();
    }
    return entries;
  }

  test('Info-ZIP zip (with UT and ux extras, a symlink and a directory)', async (t) => {
    if (!need(t, 'zip')) return;
    const { root, files } = await makeTree();
    const path = join(dir, 'infozip.zip');
    execFileSync('zip', ['-qry', path, '.'], { cwd: root });
    const entries = await checkTree(t, path, files);
    const link = entries.find((e) => e.name === 'link')!;
    assert.equal(externalAttrToUnixMode(link.externalAttr) & 0o170000, S_IFLNK);
    assert.ok(entries.some((e) => e.name === 'pkg/'));
    for (const e of entries) {
      assert.deepEqual(e.extraFields.map((f) => f.id), [EXTRA_EXTENDED_TIMESTAMP, EXTRA_INFOZIP_UNIX_NEW]);
      assert.equal(hostOf(e.versionMadeBy), HOST_UNIX);
    }
  });

  test('Info-ZIP zip -X (no extras)', async (t) => {
    if (!need(t, 'zip')) return;
    const { root, files } = await makeTree();
    const path = join(dir, 'infozip-X.zip');
    execFileSync('zip', ['-qrXy', path, '.'], { cwd: root });
    for (const e of await checkTree(t, path, files)) assert.deepEqual(e.extraFields, []);
  });

  test('Info-ZIP zip writing to a pipe (data descriptors) and reading stdin (zip64 local extra)', async (t) => {
    if (!need(t, 'zip')) return;
    const { root, files } = await makeTree();
    const path = join(dir, 'infozip-pipe.zip');
    execFileSync('sh', ['-c', `zip -qr - . | cat > "${path}"`], { cwd: root });
    const entries = await checkTree(t, path, files);
    assert.ok(entries.some((e) => e.flags & FLAG_DATA_DESCRIPTOR && e.dataDescriptorLength === 16));

    const stdin = join(dir, 'infozip-stdin.zip');
    execFileSync('sh', ['-c', `zip -q - - < pkg/data.bin | cat > "${stdin}"`], { cwd: root });
    const [e] = await agreesWithPython(t, stdin);
    assert.equal(e!.dataDescriptorLength, 24); // signature + zip64 sizes
    assert.deepEqual(e!.localExtraFields.map((f) => f.id), [EXTRA_ZIP64]);
    assert.deepEqual(await readMember(stdin, '-'), files.get('pkg/data.bin'));

    // Written to a seekable file from stdin: small member with a zip64 local extra and zip64 end records.
    const seekable = join(dir, 'infozip-stdin-seekable.zip');
    execFileSync('sh', ['-c', `zip -q - - < pkg/data.bin > "${seekable}"`], { cwd: root });
    const zip = await openZip(seekable);
    assert.equal(zip.zip64, true);
    await zip.close();
    await agreesWithPython(t, seekable);
  });

  test('7-Zip (NTFS extra, UTF-8 flag)', async (t) => {
    if (!need(t, '7z')) return;
    const { root, files } = await makeTree();
    const path = join(dir, '7z.zip');
    execFileSync('7z', ['a', '-tzip', path, '.'], { cwd: root, stdio: 'ignore' });
    const entries = await checkTree(t, path, files);
    assert.ok(entries.every((e) => e.extraFields.some((f) => f.id === EXTRA_NTFS)));
    assert.ok(entries.find((e) => e.name === 'naïve-ü.txt')!.flags & FLAG_UTF8);
  });

  test('Python zipfile: plain, non-ASCII names, force_zip64, and a DOS host entry', async (t) => {
    if (!need(t, PYTHON)) return;
    const path = join(dir, 'python.zip');
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
    assert.deepEqual(entries[2]!.localExtraFields.map((f) => f.id), [EXTRA_ZIP64]);
    assert.equal(hostOf(entries[3]!.versionMadeBy), HOST_MSDOS);
    assert.equal(entries[3]!.externalAttr, MSDOS_ATTR_DIRECTORY);
  });

  test('Python zipfile streaming to an unseekable pipe (data descriptors, zip64 descriptor)', async (t) => {
    if (!need(t, PYTHON)) return;
    const path = join(dir, 'python-pipe.zip');
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

  test('names without the flag are CP437, valid UTF-8 or not (all 128 high bytes, as Python decodes them)', async (t) => {
    const path = join(dir, 'names.zip');
    const cp437 = Buffer.from(Array.from({ length: 128 }, (_, i) => 0x80 + i));
    await writeZip(path, [
      { ...entryOf({ name: 'x', content: Buffer.from('1'), method: METHOD_STORED }), nameBytes: Buffer.from('naïve.txt', 'utf8') },
      { ...entryOf({ name: 'x', content: Buffer.from('2'), method: METHOD_STORED }), nameBytes: cp437 },
    ]);
    const [utf8, dos] = await entriesOf(path);
    assert.equal(utf8!.name, 'na├»ve.txt');
    if (!need(t, PYTHON)) return;
    const expected = py(`import sys\nsys.stdout.buffer.write(bytes(range(128, 256)).decode('cp437').encode('utf-8'))`).toString('utf8');
    assert.equal(dos!.name, expected);
    await agreesWithPython(t, path);
  });

  test('Python zipfile with exactly 65535 entries: a count of 0xFFFF without zip64 records is literal', async (t) => {
    if (!need(t, PYTHON)) return;
    const path = join(dir, 'python-65535.zip');
    py(`import sys, zipfile\nwith zipfile.ZipFile(sys.argv[1], 'w') as z:\n    for i in range(65535): z.writestr(f'f{i}', b'')`, [path]);
    const zip = await openZip(path);
    assert.equal(zip.zip64, false);
    assert.equal(zip.entries.length, 65535);
    await zip.close();
  });

  test('an end record signature inside a member name is not an end record', async (t) => {
    const path = join(dir, 'sig-in-name.zip');
    await writeZip(path, [{ ...entryOf({ name: 'x', content: Buffer.from('1'), method: METHOD_STORED }), nameBytes: Buffer.from('PK\x05\x06.txt', 'latin1') }]);
    const [e] = await agreesWithPython(t, path);
    assert.equal(e!.name, 'PK\x05\x06.txt');
  });
});

// ---------------------------------------------------------------------------------------------------
// Refusals: real archives, corrupted
// ---------------------------------------------------------------------------------------------------

describe('refuses', () => {
  test('an empty file', async (t) => {
    const path = join(dir, 'empty.zip');
    await writeFile(path, '');
    await refuses(t, path, /empty file \(0 bytes\)/);
  });

  test('a file that is not a zip, or is truncated', async (t) => {
    if (!need(t, PYTHON)) return;
    const notZip = join(dir, 'not.zip');
    await writeFile(notZip, Buffer.alloc(1000, 0x41));
    await refuses(t, notZip, /no end of central directory record .* in the last 1000 bytes: not a zip file, or truncated/);

    const base = await pythonZip('trunc-base.zip');
    const bytes = await readFile(base);
    const half = join(dir, 'trunc-half.zip');
    await writeFile(half, bytes.subarray(0, bytes.length >> 1));
    await refuses(t, half, /no end of central directory record/);
    const cut = join(dir, 'trunc-end.zip');
    await writeFile(cut, bytes.subarray(0, bytes.length - 5));
    await refuses(t, cut, /^truncated: end of central directory record at offset \d+ needs 22 bytes, but the file ends/);
    // A comment length that runs past the end of the file.
    const comment = await pythonZip('trunc-comment.zip', `z.comment = b'a comment'`);
    const cbytes = await readFile(comment);
    const cshort = join(dir, 'trunc-comment-short.zip');
    await writeFile(cshort, cbytes.subarray(0, cbytes.length - 3));
    await refuses(t, cshort, /^truncated: end of central directory record at offset \d+ declares a 9-byte comment ending at offset \d+, but the file ends/);
  });

  test('bytes after the end record', async (t) => {
    if (!need(t, PYTHON)) return;
    const path = await pythonZip('trailing.zip');
    const bytes = await readFile(path);
    await writeFile(path, Buffer.concat([bytes, Buffer.from('junk')]));
    await refuses(t, path, /^4 bytes after the end of central directory record \(record at offset \d+/);
  });

  test('several end records: a signature inside the archive comment, or two complete records', async (t) => {
    if (!need(t, PYTHON)) return;
    const inComment = await pythonZip('eocd-in-comment.zip', `z.comment = b'see PK\\x05\\x06 here'`);
    await refuses(t, inComment, /^several end of central directory records: the signature appears again at offset \d+, inside the archive comment/);
    // The comment is itself a complete, empty end record: both records reach the end of the file.
    const two = await pythonZip('eocd-twice.zip', `z.comment = b'PK\\x05\\x06' + bytes(18)`);
    await refuses(t, two, /^several end of central directory records: at offsets \d+ and \d+ each with a comment reaching the end of the file/);
  });

  test('bytes before the first local header', async (t) => {
    if (!need(t, PYTHON)) return;
    // Python's append mode on a non-zip file writes the archive after it, with offsets from the file's start.
    const path = join(dir, 'prefix.zip');
    await writeFile(path, 'PREFIX');
    py(`import sys, zipfile\nwith zipfile.ZipFile(sys.argv[1], 'a') as z: z.writestr('a.txt', b'alpha')`, [path]);
    await refuses(t, path, /^6 bytes before the first local file header \(the first member starts at offset 6, not 0\)/);
  });

  test('a gap between members, and between the last member and the central directory', async (t) => {
    if (!need(t, PYTHON)) return;
    const between = await pythonZip(
      'gap.zip',
      // Python places each header at start_dir; moving it leaves a hole.
      `z.fp.write(b'HOLE'); z.start_dir = z.fp.tell(); z.writestr('c.txt', b'charlie')`,
    );
    await refuses(t, between, /^4 unexpected bytes at offset \d+, between the end of the data of entry "b.txt" .* and the local header of entry "c.txt"/);
    const beforeCd = await pythonZip('gap-cd.zip', `z.fp.write(b'HOLE'); z.start_dir = z.fp.tell()`);
    await refuses(t, beforeCd, /^4 unexpected bytes at offset \d+, between the end of the data of entry "b.txt" .* and the central directory at offset \d+/);
  });

  test('overlapping members', async (t) => {
    if (!need(t, PYTHON)) return;
    // Two central headers pointing at the same local header.
    const same = await pythonZip('overlap-same.zip');
    const [, b] = await entriesOf(same);
    await patchU32(same, b!.centralHeaderOffset + 42, 0);
    await refuses(t, same, /^overlapping members: entry "a.txt" .* occupies offsets 0 to \d+ .* which overlaps the local header of entry "b.txt"/);
    // A compressed size that runs over the next member (declared the same in both headers).
    const long = await pythonZip('overlap-long.zip', `z.writestr('c.txt', b'charlie')`);
    const [, lb] = await entriesOf(long);
    await patchU32(long, lb!.localHeaderOffset + 18, lb!.compressedSize + 10);
    await patchU32(long, lb!.centralHeaderOffset + 20, lb!.compressedSize + 10);
    await refuses(t, long, /^overlapping members: entry "b.txt" .* overlaps the local header of entry "c.txt" .* at offset \d+/);
  });

  test('duplicate names', async (t) => {
    if (!need(t, PYTHON)) return;
    const path = await pythonZip('dup.zip', `import warnings; warnings.simplefilter('ignore'); z.writestr('a.txt', b'again')`);
    await refuses(t, path, /^duplicate name "a.txt": central directory entries 0 \(offset \d+\) and 2 \(offset \d+\)/);
  });

  test('a local header that disagrees with its central header', async (t) => {
    if (!need(t, PYTHON)) return;
    const cases: [string, (e: ZipEntry[]) => [number, number[]], RegExp][] = [
      ['name', ([a]) => [a!.localHeaderOffset + 30, [0x41]], /name is "A.txt" \(5 bytes\), central says "a.txt"/],
      ['method', ([, b]) => [b!.localHeaderOffset + 8, [0, 0]], /compression method is 0, central says 8/],
      ['flags', ([a]) => [a!.localHeaderOffset + 6, [0x00, 0x08]], /general purpose flags are 0x0800, central says 0x0000/],
      ['crc', ([a]) => [a!.localHeaderOffset + 14, [1, 2, 3, 4]], /CRC-32 is 0x04030201, central says 0x[0-9a-f]{8}/],
      ['size', ([, b]) => [b!.localHeaderOffset + 22, [1, 0, 0, 0]], /uncompressed size is 1, central says 1200/],
    ];
    for (const [label, where, pattern] of cases) {
      const path = await pythonZip(`local-${label}.zip`);
      const [offset, bytes] = where(await entriesOf(path));
      await patch(path, offset, bytes);
      await refuses(t, path, new RegExp(`^local file header at offset \\d+ disagrees with the central directory header of entry .*: ${pattern.source}`));
    }
  });

  test('a data descriptor that disagrees with the central header', async (t) => {
    if (!need(t, PYTHON)) return;
    const path = join(dir, 'descriptor.zip');
    execFileSync('sh', ['-c', `${PYTHON} -c "
import sys, zipfile
with zipfile.ZipFile(sys.stdout.buffer, 'w', zipfile.ZIP_DEFLATED) as z:
    z.writestr('a.txt', b'hi' * 1000)
" | cat > "${path}"`]);
    const [a] = await entriesOf(path);
    const descriptor = a!.dataOffset + a!.compressedSize;
    await patch(path, descriptor + 4, [0xde, 0xad, 0xbe, 0xef]);
    await refuses(t, path, /^data descriptor at offset \d+ \(16 bytes, with signature, 32-bit sizes\) disagrees with the central directory header of entry "a.txt" .*: CRC-32 is 0xefbeadde/);
    // Bit 3 set in both headers, but no descriptor after the data.
    const none = await pythonZip('descriptor-missing.zip');
    const [na] = await entriesOf(none);
    await patch(none, na!.localHeaderOffset + 6, [0x08]);
    await patch(none, na!.centralHeaderOffset + 8, [0x08]);
    await refuses(t, none, /^0 bytes at offset \d+, between the end of the data of entry "a.txt" .*: a data descriptor takes 12, 16, 20 or 24 bytes/);
  });

  test('encrypted members', async (t) => {
    if (need(t, 'zip')) {
      const root = await mkdtemp(join(dir, 'enc-'));
      await writeFile(join(root, 'secret.txt'), 'secret');
      const path = join(dir, 'zipcrypto.zip');
      execFileSync('zip', ['-q', '-P', 'password', path, 'secret.txt'], { cwd: root });
      await refuses(t, path, /^entry "secret.txt" \(central directory header 0 at offset \d+\) is encrypted \(flag bit 0, encrypted\)/);
    }
    if (need(t, PYTHON)) {
      const strong = await pythonZip('strong.zip');
      const [a] = await entriesOf(strong);
      await patch(strong, a!.localHeaderOffset + 6, [0x41]);
      await patch(strong, a!.centralHeaderOffset + 8, [0x41]);
      await refuses(t, strong, /is encrypted \(flag bit 0, encrypted; flag bit 6, strong encryption\)/);
      const aes = await pythonZip('aes.zip');
      const [, b] = await entriesOf(aes);
      await patchU16(aes, b!.localHeaderOffset + 8, 99);
      await patchU16(aes, b!.centralHeaderOffset + 10, 99);
      await refuses(t, aes, /^entry "b.txt" .* is encrypted \(method 99, AES encryption\)/);
    }
  });

  test('compression methods other than stored and deflate', async (t) => {
    if (!need(t, '7z')) return;
    const root = await mkdtemp(join(dir, 'methods-'));
    await writeFile(join(root, 'f.txt'), 'some text '.repeat(1000));
    for (const [method, id] of [['BZip2', 12], ['Deflate64', 9], ['LZMA', 14]] as const) {
      const path = join(dir, `method-${method}.zip`);
      execFileSync('7z', ['a', '-tzip', `-mm=${method}`, path, 'f.txt'], { cwd: root, stdio: 'ignore' });
      await refuses(t, path, new RegExp(`^entry "f.txt" .* uses compression method ${id}; only 0 \\(stored\\) and 8 \\(deflate\\) are supported`));
    }
  });

  test('disk numbers other than 0', async (t) => {
    if (!need(t, PYTHON)) return;
    const path = await pythonZip('disk.zip');
    await patchU16(path, (await eocdOffset(path)) + 4, 1);
    await refuses(t, path, /^end of central directory record at offset \d+: number of this disk is 1, not 0/);
    const start = await pythonZip('disk-start.zip');
    const [, b] = await entriesOf(start);
    await patchU16(start, b!.centralHeaderOffset + 34, 2);
    await refuses(t, start, /^entry "b.txt" .* starts on disk 2, not 0/);
  });

  test('a central directory entry count that does not match', async (t) => {
    if (!need(t, PYTHON)) return;
    const more = await pythonZip('count-more.zip');
    const at = await eocdOffset(more);
    await patchU16(more, at + 8, 3);
    await patchU16(more, at + 10, 3);
    await refuses(t, more, /^central directory entry count mismatch: the end record declares 3 entries, but the central directory .* holds 2/);
    const fewer = await pythonZip('count-fewer.zip');
    const at2 = await eocdOffset(fewer);
    await patchU16(fewer, at2 + 8, 1);
    await patchU16(fewer, at2 + 10, 1);
    await refuses(t, fewer, /^central directory entry count mismatch: the end record declares 1 entries, but the central directory .* has more bytes/);
    const split = await pythonZip('count-split.zip');
    await patchU16(split, (await eocdOffset(split)) + 8, 1);
    await refuses(t, split, /1 entries on this disk but 2 in total/);
  });

  test('a central directory that does not end where the end records start', async (t) => {
    if (!need(t, PYTHON)) return;
    const path = await pythonZip('cd-size.zip');
    const at = await eocdOffset(path);
    const size = (await readFile(path)).readUInt32LE(at + 12);
    await patchU32(path, at + 12, size - 1);
    await refuses(t, path, /central directory at offset \d+ of size \d+ ends at offset \d+, but the next record starts at offset \d+: 1 unexpected bytes/);
  });

  test('a broken zip64 end record', async (t) => {
    if (!need(t, 'zip')) return;
    const root = await mkdtemp(join(dir, 'z64-'));
    await writeFile(join(root, 'in'), 'data');
    const path = join(dir, 'z64-broken.zip');
    execFileSync('sh', ['-c', `zip -q - - < in > "${path}"`], { cwd: root });
    const bytes = await readFile(path);
    const z64 = bytes.lastIndexOf(Buffer.from([0x50, 0x4b, 0x06, 0x06]));
    await patchU32(path, z64 + 48, bytes.readUInt32LE(z64 + 48) + 1); // central directory offset
    await refuses(t, path, /^(end of central directory record at offset \d+: central directory offset is \d+, but the zip64 end of central directory record|zip64 end of central directory record at offset \d+: central directory at offset)/);
  });

  test('a name that is not UTF-8 although flag bit 11 says so', async (t) => {
    if (!need(t, PYTHON)) return;
    const path = await pythonZip('bad-utf8.zip', `z.writestr('ü.txt', b'u')`);
    const [, , u] = await entriesOf(path);
    assert.ok(u!.flags & FLAG_UTF8);
    await patch(path, u!.localHeaderOffset + 30, [0xff]);
    await patch(path, u!.centralHeaderOffset + 46, [0xff]);
    await refuses(t, path, /^central directory header 2 at offset \d+: name at offset \d+ is not valid UTF-8, although flag bit 11 \(UTF-8\) is set/);
  });
});

// ---------------------------------------------------------------------------------------------------
// Member data that does not match its headers
// ---------------------------------------------------------------------------------------------------

describe('member streams refuse', () => {
  function lying(name: string, data: Uint8Array, change: Partial<ZipWriterEntry>, method = METHOD_DEFLATE): ZipWriterEntry {
    const base = entryOf({ name, content: Buffer.from('some content '.repeat(100)), method });
    return { ...base, compressedSize: data.length, data, ...change };
  }

  test('a deflate bomb declaring 10 bytes: fails at once, without memory growth', async (t) => {
    if (!need(t, PYTHON)) return;
    const bomb = py(`import sys, zlib
c = zlib.compressobj(9, zlib.DEFLATED, -15)
z = bytes(1 << 20)
out = sys.stdout.buffer
for _ in range(1024):
    out.write(c.compress(z))
out.write(c.flush())`);
    assert.ok(bomb.length < 2 << 20, `bomb is ${bomb.length} bytes`);
    const path = join(dir, 'bomb.zip');
    await writeZip(path, [lying('bomb', bomb, { uncompressedSize: 10, crc32: 0 })]);
    const zip = await openZip(path);
    try {
      const rss = process.memoryUsage().rss;
      const started = performance.now();
      let produced = 0;
      await assert.rejects(
        (async () => {
          for await (const chunk of zip.openMemberStream(zip.entries[0]!)) produced += (chunk as Buffer).length;
        })(),
        (err: unknown) => {
          assert.ok(err instanceof ZipFormatError);
          assert.match(err.message, /^entry "bomb" .*: inflates to more than its declared uncompressed size of 10 bytes \(stopped after \d+ bytes/);
          t.diagnostic(err.message);
          return true;
        },
      );
      const elapsed = performance.now() - started;
      assert.ok(elapsed < 500, `took ${elapsed} ms`);
      assert.equal(produced, 0, 'nothing past the declared size is handed out');
      assert.ok(process.memoryUsage().rss - rss < 64 << 20, 'memory grew by more than 64 MiB');
    } finally {
      await zip.close();
    }
  });

  test('data shorter than declared, CRC-32 mismatch, trailing, incomplete and invalid deflate data', async (t) => {
    const content = Buffer.from('some content '.repeat(100));
    const good = deflate(content);
    const cases: [string, ZipWriterEntry, RegExp][] = [
      ['short', lying('short', good, { uncompressedSize: content.length + 1 }), /uncompressed size is 1300 bytes, but the header declares 1301/],
      ['crc', lying('crc', good, { crc32: 0x12345678 }), /CRC-32 mismatch: data has 0x[0-9a-f]{8}, header declares 0x12345678/],
      ['trailing', lying('trailing', Buffer.concat([good, Buffer.from('junk')]), {}), new RegExp(`deflate stream ends after ${good.length} of the declared ${good.length + 4} compressed bytes \\(4 trailing bytes`)],
      ['incomplete', lying('incomplete', good.subarray(0, good.length - 3), {}), /deflate stream is incomplete: the declared \d+ compressed bytes \(offset \d+\) end before its final block/],
      ['invalid', lying('invalid', Buffer.from([0xff, 0xff, 0xff, 0xff]), {}), /invalid deflate data near compressed byte 0 \(offset \d+\): invalid block type/],
    ];
    for (const [name, entry, pattern] of cases) {
      const path = join(dir, `member-${name}.zip`);
      await writeZip(path, [entry]);
      await refuses(t, path, new RegExp(`^entry "${name}" \\(central directory header 0 at offset \\d+\\): ${pattern.source}`), name);
    }
    // A stored member whose bytes changed after the CRC was taken (patched in a Python-written archive).
    if (need(t, PYTHON)) {
      const path = await pythonZip('stored-crc.zip');
      const [a] = await entriesOf(path);
      await patch(path, a!.dataOffset, [0x41]);
      await refuses(t, path, /^entry "a.txt" .*: CRC-32 mismatch/, 'a.txt');
    }
  });

  test('a stored member whose sizes differ', async (t) => {
    if (!need(t, PYTHON)) return;
    const path = await pythonZip('stored-sizes.zip');
    const [a] = await entriesOf(path);
    await patchU32(path, a!.centralHeaderOffset + 24, a!.uncompressedSize + 1);
    await refuses(t, path, /^entry "a.txt" .* is stored but its compressed size 120 differs from its uncompressed size 121/);
  });

  test('raw and member streams may be read concurrently and stopped early', async () => {
    const path = join(dir, 'concurrent.zip');
    await writeMembers(path, sampleMembers());
    const zip = await openZip(path);
    try {
      const results = await Promise.all(zip.entries.map((e) => readAll(zip.openMemberStream(e))));
      assert.deepEqual(results.map((r) => r.length), zip.entries.map((e) => e.uncompressedSize));
      const big = zip.entries.find((e) => e.name === 'pkg/big.txt')!;
      const stream = zip.openMemberStream(big);
      for await (const _ of stream) break; // destroys the stream; must not leak or throw
      assert.ok(stream.destroyed);
    } finally {
      await zip.close();
    }
  });

  test('ZipReader.fromFileHandle leaves the handle to its owner', async () => {
    const path = join(dir, 'handle.zip');
    await writeMembers(path, [{ name: 'a', content: Buffer.from('a') }]);
    const handle = await open(path, 'r');
    const zip = await ZipReader.fromFileHandle(handle);
    await zip.close();
    assert.equal((await handle.stat()).size, (await stat(path)).size); // still open
    await handle.close();
  });
});
