// The end records (APPNOTE 4.3.14-4.3.16) and the central directory they point to: archives
// assembled record by record (test/helpers/zip-bytes.ts), corrupted, each refused with a
// ZipFormatError that names the problem and its offset.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { openZip } from '../../src/formats/zip/index.js';
import { eocdOffset, patchU16, patchU32, plainZip, refuses, zipTestDir } from '../helpers/zip-test.js';

const dir = zipTestDir();

describe('the end records', () => {
  test('zip64 end records are read, and must agree with the end record', async (t) => {
    const path = await plainZip(dir.path, 'z64.zip', (a) => void (a.zip64 = {}));
    const zip = await openZip(path);
    assert.equal(zip.zip64, true);
    assert.deepEqual(zip.listEntries().map((e) => e.name), ['a.txt', 'b.txt']);
    await zip.close();
    const bytes = await readFile(path);
    const z64 = bytes.lastIndexOf(Buffer.from([0x50, 0x4b, 0x06, 0x06]));
    await patchU32(path, z64 + 48, bytes.readUInt32LE(z64 + 48) + 1); // central directory offset
    await refuses(t, path, /^zip64 end of central directory record at offset \d+: central directory at offset \d+ of size \d+ ends at offset \d+, but the next record starts/);
  });

  test('an archive comment is read as it is', async () => {
    const path = await plainZip(dir.path, 'comment.zip', (a) => void (a.comment = Buffer.from('a comment')));
    const zip = await openZip(path);
    assert.equal(Buffer.from(zip.comment).toString(), 'a comment');
    await zip.close();
  });
});

describe('refuses', () => {
  test('an empty file', async (t) => {
    const path = join(dir.path, 'empty.zip');
    await writeFile(path, '');
    await refuses(t, path, /empty file \(0 bytes\)/);
  });

  test('a file that is not a zip, or is truncated', async (t) => {
    const notZip = join(dir.path, 'not.zip');
    await writeFile(notZip, Buffer.alloc(1000, 0x41));
    await refuses(t, notZip, /no end of central directory record .* in the last 1000 bytes: not a zip file, or truncated/);

    const bytes = await readFile(await plainZip(dir.path, 'trunc-base.zip'));
    const half = join(dir.path, 'trunc-half.zip');
    await writeFile(half, bytes.subarray(0, bytes.length >> 1));
    await refuses(t, half, /no end of central directory record/);
    const cut = join(dir.path, 'trunc-end.zip');
    await writeFile(cut, bytes.subarray(0, bytes.length - 5));
    await refuses(t, cut, /^truncated: end of central directory record at offset \d+ needs 22 bytes, but the file ends/);
    // A comment length that runs past the end of the file.
    const comment = await plainZip(dir.path, 'trunc-comment.zip', (a) => void (a.comment = Buffer.from('a comment')));
    const cbytes = await readFile(comment);
    const cshort = join(dir.path, 'trunc-comment-short.zip');
    await writeFile(cshort, cbytes.subarray(0, cbytes.length - 3));
    await refuses(t, cshort, /^truncated: end of central directory record at offset \d+ declares a 9-byte comment ending at offset \d+, but the file ends/);
  });

  test('bytes after the end record', async (t) => {
    const path = await plainZip(dir.path, 'trailing.zip');
    await writeFile(path, Buffer.concat([await readFile(path), Buffer.from('junk')]));
    await refuses(t, path, /^4 bytes after the end of central directory record \(record at offset \d+/);
  });

  test('several end records: a signature inside the archive comment, or two complete records', async (t) => {
    const inComment = await plainZip(dir.path, 'eocd-in-comment.zip', (a) => void (a.comment = Buffer.from('see PK\x05\x06 here', 'latin1')));
    await refuses(t, inComment, /^several end of central directory records: the signature appears again at offset \d+, inside the archive comment/);
    // The comment is itself a complete, empty end record: both records reach the end of the file.
    const two = await plainZip(dir.path, 'eocd-twice.zip', (a) => void (a.comment = Buffer.concat([Buffer.from('PK\x05\x06', 'latin1'), Buffer.alloc(18)])));
    await refuses(t, two, /^several end of central directory records: at offsets \d+ and \d+ each with a comment reaching the end of the file/);
  });

  test('disk numbers other than 0', async (t) => {
    const path = await plainZip(dir.path, 'disk.zip');
    await patchU16(path, (await eocdOffset(path)) + 4, 1);
    await refuses(t, path, /^end of central directory record at offset \d+: number of this disk is 1, not 0/);
  });

  test('a central directory entry count that does not match', async (t) => {
    const more = await plainZip(dir.path, 'count-more.zip');
    const at = await eocdOffset(more);
    await patchU16(more, at + 8, 3);
    await patchU16(more, at + 10, 3);
    await refuses(t, more, /^central directory entry count mismatch: the end record declares 3 entries, but the central directory .* holds 2/);
    const fewer = await plainZip(dir.path, 'count-fewer.zip');
    const at2 = await eocdOffset(fewer);
    await patchU16(fewer, at2 + 8, 1);
    await patchU16(fewer, at2 + 10, 1);
    await refuses(t, fewer, /^central directory entry count mismatch: the end record declares 1 entries, but the central directory .* has more bytes/);
    const split = await plainZip(dir.path, 'count-split.zip');
    await patchU16(split, (await eocdOffset(split)) + 8, 1);
    await refuses(t, split, /1 entries on this disk but 2 in total/);
  });

  test('a central directory that does not end where the end records start', async (t) => {
    const path = await plainZip(dir.path, 'cd-size.zip');
    const at = await eocdOffset(path);
    const size = (await readFile(path)).readUInt32LE(at + 12);
    await patchU32(path, at + 12, size - 1);
    await refuses(t, path, /central directory at offset \d+ of size \d+ ends at offset \d+, but the next record starts at offset \d+: 1 unexpected bytes/);
  });
});
