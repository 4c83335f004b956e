// The byte table under the zip entry table's and the member table's names: pieces appended across
// its growth read back as they were appended, where each one starts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ByteTable } from '../../src/formats/byte-table.js';

test('pieces appended past the first capacity, as bytes, parts of bytes and text, read back where they start', () => {
  const table = new ByteTable(8);
  const pieces: [number, Buffer][] = [];
  for (let i = 0; i < 3000; i++) {
    const text = `pkg/${'é'.repeat(i % 5)}m${i}.py`;
    const bytes = Buffer.from(text, 'utf8');
    // Every third a text, every third a Uint8Array's part, the rest a Buffer whole.
    const start = i % 3 === 0 ? table.appendText(text, bytes.length)
      : i % 3 === 1 ? table.append(new Uint8Array([0xff, ...bytes, 0xff]), 1, bytes.length + 1)
        : table.append(bytes);
    pieces.push([start, bytes]);
  }
  let expectedStart = 0;
  for (const [start, bytes] of pieces) {
    assert.equal(start, expectedStart);
    assert.ok(table.view(start, bytes.length).equals(bytes));
    expectedStart += bytes.length;
  }
  assert.equal(table.length, expectedStart);
  assert.ok(table.bytes.length >= table.length);
});
