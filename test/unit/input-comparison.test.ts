// Whether a normal form is its input byte for byte (src/normalize/input-comparison.ts), found as the
// output is written: against a real file, with pieces that straddle the reads of the input, a
// difference at either end, an output too short or too long, and no read after the first difference.
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { InputComparison } from '../../src/normalize/input-comparison.js';
import { tmpDir } from '../helpers/tools.js';

/** An input of `bytes` in a file, and a comparison against it whose reads are counted. */
function comparing(t: TestContext, bytes: Buffer): { comparison: InputComparison; reads: () => number } {
  const path = join(tmpDir(t), 'input');
  writeFileSync(path, bytes);
  let reads = 0;
  const opened = async (): Promise<FileHandle> => {
    const handle = await open(path, 'r');
    const read = handle.read.bind(handle) as (...args: unknown[]) => ReturnType<FileHandle['read']>;
    (handle as unknown as { read: typeof read }).read = (...args) => {
      reads += 1;
      return read(...args);
    };
    return handle;
  };
  return { comparison: new InputComparison(opened, bytes.length), reads: () => reads };
}

/** Hands `output` to the comparison in pieces of the sizes given, in turn, to its end. */
async function feed(comparison: InputComparison, output: Buffer, sizes: readonly number[]): Promise<boolean> {
  for (let at = 0, i = 0; at < output.length; i++) {
    const size = sizes[i % sizes.length]!;
    await comparison.add(output.subarray(at, at + size));
    at += size;
  }
  return comparison.same();
}

const INPUT = randomBytes((5 << 19) + 123); // 2.5 MiB and some: three reads of the input

test('the same bytes are the input, whatever pieces they come in', async (t) => {
  for (const sizes of [[INPUT.length], [1000], [(1 << 20) + 3], [1, 65536, 777_777]]) {
    const { comparison, reads } = comparing(t, INPUT);
    assert.equal(await feed(comparison, INPUT, sizes), true, `pieces of ${sizes.join(', ')}`);
    assert.equal(reads(), 3, `pieces of ${sizes.join(', ')}`);
  }
});

test('a byte that differs, at either end, or an output of another length is not the input', async (t) => {
  const changed = (at: number) => {
    const bytes = Buffer.from(INPUT);
    bytes[at]! ^= 1;
    return bytes;
  };
  const cases: [string, Buffer][] = [
    ['the first byte', changed(0)],
    ['the last byte', changed(INPUT.length - 1)],
    ['a byte just past the first read', changed(1 << 20)],
    ['one byte short', INPUT.subarray(0, INPUT.length - 1)],
    ['one byte more', Buffer.concat([INPUT, Buffer.of(0)])],
    ['nothing', Buffer.alloc(0)],
  ];
  for (const [what, output] of cases) {
    const { comparison } = comparing(t, INPUT);
    assert.equal(await feed(comparison, output, [4096, 1 << 20]), false, what);
  }
});

test('the input is read no further than the first difference', async (t) => {
  const output = Buffer.from(INPUT);
  output[10]! ^= 1;
  const { comparison, reads } = comparing(t, INPUT);
  assert.equal(await feed(comparison, output, [100]), false);
  assert.equal(reads(), 1);
});
