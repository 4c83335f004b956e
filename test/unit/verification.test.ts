// Verification while writing. An sdist: a writer that puts other content in the tar than the input
// held is caught by reading the tar back as it is written, and a corrupted deflate block by inflating
// the gzip as it is written. A wheel: each member's data is inflated as it is written, and the
// directory read back must place every member where it was written, with its input's content. The parts are the real ones; the
// faults are made by changing their real output or input, never by replacing the code under test.
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { BATCH_SLOT_BYTES, DEFLATE_BLOCK_SIZE, compressInThisThread, deflateWholeInThisThread } from '../../src/formats/deflate/index.js';
import { DEFAULT_EPOCH } from '../../src/normalize/options.js';
import { planSdist } from '../../src/normalize/sdist/plan.js';
import type { PlannedMember } from '../../src/normalize/sdist/plan.js';
import { indexSdist } from '../../src/normalize/sdist/read.js';
import type { TableIndex } from '../../src/normalize/sdist/read.js';
import { writeSdist } from '../../src/normalize/sdist/write.js';
import { normalizeWheel } from '../../src/normalize/wheel/write.js';
import { openZip } from '../../src/formats/zip/index.js';
import { CENTRAL } from '../../src/formats/zip/records.js';
import type { BlockCompressor, WholeDeflater } from '../../src/formats/deflate/index.js';
import { REPO_ROOT, tmpDir } from '../helpers/tools.js';
import { writeMembers } from '../helpers/zip-test.js';

/** Indexes and plans a golden input, lets `tamper` change the plan, and writes it with verification. */
async function writeTampered(t: TestContext, tamper: (planned: PlannedMember[], index: TableIndex) => void, compressor = compressInThisThread): Promise<string> {
  const dir = tmpDir(t);
  const spool = await open(join(dir, 'spool'), 'wx+');
  t.after(() => spool.close());
  const index = await indexSdist(join(REPO_ROOT, 'fixtures', 'golden', 'sdist', 'setuptools.in.tar.gz'), spool);
  const options = { epoch: DEFAULT_EPOCH, mtime: 'epoch' as const, keepCompression: false, compressor };
  const plan = planSdist(index.table, index.changes, options);
  const planned = [...plan.members];
  tamper(planned, index);
  const hash = createHash('sha256');
  await writeSdist({ ...plan, members: planned }, spool, async (chunk) => void hash.update(chunk), 9, options, plan.written);
  return hash.digest('hex');
}

const files = (planned: PlannedMember[]) => planned.filter((p) => p.source && p.source.size > 0);

