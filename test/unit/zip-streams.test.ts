// Member data that does not match its headers: each stream fails with a ZipFormatError as soon as it
// can tell, handing out nothing past the declared size; and streams run concurrently or stop early.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { open, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { createDeflateRaw } from 'node:zlib';
import { METHOD_DEFLATE, ZipFormatError, ZipReader, openZip, type ZipWriterEntry } from '../../src/formats/zip/index.js';
import { deflate, entriesOf, entryOf, patch, plainZip, readAll, refuses, sampleMembers, writeMembers, writeZip, zipTestDir } from '../helpers/zip-test.js';

const dir = zipTestDir();

/** `count` MiB of zeros, deflated: about a thousand times smaller. */
async function zerosDeflated(count: number): Promise<Buffer> {
  const deflater = createDeflateRaw({ level: 1 });
  const chunks: Buffer[] = [];
  deflater.on('data', (chunk: Buffer) => chunks.push(chunk));
  const zeros = Buffer.alloc(1 << 20);
  for (let i = 0; i < count; i++) if (!deflater.write(zeros)) await new Promise((resolve) => deflater.once('drain', resolve));
  await new Promise((resolve) => deflater.end(resolve));
  return Buffer.concat(chunks);
}

describe('member streams refuse', () => {
  function lying(name: string, data: Uint8Array, change: Partial<ZipWriterEntry>, method = METHOD_DEFLATE): ZipWriterEntry {
    const base = entryOf({ name, content: Buffer.from('some content '.repeat(100)), method });
    return { ...base, compressedSize: data.length, data, ...change };
  }

  test('a deflate bomb declaring 10 bytes: stops after one output chunk, handing out nothing', async (t) => {
    // Over 1 MiB compressed, so that it is inflated as a stream, not in one call.
    const bomb = await zerosDeflated(1536);
    assert.ok(bomb.length > 1 << 20, `bomb is ${bomb.length} bytes`);
    const path = join(dir.path, 'bomb.zip');
    await writeZip(path, [lying('bomb', bomb, { uncompressedSize: 10, crc32: 0 })]);
    const zip = await openZip(path);
    try {
      let produced = 0;
      let message = '';
      await assert.rejects(
        (async () => {
          for await (const chunk of zip.openMemberStream(zip.entry(0))) produced += (chunk as Buffer).length;
        })(),
        (err: unknown) => {
          assert.ok(err instanceof ZipFormatError);
          message = err.message;
          return true;
        },
      );
      t.diagnostic(message);
      assert.equal(produced, 0, 'nothing past the declared size is handed out');
      // What it cost, counted by the reader: one 64 KiB output chunk inflated from at most one 1 MiB read.
      const counted = /^entry "bomb" .*: inflates to more than its declared uncompressed size of 10 bytes \(stopped after (\d+) bytes from (\d+) compressed bytes/.exec(message);
      assert.ok(counted, message);
      assert.ok(Number(counted[1]) <= 64 * 1024, message);
      assert.ok(Number(counted[2]) <= 1 << 20, message);
      // Its stored bytes, checked as they are copied: refused before a second read, inflating nothing past the declared size.
      let taken = 0;
      let copied = 0;
      await assert.rejects(
        (async () => {
          for await (const chunk of zip.openCheckedRawStream(zip.entry(0), (inflated) => (taken += inflated.length))) copied += (chunk as Buffer).length;
        })(),
        (err: unknown) => err instanceof ZipFormatError && /inflates to more than its declared uncompressed size of 10 bytes/.test(err.message),
      );
      assert.equal(taken, 0);
      assert.ok(copied <= 1 << 20, `${copied} stored bytes copied`);
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
      const path = join(dir.path, `member-${name}.zip`);
      await writeZip(path, [entry]);
      const refusal = new RegExp(`^entry "${name}" \\(central directory header 0 at offset \\d+\\): ${pattern.source}`);
      await refuses(t, path, refusal, name);
      // The stored bytes, checked as they are copied, are refused the same way.
      const zip = await openZip(path);
      try {
        await assert.rejects(readAll(zip.openCheckedRawStream(zip.entry(0), () => undefined)), (err: unknown) => err instanceof ZipFormatError && refusal.test(err.message), name);
      } finally {
        await zip.close();
      }
    }
    // A stored member whose bytes changed after the CRC was taken.
    const path = await plainZip(dir.path, 'stored-crc.zip');
    const [a] = await entriesOf(path);
    await patch(path, a!.dataOffset, [0x41]);
    await refuses(t, path, /^entry "a.txt" .*: CRC-32 mismatch/, 'a.txt');
  });
});

describe('member streams', () => {
  test('raw and member streams may be read concurrently and stopped early', async () => {
    const path = join(dir.path, 'concurrent.zip');
    await writeMembers(path, sampleMembers());
    const zip = await openZip(path);
    try {
      const results = await Promise.all(zip.listEntries().map((e) => readAll(zip.openMemberStream(e))));
      assert.deepEqual(results.map((r) => r.length), zip.listEntries().map((e) => e.uncompressedSize));
      const big = zip.listEntries().find((e) => e.name === 'pkg/big.txt')!;
      const stream = zip.openMemberStream(big);
      for await (const _ of stream) break; // destroys the stream; must not leak or throw
      assert.ok(stream.destroyed);
    } finally {
      await zip.close();
    }
  });

  test('ZipReader.fromFileHandle leaves the handle to its owner', async () => {
    const path = join(dir.path, 'handle.zip');
    await writeMembers(path, [{ name: 'a', content: Buffer.from('a') }]);
    const handle = await open(path, 'r');
    const zip = await ZipReader.fromFileHandle(handle);
    await zip.close();
    assert.equal((await handle.stat()).size, (await stat(path)).size); // still open
    await handle.close();
  });
});
