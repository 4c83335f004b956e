// Verification while writing: a deflate block that does not inflate back to its input is caught where
// it is compressed, and an sdist writer that puts other content in the tar than the input held is
// caught by reading the tar back as it is written. The parts are the real ones; the faults are made
// by changing their real output or input, never by replacing the code under test.
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { DEFLATE_DICTIONARY_SIZE, DeflateStream, compressInThisThread } from '../../src/formats/deflate/index.js';
import type { DeflateBlockJob } from '../../src/formats/deflate/index.js';
import { checkDeflatedBlock } from '../../src/formats/deflate/job.js';
import { deflateBlockWasm } from '../../src/formats/deflate/zlib-wasm.js';
import { DEFAULT_EPOCH } from '../../src/normalize/options.js';
import { planSdist } from '../../src/normalize/sdist/plan.js';
import type { PlannedMember } from '../../src/normalize/sdist/plan.js';
import { indexSdist, sdistIndexContent } from '../../src/normalize/sdist/read.js';
import { writeSdist } from '../../src/normalize/sdist/write.js';
import { REPO_ROOT, tmpDir } from '../helpers/tools.js';

/** Text-like bytes with repeats, so that blocks use back-references into the dictionary. */
function sample(length: number, seed: number): Uint8Array {
  const words = ['import', 'def', 'return', 'self', 'value', 'class', '(', ')', ':', '\n    ', ' '];
  const out = Buffer.alloc(length);
  let x = seed;
  for (let at = 0; at < length; ) {
    x = (x * 1103515245 + 12345) >>> 0;
    at += out.write(words[x % words.length]!, at);
  }
  return out;
}

const data = sample(200_000, 7);
const dictionary = data.subarray(100_000 - DEFLATE_DICTIONARY_SIZE, 100_000);
const middle: DeflateBlockJob = { input: data.subarray(100_000, 150_000), dictionary, level: 9, last: false };
const final: DeflateBlockJob = { ...middle, last: true };

test('a correct block passes the check, the last one and one that more blocks follow', () => {
  checkDeflatedBlock(middle, deflateBlockWasm(middle));
  checkDeflatedBlock(final, deflateBlockWasm(final));
});

test('a corrupted block is caught: one flipped bit, a truncation, the wrong dictionary', () => {
  const made = deflateBlockWasm(middle);
  for (const at of [0, made.length >> 1, made.length - 5]) {
    const corrupted = Uint8Array.from(made);
    corrupted[at]! ^= 0x10;
    assert.throws(() => checkDeflatedBlock(middle, corrupted), /^Error: verification failed: a deflate block/, `bit flipped at byte ${at}`);
  }
  assert.throws(() => checkDeflatedBlock(middle, made.subarray(0, made.length - 1000)), /verification failed/);
  const otherDictionary = { ...middle, dictionary: data.subarray(0, DEFLATE_DICTIONARY_SIZE) };
  assert.throws(() => checkDeflatedBlock(otherDictionary, made), /verification failed/);
});

test('a block that ends the stream while more follow, or does not end it when last, is caught', () => {
  assert.throws(() => checkDeflatedBlock(middle, deflateBlockWasm(final)), /ends the deflate stream \(BFINAL\) though more blocks follow/);
  assert.throws(() => checkDeflatedBlock(final, deflateBlockWasm(middle)), /verification failed/);
});

test('a stream asked to check its blocks gives every job the check, and the same bytes', async () => {
  const run = async (checkBlocks: boolean) => {
    const out: Uint8Array[] = [];
    const checks: (boolean | undefined)[] = [];
    const stream = new DeflateStream(9, async (chunk) => void out.push(chunk), async (job) => {
      checks.push(job.check);
      return compressInThisThread(job);
    }, 1, checkBlocks);
    await stream.write(sample(3 << 20, 11));
    await stream.end();
    return { bytes: Buffer.concat(out), checks };
  };
  const checked = await run(true);
  const unchecked = await run(false);
  assert.ok(checked.checks.length >= 3);
  assert.deepEqual(new Set(checked.checks), new Set([true]));
  assert.deepEqual(new Set(unchecked.checks), new Set([false]));
  assert.ok(checked.bytes.equals(unchecked.bytes));
});

/** Indexes and plans a golden input, lets `tamper` change the plan, and writes it with verification. */
async function writeTampered(t: TestContext, tamper: (planned: PlannedMember[]) => void, compressor = compressInThisThread): Promise<string> {
  const dir = tmpDir(t);
  const spool = await open(join(dir, 'spool'), 'wx+');
  t.after(() => spool.close());
  const index = await indexSdist(join(REPO_ROOT, 'fixtures', 'golden', 'sdist', 'setuptools.in.tar.gz'), spool);
  const options = { epoch: DEFAULT_EPOCH, mtime: 'epoch' as const, keepCompression: false, compressor };
  const planned = planSdist(index, options);
  tamper(planned);
  const hash = createHash('sha256');
  await writeSdist(planned, spool, async (chunk) => void hash.update(chunk), 9, options, sdistIndexContent(index));
  return hash.digest('hex');
}

const files = (planned: PlannedMember[]) => planned.filter((p) => p.source && p.source.size > 0);

test('the sdist writer verifies: an untouched plan writes, a writer bug is caught', async (t) => {
  await writeTampered(t, () => undefined);
  // Data taken from another member's place in the spool.
  await assert.rejects(writeTampered(t, (planned) => {
    const [x, y] = files(planned);
    assert.notEqual(x!.source!.sha256, y!.source!.sha256);
    x!.source = y!.source;
    x!.header = { ...x!.header, size: y!.source!.size };
  }), /^Error: verification failed: .*: content/);
  // An executable bit the input did not have.
  await assert.rejects(writeTampered(t, (planned) => {
    const file = files(planned).find((p) => (p.header.mode & 0o111) === 0)!;
    file.header = { ...file.header, mode: 0o755 };
  }), /^Error: verification failed: .*: executable \(no \/ yes\)/);
  // A member left out.
  await assert.rejects(writeTampered(t, (planned) => {
    planned.splice(planned.indexOf(files(planned).at(-1)!), 1);
  }), /^Error: verification failed: .*: only-in-a/);
});

test('the sdist writer verifies: a corrupted deflate block in the output is caught', async (t) => {
  await assert.rejects(writeTampered(t, () => undefined, async (job) => {
    const made = Uint8Array.from(await compressInThisThread(job));
    made[made.length >> 1]! ^= 0x10;
    return made;
  }), /^Error: verification failed: the gzip written does not inflate/);
});
