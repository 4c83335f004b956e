// What the zip codec's tests share (test/unit/zip-*.test.ts, test/cli/zip-oracles.test.ts): members
// written by our writer, archives patched byte by byte, and the refusal assertion.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, open, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { after, before, type TestContext } from 'node:test';
import { crc32 } from 'node:zlib';
import { DEFLATE_BLOCK_SIZE, DEFLATE_DICTIONARY_SIZE } from '../../src/formats/deflate/index.js';
import { deflateBlockWasm as deflateBlock } from '../../src/formats/deflate/zlib-wasm.js';
import {
  FLAG_UTF8, HOST_UNIX, METHOD_DEFLATE, METHOD_STORED, S_IFDIR, S_IFLNK, S_IFREG, VERSION_DEFLATE, ZipFormatError, ZipWriter,
  makeVersionMadeBy, openZip, toDosDateTime, unixModeToExternalAttr, type ZipEntry, type ZipWriterEntry,
} from '../../src/formats/zip/index.js';
import { assembleZip, type RawArchive } from './zip-bytes.js';

/** A temporary directory for the test file, made before its tests and removed after them. */
export function zipTestDir(): { readonly path: string } {
  const dir = { path: '' };
  before(async () => {
    dir.path = await mkdtemp(join(tmpdir(), 'reprodist-zip-'));
  });
  after(async () => {
    await rm(dir.path, { recursive: true, force: true });
  });
  return dir;
}

export async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export async function readMember(path: string, name: string): Promise<Buffer> {
  const zip = await openZip(path);
  try {
    const entry = zip.listEntries().find((e) => e.name === name);
    assert.ok(entry, `no entry ${name}`);
    return await readAll(zip.openMemberStream(entry));
  } finally {
    await zip.close();
  }
}

/**
 * An entry's name as stored in the archive at `path`: the bytes after its central header's fixed
 * part (APPNOTE 4.3.12), which the reader decodes but does not keep.
 */
export async function storedNameBytes(path: string, entry: ZipEntry): Promise<Buffer> {
  const file = await readFile(path);
  return file.subarray(entry.centralHeaderOffset + 46, entry.centralHeaderOffset + 46 + entry.nameLength);
}

/** Deflates like the normalizer: stock zlib in WebAssembly, block by block. */
export function deflate(data: Uint8Array, level = 6): Uint8Array {
  const parts: Uint8Array[] = [];
  for (let at = 0; at === 0 || at < data.length; at += DEFLATE_BLOCK_SIZE) {
    const end = Math.min(at + DEFLATE_BLOCK_SIZE, data.length);
    parts.push(deflateBlock({ input: data.subarray(at, end), dictionary: data.subarray(Math.max(0, at - DEFLATE_DICTIONARY_SIZE), at), level, last: end === data.length }));
  }
  return Buffer.concat(parts);
}

export const WHEN = toDosDateTime(Date.UTC(2020, 1, 2, 3, 4, 6) / 1000);

export interface Member {
  name: string;
  content: Uint8Array;
  method?: number;
  mode?: number;
  utf8?: boolean;
}

export function entryOf(m: Member): ZipWriterEntry {
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

export async function writeZip(path: string, entries: ZipWriterEntry[]) {
  const handle = await open(path, 'w');
  try {
    const writer = new ZipWriter(handle);
    for (const e of entries) await writer.addEntry(e);
    return await writer.finish();
  } finally {
    await handle.close();
  }
}

export async function writeMembers(path: string, members: Member[]) {
  return writeZip(path, members.map(entryOf));
}

export const sampleMembers = (): Member[] => [
  { name: 'pkg/', content: new Uint8Array(0), method: METHOD_STORED, mode: S_IFDIR | 0o755 },
  { name: 'pkg/__init__.py', content: Buffer.from('import os\n'.repeat(1000)) },
  { name: 'pkg/data.bin', content: randomBytes(200_000), method: METHOD_STORED },
  { name: 'pkg/ünïcødé.txt', content: Buffer.from('ü'), utf8: true },
  { name: 'pkg/link', content: Buffer.from('data.bin'), method: METHOD_STORED, mode: S_IFLNK | 0o777 },
  { name: 'pkg/big.txt', content: Buffer.from('lorem ipsum dolor sit amet '.repeat(100_000)) }, // > one deflate block
  { name: 'pkg/empty-deflated', content: new Uint8Array(0) },
];

/**
 * The plain two-member archive the refusal tests corrupt (stored a.txt of 120 bytes, deflated b.txt of
 * 1200), with `change` applied to its layout, written to `dir/name`.
 */
export async function plainZip(dir: string, name: string, change: (archive: RawArchive) => void = () => {}): Promise<string> {
  const archive: RawArchive = {
    members: [
      { name: 'a.txt', content: Buffer.from('alpha '.repeat(20)) },
      { name: 'b.txt', content: Buffer.from('bravo '.repeat(200)), method: METHOD_DEFLATE },
    ],
  };
  change(archive);
  const path = join(dir, name);
  const handle = await open(path, 'w');
  await handle.writeFile(assembleZip(archive).bytes);
  await handle.close();
  return path;
}

/** Writes `bigSize` zero bytes stored as 'zeros', then `after`, skipping the zeros on disk (sparse file). */
export async function sparseZip(path: string, bigSize: number, after: Member[]): Promise<{ offsets: number[]; summary: Awaited<ReturnType<ZipWriter['finish']>> }> {
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

export async function patch(path: string, offset: number, bytes: number[] | Buffer): Promise<void> {
  const handle = await open(path, 'r+');
  try {
    await handle.write(Buffer.from(bytes), 0, bytes.length, offset);
  } finally {
    await handle.close();
  }
}

export async function patchU16(path: string, offset: number, value: number): Promise<void> {
  await patch(path, offset, [value & 0xff, value >>> 8]);
}

export async function patchU32(path: string, offset: number, value: number): Promise<void> {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(value);
  await patch(path, offset, b);
}

export async function entriesOf(path: string): Promise<ZipEntry[]> {
  const zip = await openZip(path);
  await zip.close();
  return zip.listEntries();
}

export async function eocdOffset(path: string): Promise<number> {
  const data = await readFile(path);
  return data.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
}

/** Asserts that opening `path` (or reading one of its members) fails with a ZipFormatError matching `pattern`. */
export async function refuses(t: TestContext, path: string, pattern: RegExp, member?: string): Promise<void> {
  let message = '';
  await assert.rejects(member === undefined ? openZip(path) : readMember(path, member), (err: unknown) => {
    assert.ok(err instanceof ZipFormatError, `expected a ZipFormatError, got ${String(err)}`);
    message = err.message;
    assert.match(err.message, pattern);
    return true;
  });
  t.diagnostic(message);
}