test('the sdist writer verifies: an untouched plan writes, a writer bug is caught', async (t) => {
  await writeTampered(t, () => undefined);
  // Data taken from another member's place in the spool.
  await assert.rejects(writeTampered(t, (planned, { table }) => {
    const [x, y] = files(planned);
    const sha256Of = (member: PlannedMember) => table.sha256(table.find(member.header.name));
    assert.notEqual(sha256Of(x!), sha256Of(y!));
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
  // Two members written in each other's place: the same content, but not the plan's order.
  await assert.rejects(writeTampered(t, (planned) => {
    const [x, y] = files(planned);
    const [i, j] = [planned.indexOf(x!), planned.indexOf(y!)];
    [planned[i], planned[j]] = [y!, x!];
  }), /^Error: verification failed: .*: only-in-(a|b)/);
  // A member written twice.
  await assert.rejects(writeTampered(t, (planned) => {
    planned.push(files(planned).at(-1)!);
  }), /^Error: verification failed: .*: only-in-b/);
});

test('the sdist writer verifies: a corrupted deflate block in the output is caught', async (t) => {
  await assert.rejects(writeTampered(t, () => undefined, async (job) => {
    const made = Uint8Array.from(await compressInThisThread(job));
    made[made.length >> 1]! ^= 0x10;
    return made;
  }), /^Error: verification failed: the gzip written does not inflate/);
});

const GOLDEN_WHEEL = join(REPO_ROOT, 'fixtures', 'golden', 'wheel', 'flit-py3-none-any.in.whl');

/** Normalizes `input` (the golden wheel) with verification into `dir`/out.whl, with `compressor` and `wholeDeflater`; returns the handler's run. */
async function writeWheel(dir: string, compressor: BlockCompressor = compressInThisThread, wholeDeflater: WholeDeflater = deflateWholeInThisThread, input = GOLDEN_WHEEL) {
  const out = await open(join(dir, 'out.whl'), 'wx');
  try {
    const options = { epoch: DEFAULT_EPOCH, mtime: 'epoch' as const, keepCompression: false, compressor, wholeDeflater };
    return await normalizeWheel(input, async (chunk) => void (await out.write(chunk)), options, dir, true);
  } finally {
    await out.close();
  }
}

test('the wheel writer verifies each member as it is written and reads back only the directory', async (t) => {
  const dir = tmpDir(t);
  const run = await writeWheel(dir);
  assert.ok(run.readWritten, 'a verified wheel run says how to read what it wrote');
  assert.deepEqual(await run.readWritten(join(dir, 'out.whl')), []);
  // Another wheel than the one written (the input: other offsets and sizes) is not taken for it.
  await assert.rejects(run.readWritten(GOLDEN_WHEEL), /^Error: verification failed: .* is not in the wheel's directory as it was written/);
  // A member whose central header says executable, where the input's was not: its content differs.
  const zip = await openZip(join(dir, 'out.whl'));
  const plain = zip.listEntries().find((e) => !e.name.endsWith('/') && ((e.externalAttr >>> 16) & 0o111) === 0)!;
  await zip.close();
  const file = await open(join(dir, 'out.whl'), 'r+');
  const attr = Buffer.alloc(4);
  attr.writeUInt32LE(((0o100755 << 16) >>> 0), 0);
  await file.write(attr, 0, 4, plain.centralHeaderOffset + CENTRAL.externalAttr);
  await file.close();
  assert.deepEqual(await run.readWritten(join(dir, 'out.whl')), [{ name: plain.name, difference: 'executable', a: 'no', b: 'yes' }]);
});

test('the wheel writer verifies: a corrupted deflate block is caught as it is written', async (t) => {
  // Members bigger than a batch go through the block compressor: one read whole (one block) and one
  // streamed (several blocks); the golden wheel's files are all batched.
  const text = (bytes: number) => Buffer.from('lorem ipsum dolor sit amet '.repeat(Math.ceil(bytes / 27)).slice(0, bytes));
  for (const size of [BATCH_SLOT_BYTES + 1000, 3 * DEFLATE_BLOCK_SIZE]) {
    const dir = tmpDir(t);
    const input = join(dir, 'demo-1.0-py3-none-any.whl');
    await writeMembers(input, [
      { name: 'demo/big.txt', content: text(size) },
      { name: 'demo-1.0.dist-info/WHEEL', content: Buffer.from('Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n') },
      { name: 'demo-1.0.dist-info/RECORD', content: Buffer.from('') },
    ]);
    await assert.doesNotReject(writeWheel(dir, compressInThisThread, deflateWholeInThisThread, input), `a member of ${size} bytes, untouched`);
    await assert.rejects(writeWheel(tmpDir(t), async (job) => {
      const made = Uint8Array.from(await compressInThisThread(job));
      made[made.length >> 1]! ^= 0x10;
      return made;
    }, deflateWholeInThisThread, input), /^Error: verification failed: demo\/big\.txt: the data written (does not inflate|is not the data read|gives \d+ bytes)/, `a member of ${size} bytes`);
  }
});

test('the wheel writer verifies: a corrupted batch of small files is caught as it is written', async (t) => {
  // Small files are deflated together (formats/deflate/members.ts); each is checked against its data read.
  await assert.rejects(writeWheel(tmpDir(t), compressInThisThread, async (job) => {
    const made = await deflateWholeInThisThread(job);
    const deflated = Uint8Array.from(made.deflated);
    deflated[deflated.length >> 1]! ^= 0x10;
    return { ...made, deflated };
  }), /^Error: verification failed: .*: the data written (does not inflate|is not the data read)/);
});
