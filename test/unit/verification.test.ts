// Verification while writing an sdist: a writer that puts other content in the tar than the input held
// is caught by reading the tar back as it is written, and a corrupted deflate block by inflating the
// gzip as it is written. The parts are the real ones; the faults are made
// by changing their real output or input, never by replacing the code under test.
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { compressInThisThread } from '../../src/formats/deflate/index.js';
import { DEFAULT_EPOCH } from '../../src/normalize/options.js';
import { planSdist } from '../../src/normalize/sdist/plan.js';
import type { PlannedMember } from '../../src/normalize/sdist/plan.js';
import { indexSdist } from '../../src/normalize/sdist/read.js';
import type { SdistIndex } from '../../src/normalize/sdist/read.js';
import { writeSdist } from '../../src/normalize/sdist/write.js';
import { REPO_ROOT, tmpDir } from '../helpers/tools.js';

/** Indexes and plans a golden input, lets `tamper` change the plan, and writes it with verification. */
async function writeTampered(t: TestContext, tamper: (planned: PlannedMember[], index: SdistIndex) => void, compressor = compressInThisThread): Promise<string> {
  const dir = tmpDir(t);
  const spool = await open(join(dir, 'spool'), 'wx+');
  t.after(() => spool.close());
  const index = await indexSdist(join(REPO_ROOT, 'fixtures', 'golden', 'sdist', 'setuptools.in.tar.gz'), spool);
  const options = { epoch: DEFAULT_EPOCH, mtime: 'epoch' as const, keepCompression: false, compressor };
  const plan = planSdist(index, options);
  const planned = [...plan.members];
  tamper(planned, index);
  const hash = createHash('sha256');
  await writeSdist({ ...plan, members: planned }, spool, async (chunk) => void hash.update(chunk), 9, options, index.table.contentView());
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
});

test('the sdist writer verifies: a corrupted deflate block in the output is caught', async (t) => {
  await assert.rejects(writeTampered(t, () => undefined, async (job) => {
    const made = Uint8Array.from(await compressInThisThread(job));
    made[made.length >> 1]! ^= 0x10;
    return made;
  }), /^Error: verification failed: the gzip written does not inflate/);
});
