// The hand-off between the sdist's tar writer and the strict reader that reads it back: pieces pass
// uncopied and in order, a write waits until the reader has moved past its piece (the writer reuses
// its buffers), and a reader that stops for good never leaves the writer waiting.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HandOff } from '../../src/normalize/sdist/hand-off.js';

test('each piece reaches the reader uncopied, and its write resolves only when the reader asks for the next', async () => {
  const handOff = new HandOff();
  const events: string[] = [];
  const pieces = [Uint8Array.of(1), Uint8Array.of(2, 2), Uint8Array.of(3, 3, 3)];
  const received: Uint8Array[] = [];
  const reading = (async () => {
    for await (const piece of handOff) {
      events.push(`read ${piece.length}`);
      received.push(piece);
    }
    events.push('reader saw the end');
  })();
  for (const piece of pieces) {
    await handOff.write(piece);
    events.push(`wrote ${piece.length}`);
  }
  handOff.end();
  await reading;
  assert.deepEqual(events, ['read 1', 'wrote 1', 'read 2', 'wrote 2', 'read 3', 'wrote 3', 'reader saw the end']);
  // The same objects, not copies: the writer's buffer is what the reader saw.
  for (const [i, piece] of pieces.entries()) assert.equal(received[i], piece);
});

test('once the reader is abandoned, the write of the piece it holds and every later write resolve without it', async () => {
  const handOff = new HandOff();
  const iterator = handOff[Symbol.asyncIterator]();
  let firstDone = false;
  const first = handOff.write(Uint8Array.of(1)).then(() => {
    firstDone = true;
  });
  const piece = await iterator.next();
  assert.deepEqual([...(piece.value as Uint8Array)], [1]);
  // The reader holds the piece and fails on it, never asking for the next: its write still waits...
  await new Promise((settled) => setImmediate(settled));
  assert.equal(firstDone, false);
  // ...until the reader is abandoned: then it and every later write resolve, with no one reading.
  handOff.abandon();
  await first;
  assert.equal(firstDone, true);
  for (let i = 0; i < 1000; i++) await handOff.write(Uint8Array.of(i & 0xff));
});
