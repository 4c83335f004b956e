// The zip writer, read back by the strict reader: headers as written, determinism, the checks on what
// it is given, and zip64 past 4 GiB (a sparse file). test/cli/zip-oracles.test.ts has the same
// archives read by Python's zipfile, unzip and 7-Zip.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { open, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  EXTRA_ZIP64, FLAG_DATA_DESCRIPTOR, FLAG_UTF8, METHOD_STORED, S_IFDIR, VERSION_ZIP64, ZipWriter, externalAttrToUnixMode, openZip,
  type DirectoryStore, type ZipEntry, type ZipWriterEntry,
} from '../../src/formats/zip/index.js';
import { entriesOf, entryOf, readAll, sampleMembers, sparseZip, writeMembers, writeZip, zipTestDir } from '../helpers/zip-test.js';

const dir = zipTestDir();

describe('ZipWriter', () => {
  test('reads back every header field and every byte as written', async () => {
    const members = sampleMembers();
    const entries = members.map(entryOf);
    const path = join(dir.path, 'written.zip');
    const summary = await writeZip(path, entries);
    assert.equal(summary.zip64, false);
    assert.equal(summary.entryCount, members.length);
    assert.equal(summary.size, (await stat(path)).size);
    const zip = await openZip(path);
    try {
      for (const [i, m] of members.entries()) {
        const e = zip.entry(i);
        const w = entries[i]!;
        assert.equal(e.name, m.name);
        assert.deepEqual(
          [e.flags, e.method, e.versionMadeBy, e.versionNeeded, e.dosTime, e.dosDate, e.externalAttr, e.internalAttr, e.crc32, e.compressedSize, e.uncompressedSize],
          [w.flags, w.method, w.versionMadeBy, w.versionNeeded, w.dosTime, w.dosDate, w.externalAttr, w.internalAttr, w.crc32, w.compressedSize, w.uncompressedSize],
        );
        assert.deepEqual(e.extraFieldIds, []);
        assert.deepEqual(e.localExtraFieldIds, []);
        assert.equal(e.dataDescriptorLength, 0);
        assert.deepEqual(await readAll(zip.openMemberStream(e)), Buffer.from(m.content));
        const inflated: Buffer[] = [];
        assert.deepEqual(await readAll(zip.openCheckedRawStream(e, (chunk) => inflated.push(chunk))), Buffer.from(w.data as Uint8Array));
        assert.deepEqual(Buffer.concat(inflated), Buffer.from(m.content));
      }
      assert.equal(externalAttrToUnixMode(zip.entry(0).externalAttr), S_IFDIR | 0o755);
    } finally {
      await zip.close();
    }
  });

  test('local and central headers agree byte for byte; no extra fields, comments or descriptors', async () => {
    const path = join(dir.path, 'bytes.zip');
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
      assert.equal(e.dataOffset, e.localHeaderOffset + 30 + e.nameLength);
    }
    // The file ends with a 22-byte end record without comment.
    const eocd = bytes.subarray(bytes.length - 22);
    assert.equal(eocd.readUInt32LE(0), 0x06054b50);
    assert.equal(eocd.readUInt16LE(20), 0);
  });

  test('is deterministic, and a sink function gets the same bytes as a FileHandle', async () => {
    const members = sampleMembers();
    const a = join(dir.path, 'det-a.zip');
    const b = join(dir.path, 'det-b.zip');
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

  test('a directory store given by the caller holds the central directory in pieces; the bytes are the same', async () => {
    // Names long enough that the directory passes several 64 KiB pieces.
    const members = Array.from({ length: 1500 }, (_, i) => ({ name: `pkg/${'long-name-'.repeat(6)}${i}.py`, content: Buffer.from(`x = ${i}\n`) }));
    const write = async (directory?: DirectoryStore) => {
      const chunks: Uint8Array[] = [];
      const writer = new ZipWriter(async (chunk) => void chunks.push(Uint8Array.from(chunk)), directory);
      for (const m of members) await writer.addEntry(entryOf(m));
      await writer.finish();
      return Buffer.concat(chunks);
    };
    const appended: Uint8Array[] = [];
    let reads = 0;
    const store: DirectoryStore = {
      async append(piece) {
        appended.push(Uint8Array.from(piece));
      },
      async *read() {
        reads += 1;
        yield* appended;
      },
    };
    const inStore = await write(store);
    assert.deepEqual(inStore, await write());
    assert.ok(appended.length >= 2, `${appended.length} pieces`);
    assert.equal(reads, 1);
    // What the store held is the start of the directory (its last, partial piece stays in the writer).
    const path = join(dir.path, 'store.zip');
    await writeFile(path, inStore);
    const zip = await openZip(path);
    await zip.close();
    const { centralDirectoryOffset } = zip;
    assert.deepEqual(inStore.subarray(centralDirectoryOffset, centralDirectoryOffset + Buffer.concat(appended).length), Buffer.concat(appended));
  });

  test('writes an empty archive (22 bytes) that the reader accepts', async () => {
    const path = join(dir.path, 'empty-archive.zip');
    const summary = await writeZip(path, []);
    assert.equal(summary.size, 22);
    const zip = await openZip(path);
    assert.deepEqual(zip.listEntries(), []);
    await zip.close();
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

  test('refuses overlapping calls', async () => {
    // The sink holds the first write until the second call has been refused: the calls overlap
    // by construction, not by a timer.
    let release = (): void => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    const writer = new ZipWriter(async () => held);
    const first = writer.addEntry(entryOf({ name: 'a', content: Buffer.from('a'), method: METHOD_STORED }));
    await assert.rejects(writer.addEntry(entryOf({ name: 'b', content: Buffer.from('b'), method: METHOD_STORED })), /must not overlap/);
    release();
    await first;
  });

  test('zip64: a 4 GiB member, then a member past 4 GiB and a central directory past 4 GiB (sparse file)', async () => {
    const path = join(dir.path, 'zip64.zip');
    const bigSize = 2 ** 32;
    const small = Buffer.from('after four gigabytes\n');
    const { offsets, summary } = await sparseZip(path, bigSize, [{ name: 'small.txt', content: small }]);
    const smallOffset = offsets[1]!;
    assert.equal(summary.zip64, true);
    assert.ok(smallOffset > 0xffffffff && summary.centralDirectoryOffset > 0xffffffff);

    const zip = await openZip(path);
    try {
      assert.equal(zip.zip64, true);
      const [big, after] = zip.listEntries() as [ZipEntry, ZipEntry];
      assert.equal(big.uncompressedSize, bigSize);
      assert.equal(big.compressedSize, bigSize);
      assert.equal(big.versionNeeded, VERSION_ZIP64);
      // Local: both sizes (APPNOTE 4.5.3); central: only what overflows.
      const bigRecords = await zip.extraFields(big);
      assert.deepEqual(bigRecords.local.map((f) => [f.id, f.data.length]), [[EXTRA_ZIP64, 16]]);
      assert.deepEqual(bigRecords.central.map((f) => [f.id, f.data.length]), [[EXTRA_ZIP64, 16]]);
      assert.equal(after.localHeaderOffset, smallOffset);
      assert.equal(after.versionNeeded, VERSION_ZIP64);
      assert.deepEqual(after.localExtraFieldIds, []);
      assert.deepEqual((await zip.extraFields(after)).central.map((f) => [f.id, f.data.length]), [[EXTRA_ZIP64, 8]]);
      assert.deepEqual(await readAll(zip.openMemberStream(after)), small);
    } finally {
      await zip.close();
    }
  });

  test('zip64 threshold: a member of exactly 0xFFFFFFFF bytes gets zip64 sizes', async () => {
    const path = join(dir.path, 'zip64-threshold.zip');
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
  });

  test('zip64 end records from 65535 entries on', async () => {
    const chunks: Uint8Array[] = [];
    const writer = new ZipWriter(async (c) => void chunks.push(Uint8Array.from(c)));
    const base = entryOf({ name: 'x', content: new Uint8Array(0), method: METHOD_STORED });
    for (let i = 0; i < 65535; i++) await writer.addEntry({ ...base, nameBytes: Buffer.from(`f${i}`) });
    const summary = await writer.finish();
    assert.equal(summary.zip64, true);
    const path = join(dir.path, 'many.zip');
    // 0xFFFF in the end record would read as "see zip64", so 65535 entries already need the zip64 records.
    await writeFile(path, Buffer.concat(chunks));
    const zip = await openZip(path);
    assert.equal(zip.zip64, true);
    assert.equal(zip.entryCount, 65535);
    assert.equal(zip.entry(65534).name, 'f65534');
    await zip.close();
  });
});
