// A content view held in a scratch file (compare holds one side's that way while it reads the
// other, when it is big): the same records, in the same order, readable again, and the file gone
// once released; a small view stays where it is.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { compareNames, spilledContentView } from '../../src/normalize/content.js';
import type { ContentRecord, ContentView } from '../../src/normalize/content.js';
import { tmpDir } from '../helpers/tools.js';

const hash = (byte: string) => byte.repeat(32);

function view(records: ContentRecord[]): ContentView {
  const sorted = [...records].sort((x, y) => compareNames(x.name, y.name));
  return { [Symbol.iterator]: () => sorted[Symbol.iterator]() };
}

test('a spilled view gives back every field of every record, in order, each time it is read; released, its file is gone', async (t) => {
  const dir = tmpDir(t);
  const records: ContentRecord[] = [
    { name: 'pkg', type: 'directory', executable: false, sha256: '', linkTarget: '' },
    { name: 'pkg/__init__.py', type: 'file', executable: false, sha256: hash('0f'), linkTarget: '' },
    { name: 'pkg/run.sh', type: 'file', executable: true, sha256: hash('a5'), linkTarget: '' },
    { name: 'pkg/empty', type: 'file', executable: false, sha256: hash('00'), linkTarget: '' },
    { name: 'pkg/link', type: 'symlink', executable: false, sha256: '', linkTarget: '../caf\u00e9/\u{1f40d}.py' },
    // A name of 1,004 bytes (é is two, € three): its length must not be cut to a byte.
    { name: `pkg/${'\u00e9\u20ac'.repeat(200)}`, type: 'file', executable: false, sha256: hash('ff'), linkTarget: '' },
    { name: 'pkg/\u{1f40d}', type: 'symlink', executable: false, sha256: '', linkTarget: 'x'.repeat(4000) },
  ];
  const original = view(records);
  const spilled = await spilledContentView(original, dir, records.length - 1);
  assert.notEqual(spilled, original);
  assert.equal(readdirSync(dir).length, 1);
  assert.deepEqual([...spilled], [...original]);
  assert.deepEqual([...spilled], [...original], 'read again');
  await spilled.release!();
  assert.deepEqual(readdirSync(dir), []);
});

test('a view in scratch files already, or of no more records than are held, is given back as it is; a record whose sha256 is not 64 lower-case hex digits is an error, and leaves no file', async (t) => {
  const dir = tmpDir(t);
  const onDisk: ContentView = { release: async () => undefined, [Symbol.iterator]: () => [{ name: 'a', type: 'directory' as const, executable: false, sha256: '', linkTarget: '' }][Symbol.iterator]() };
  assert.equal(await spilledContentView(onDisk, dir, 0), onDisk);
  const small = view([{ name: 'pkg/x.py', type: 'file', executable: false, sha256: hash('0f'), linkTarget: '' }, { name: 'pkg/y.py', type: 'file', executable: false, sha256: hash('1f'), linkTarget: '' }]);
  assert.equal(await spilledContentView(small, dir, 2), small);
  assert.equal(await spilledContentView(small), small, 'two records are under the default');
  assert.deepEqual(readdirSync(dir), []);
  for (const sha256 of ['abc', hash('0F'), hash('0f') + '0f']) {
    const bad = view([{ name: 'pkg/x.py', type: 'file', executable: false, sha256, linkTarget: '' }]);
    await assert.rejects(spilledContentView(bad, dir, 0), /content record of "pkg\/x.py": sha256 is not 64 lower-case hex digits/);
  }
  assert.deepEqual(readdirSync(dir), []);
});
