// The members as the central directory lists them: local headers (APPNOTE 4.3.7), data descriptors
// (4.3.9), how the members tile the file, and what each central header may say. Archives assembled
// record by record (test/helpers/zip-bytes.ts), each corruption refused with a ZipFormatError that
// names the problem and its offset.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EXTRA_EXTENDED_TIMESTAMP, EXTRA_INFOZIP_UNIX_NEW, FLAG_DATA_DESCRIPTOR, FLAG_UTF8, METHOD_DEFLATE, openZip } from '../../src/formats/zip/index.js';
import type { ZipEntry, ZipExtraField } from '../../src/formats/zip/index.js';
import { assembleZip, extraRecord } from '../helpers/zip-bytes.js';
import { entriesOf, patch, patchU16, patchU32, plainZip, readMember, refuses, writeZip, entryOf, zipTestDir } from '../helpers/zip-test.js';

const dir = zipTestDir();

describe('reads', () => {
  test('data descriptors of every form: 12, 16, 20 and 24 bytes', async () => {
    const forms = [12, 16, 20, 24] as const;
    const path = await plainZip(dir.path, 'descriptors.zip', (a) => {
      a.members = forms.map((length) => ({ name: `d${length}`, content: Buffer.from(`descriptor ${length} `.repeat(50)), method: METHOD_DEFLATE, descriptor: length }));
    });
    const zip = await openZip(path);
    assert.deepEqual(zip.listEntries().map((e) => [e.flags & FLAG_DATA_DESCRIPTOR, e.dataDescriptorLength]), forms.map((length) => [8, length]));
    await zip.close();
    assert.equal((await readMember(path, 'd20')).toString(), 'descriptor 20 '.repeat(50));
  });

  test('an end record signature inside a member name is not an end record', async () => {
    const path = join(dir.path, 'sig-in-name.zip');
    await writeZip(path, [{ ...entryOf({ name: 'x', content: Buffer.from('1') }), nameBytes: Buffer.from('PK\x05\x06.txt', 'latin1') }]);
    const [e] = await entriesOf(path);
    assert.equal(e!.name, 'PK\x05\x06.txt');
  });

  test('names without the flag are CP437, valid UTF-8 or not', async () => {
    const path = join(dir.path, 'names.zip');
    const cp437 = Buffer.from(Array.from({ length: 128 }, (_, i) => 0x80 + i));
    await writeZip(path, [
      { ...entryOf({ name: 'x', content: Buffer.from('1') }), nameBytes: Buffer.from('naïve.txt', 'utf8') },
      { ...entryOf({ name: 'y', content: Buffer.from('2') }), nameBytes: cp437 },
    ]);
    const [utf8, dos] = await entriesOf(path);
    assert.equal(utf8!.name, 'na├»ve.txt');
    assert.equal(dos!.name.length, 128);
    assert.equal(dos!.name.slice(0, 3), 'Çüé'); // CP437 0x80-0x82; all 128 against Python in test/cli/zip-oracles.test.ts
  });
});

