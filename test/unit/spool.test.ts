// Reading an sdist's spool back: every member's bytes exactly, small members from a shared window
// (one read per window, counted, not one per member), large ones streamed, and a spool still being
// written (the early write) read only as far as it is written.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, open, rm } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SpoolReader } from '../../src/normalize/sdist/spool.js';

/** The spool file with its reads counted: the real file handle, whose read is wrapped to count. */
async function countedSpool(path: string): Promise<{ handle: FileHandle; reads: () => number }> {
  const handle = await open(path, 'w+');
  let reads = 0;
  const read = handle.read.bind(handle) as (...args: unknown[]) => ReturnType<FileHandle['read']>;
  (handle as unknown as { read: typeof read }).read = (...args) => {
    reads += 1;
    return read(...args);
  };
  return { handle, reads: () => reads };
}

async function collect(pieces: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const out: Buffer[] = [];
  for await (const piece of pieces) out.push(Buffer.from(piece)); // copied: a view is valid until the next member
  return Buffer.concat(out);
}

/** Bytes that differ at every offset, so a member read from the wrong place shows. */
function pattern(length: number, seed: number): Buffer {
  const bytes = Buffer.allocUnsafe(length);
  for (let i = 0; i < length; i++) bytes[i] = (i * 31 + seed * 7 + (i >> 8)) & 0xff;
  return bytes;
}

test('small members in spool order take one read per window, and large ones stream; every byte is the member\'s', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'spool-test-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const { handle, reads } = await countedSpool(join(dir, 'spool'));
  t.after(() => handle.close());
  const sizes = [...Array.from({ length: 3000 }, (_, i) => 100 + (i % 400)), 3 << 20, 0, 5, 2 << 20, 77];
  const members: { offset: number; bytes: Buffer }[] = [];
  let offset = 0;
  for (const [i, size] of sizes.entries()) {
    const bytes = pattern(size, i);
    await handle.write(bytes, 0, size, offset);
    members.push({ offset, bytes });
    offset += size;
  }
  const reader = new SpoolReader(handle);
  for (const member of members) assert.ok((await collect(reader.member(member.offset, member.bytes.length))).equals(member.bytes));
  // 3000 small members (about 900 KB) and three after the large ones: a handful of window reads, and
  // the large members a read per MiB.
  assert.ok(reads() <= 12, `${reads()} reads`);
  // Out of order, as an unsorted sdist's plan reads them, the bytes are still each member's.
  const shuffled = members.map((_, i) => members[(i * 7919) % members.length]!);
  for (const member of shuffled) assert.ok((await collect(reader.member(member.offset, member.bytes.length))).equals(member.bytes));
});

test('a spool still being written is read only as far as it is written, and read again for what follows', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'spool-test-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const { handle } = await countedSpool(join(dir, 'spool'));
  t.after(() => handle.close());
  const reader = new SpoolReader(handle);
  const first = pattern(1000, 1);
  await handle.write(first, 0, first.length, 0);
  assert.ok((await collect(reader.member(0, 1000))).equals(first));
  // The window read at offset 0 held 1000 bytes; the next member arrives after it.
  const second = pattern(500, 2);
  await handle.write(second, 0, second.length, 1000);
  assert.ok((await collect(reader.member(1000, 500))).equals(second));
  await assert.rejects(collect(reader.member(1500, 10)), /spool file ended early/);
});
