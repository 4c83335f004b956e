// Small inputs deflated whole, many to a job: each input's bytes are exactly what a DeflateStream of
// it gives (one block of the block scheme), inputs that deflating does not shrink are marked and
// keep no bytes. (The pool's workers, which run the same function on shared slots, are held to this
// thread's bytes by test/cli/jobs.test.ts: the worker runs from the built bundle.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { DeflateStream, NOT_SMALLER, deflateWholeInThisThread } from '../../src/formats/deflate/index.js';
import type { WholeDeflateJob, WholeDeflateResult } from '../../src/formats/deflate/index.js';

async function streamDeflate(input: Uint8Array, level: number): Promise<Buffer> {
  const out: Uint8Array[] = [];
  const stream = new DeflateStream(level, async (chunk) => {
    out.push(Uint8Array.from(chunk));
  });
  await stream.write(input);
  await stream.end();
  return Buffer.concat(out);
}

/** Text of several kinds, incompressible bytes, an empty input and a byte: the cases the results differ on. */
function inputs(seed: number): Uint8Array[] {
  const text = (n: number) => Buffer.from(Array.from({ length: n }, (_, i) => `line ${(i * seed) % 97} of ${seed}\n`).join(''));
  return [text(50), randomBytes(3000), new Uint8Array(0), Uint8Array.of(seed & 0xff), text(4000), new Uint8Array(20000).fill(seed & 0xff), randomBytes(10)];
}

function job(parts: Uint8Array[], level: number): WholeDeflateJob {
  return { level, input: Buffer.concat(parts), lengths: Uint32Array.from(parts.map((p) => p.length)) };
}

/** Each input's deflated bytes from a result, or undefined when it is marked not smaller. */
function split(result: WholeDeflateResult): (Uint8Array | undefined)[] {
  let at = 0;
  return [...result.deflatedLengths].map((length) => {
    if (length === NOT_SMALLER) return undefined;
    at += length;
    return result.deflated.subarray(at - length, at);
  });
}

test('each input deflated whole is the bytes a DeflateStream of it gives, or marked not smaller when they are not', async () => {
  for (const level of [1, 6, 9]) {
    const parts = inputs(level);
    const result = split(await deflateWholeInThisThread(job(parts, level)));
    assert.equal(result.length, parts.length);
    for (const [i, part] of parts.entries()) {
      const expected = await streamDeflate(part, level);
      if (result[i] === undefined) assert.ok(expected.length >= part.length, `input ${i} at level ${level} is marked not smaller, but deflates to ${expected.length} of ${part.length} bytes`);
      else assert.ok(Buffer.from(result[i]!).equals(expected), `input ${i} at level ${level}`);
    }
    // Empty, random and one-byte inputs never shrink; the text does.
    assert.deepEqual(result.map((r) => r !== undefined), [true, false, false, false, true, true, false]);
  }
});