describe('refuses', () => {
  test("what some entries have (extra fields, a comment, a CP437 name) is each one's own, entries between them have none", async () => {
    const path = join(dir.path, 'sparse.zip');
    const timestamp = extraRecord(EXTRA_EXTENDED_TIMESTAMP, Buffer.from([1, 0, 0, 0, 0x65]));
    const unix = extraRecord(EXTRA_INFOZIP_UNIX_NEW, Buffer.from([1, 4, 0xe8, 3, 0, 0, 4, 0xe8, 3, 0, 0]));
    writeFileSync(path, assembleZip({
      members: [
        { name: 'a', content: Buffer.from('a'), centralExtra: timestamp, localExtra: Buffer.concat([timestamp, unix]), comment: Buffer.from('first') },
        { name: 'b', content: Buffer.from('b') },
        // CP437 without the UTF-8 flag, in the name and the comment alike.
        { name: 'c', content: Buffer.from('c'), local: { nameBytes: Buffer.of(0x80, 0x81) }, central: { nameBytes: Buffer.of(0x80, 0x81) }, comment: Buffer.of(0x82) },
        { name: 'd', content: Buffer.from('d'), localExtra: unix },
      ],
    }).bytes);
    const zip = await openZip(path);
    const records = (fields: readonly ZipExtraField[]) => fields.map((f) => `${f.id.toString(16)}:${Buffer.from(f.data).toString('hex')}`);
    const entries = zip.listEntries();
    assert.deepEqual(entries.map((e) => [e.name, e.extraFieldIds, e.localExtraFieldIds, e.extendedMtime, e.comment, Buffer.from(e.commentBytes).toString('hex')]), [
      ['a', [EXTRA_EXTENDED_TIMESTAMP], [EXTRA_EXTENDED_TIMESTAMP, EXTRA_INFOZIP_UNIX_NEW], 0x65000000, 'first', Buffer.from('first').toString('hex')],
      ['b', [], [], undefined, '', ''],
      ['Çü', [], [], undefined, 'é', '82'],
      ['d', [], [EXTRA_INFOZIP_UNIX_NEW], undefined, '', ''],
    ]);
    // The records' data is read again from the file, entry by entry, in any order.
    const data = [];
    for (const e of [entries[3]!, entries[0]!, entries[1]!]) {
      const { local, central } = await zip.extraFields(e);
      data.push([records(local), records(central)]);
    }
    assert.deepEqual(data, [
      [['7875:0104e803000004e8030000'], []],
      [['5455:0100000065', '7875:0104e803000004e8030000'], ['5455:0100000065']],
      [[], []],
    ]);
    // Every entry of the same records shares one list of their IDs.
    assert.equal(zip.entry(0).localExtraFieldIds, zip.entry(0).localExtraFieldIds);
    assert.equal(zip.entry(2).nameLength, 2);
    await zip.close();
  });

  test('an entry keeps its own list of extra field records past 65,535 distinct lists (a row numbers its list in 16 bits, then 32)', async () => {
    const path = join(dir.path, 'lists.zip');
    const COUNT = 70_000;
    // Two records an entry, a pair of IDs of its own: (0x100 + i % 256, 0x200 + i / 256).
    const ids = (i: number) => [0x100 + (i % 256), 0x200 + Math.floor(i / 256)];
    writeFileSync(path, assembleZip({
      members: Array.from({ length: COUNT }, (_, i) => ({
        name: String(i), content: Buffer.alloc(0), centralExtra: Buffer.concat(ids(i).map((id) => extraRecord(id, Buffer.alloc(0)))),
      })),
      // More entries than the end record counts.
      zip64: {},
    }).bytes);
    const zip = await openZip(path);
    for (const i of [0, 1, 65_534, 65_535, 65_536, COUNT - 1]) {
      assert.deepEqual([zip.entry(i).name, zip.entry(i).extraFieldIds, zip.entry(i).localExtraFieldIds], [String(i), ids(i), []]);
    }
    await zip.close();
  });

  test('bytes before the first local header', async (t) => {
    const path = await plainZip(dir.path, 'prefix.zip', (a) => void (a.members[0]!.before = Buffer.from('PREFIX')));
    await refuses(t, path, /^6 bytes before the first local file header \(the first member starts at offset 6, not 0\)/);
  });

  test('a gap between members, and between the last member and the central directory', async (t) => {
    const between = await plainZip(dir.path, 'gap.zip', (a) => void a.members.push({ name: 'c.txt', content: Buffer.from('charlie'), before: Buffer.from('HOLE') }));
    await refuses(t, between, /^4 unexpected bytes at offset \d+, between the end of the data of entry "b.txt" .* and the local header of entry "c.txt"/);
    const beforeCd = await plainZip(dir.path, 'gap-cd.zip', (a) => void (a.beforeDirectory = Buffer.from('HOLE')));
    await refuses(t, beforeCd, /^4 unexpected bytes at offset \d+, between the end of the data of entry "b.txt" .* and the central directory at offset \d+/);
  });

  test('overlapping members', async (t) => {
    // Two central headers pointing at the same local header.
    const same = await plainZip(dir.path, 'overlap-same.zip');
    const [, b] = await entriesOf(same);
    await patchU32(same, b!.centralHeaderOffset + 42, 0);
    await refuses(t, same, /^overlapping members: entry "a.txt" .* occupies offsets 0 to \d+ .* which overlaps the local header of entry "b.txt"/);
    // A compressed size that runs over the next member (declared the same in both headers).
    const long = await plainZip(dir.path, 'overlap-long.zip', (a) => void a.members.push({ name: 'c.txt', content: Buffer.from('charlie') }));
    const [, lb] = await entriesOf(long);
    await patchU32(long, lb!.localHeaderOffset + 18, lb!.compressedSize + 10);
    await patchU32(long, lb!.centralHeaderOffset + 20, lb!.compressedSize + 10);
    await refuses(t, long, /^overlapping members: entry "b.txt" .* overlaps the local header of entry "c.txt" .* at offset \d+/);
  });

  test('duplicate names', async (t) => {
    const path = await plainZip(dir.path, 'dup.zip', (a) => void a.members.push({ name: 'a.txt', content: Buffer.from('again') }));
    await refuses(t, path, /^duplicate name "a.txt": central directory entries 0 \(offset \d+\) and 2 \(offset \d+\)/);
  });

  test('a local header that disagrees with its central header', async (t) => {
    const cases: [string, (e: ZipEntry[]) => [number, number[]], RegExp][] = [
      ['name', ([a]) => [a!.localHeaderOffset + 30, [0x41]], /name is "A.txt" \(5 bytes\), central says "a.txt"/],
      ['method', ([, b]) => [b!.localHeaderOffset + 8, [0, 0]], /compression method is 0, central says 8/],
      ['flags', ([a]) => [a!.localHeaderOffset + 6, [0x00, 0x08]], /general purpose flags are 0x0800, central says 0x0000/],
      ['crc', ([a]) => [a!.localHeaderOffset + 14, [1, 2, 3, 4]], /CRC-32 is 0x04030201, central says 0x[0-9a-f]{8}/],
      ['size', ([, b]) => [b!.localHeaderOffset + 22, [1, 0, 0, 0]], /uncompressed size is 1, central says 1200/],
    ];
    for (const [label, where, pattern] of cases) {
      const path = await plainZip(dir.path, `local-${label}.zip`);
      const [offset, bytes] = where(await entriesOf(path));
      await patch(path, offset, bytes);
      await refuses(t, path, new RegExp(`^local file header at offset \\d+ disagrees with the central directory header of entry .*: ${pattern.source}`));
    }
  });

  test('a data descriptor that disagrees with the central header', async (t) => {
    const path = await plainZip(dir.path, 'descriptor.zip', (a) => void (a.members = [{ name: 'a.txt', content: Buffer.from('hi'.repeat(1000)), method: METHOD_DEFLATE, descriptor: 16 }]));
    const [a] = await entriesOf(path);
    await patch(path, a!.dataOffset + a!.compressedSize + 4, [0xde, 0xad, 0xbe, 0xef]);
    await refuses(t, path, /^data descriptor at offset \d+ \(16 bytes, with signature, 32-bit sizes\) disagrees with the central directory header of entry "a.txt" .*: CRC-32 is 0xefbeadde/);
    // Bit 3 set in both headers, but no descriptor after the data.
    const none = await plainZip(dir.path, 'descriptor-missing.zip');
    const [na] = await entriesOf(none);
    await patch(none, na!.localHeaderOffset + 6, [0x08]);
    await patch(none, na!.centralHeaderOffset + 8, [0x08]);
    await refuses(t, none, /^0 bytes at offset \d+, between the end of the data of entry "a.txt" .*: a data descriptor takes 12, 16, 20 or 24 bytes/);
  });

  test('encrypted members', async (t) => {
    const strong = await plainZip(dir.path, 'strong.zip');
    const [a] = await entriesOf(strong);
    await patch(strong, a!.localHeaderOffset + 6, [0x41]);
    await patch(strong, a!.centralHeaderOffset + 8, [0x41]);
    await refuses(t, strong, /is encrypted \(flag bit 0, encrypted; flag bit 6, strong encryption\)/);
    const aes = await plainZip(dir.path, 'aes.zip');
    const [, b] = await entriesOf(aes);
    await patchU16(aes, b!.localHeaderOffset + 8, 99);
    await patchU16(aes, b!.centralHeaderOffset + 10, 99);
    await refuses(t, aes, /^entry "b.txt" .* is encrypted \(method 99, AES encryption\)/);
  });

  test('compression methods other than stored and deflate', async (t) => {
    for (const method of [12, 9, 14]) {
      const path = await plainZip(dir.path, `method-${method}.zip`);
      const [, b] = await entriesOf(path);
      await patchU16(path, b!.localHeaderOffset + 8, method);
      await patchU16(path, b!.centralHeaderOffset + 10, method);
      await refuses(t, path, new RegExp(`^entry "b.txt" .* uses compression method ${method}; only 0 \\(stored\\) and 8 \\(deflate\\) are supported`));
    }
  });

  test('a member on another disk', async (t) => {
    const start = await plainZip(dir.path, 'disk-start.zip');
    const [, b] = await entriesOf(start);
    await patchU16(start, b!.centralHeaderOffset + 34, 2);
    await refuses(t, start, /^entry "b.txt" .* starts on disk 2, not 0/);
  });

  test('a name that is not UTF-8 although flag bit 11 says so', async (t) => {
    const path = await plainZip(dir.path, 'bad-utf8.zip', (a) => void a.members.push({ name: 'ü.txt', content: Buffer.from('u'), local: { flags: FLAG_UTF8 }, central: { flags: FLAG_UTF8 } }));
    const [, , u] = await entriesOf(path);
    assert.ok(u!.flags & FLAG_UTF8);
    await patch(path, u!.localHeaderOffset + 30, [0xff]);
    await patch(path, u!.centralHeaderOffset + 46, [0xff]);
    await refuses(t, path, /^central directory header 2 at offset \d+: name at offset \d+ is not valid UTF-8, although flag bit 11 \(UTF-8\) is set/);
  });

  test('a stored member whose sizes differ', async (t) => {
    const path = await plainZip(dir.path, 'stored-sizes.zip');
    const [a] = await entriesOf(path);
    await patchU32(path, a!.centralHeaderOffset + 24, a!.uncompressedSize + 1);
    await refuses(t, path, /^entry "a.txt" .* is stored but its compressed size 120 differs from its uncompressed size 121/);
  });
});
