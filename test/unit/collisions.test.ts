// Names that are one file on macOS and Windows (equal after Unicode NFC and lower-casing) are found
// in groups, whatever else the archive holds; names that only share a hash are not a group.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { collidingNames } from '../../src/normalize/content.js';
import type { ContentRecord } from '../../src/normalize/content.js';

function records(names: readonly string[]): ContentRecord[] {
  return names.map((name) => ({ name, type: 'file', executable: false, sha256: '', linkTarget: '' }));
}

test('groups of names equal after case folding or NFC, each in normal order, among many that are not', () => {
  const others = Array.from({ length: 5000 }, (_, i) => `pkg/m${i}.py`);
  const names = [...others, 'pkg/README', 'pkg/readme', 'pkg/ReadMe', 'caf\u00e9.txt', 'cafe\u0301.txt', 'pkg/Setup.py', 'pkg/setup.py'];
  assert.deepEqual(collidingNames(records(names)), [
    ['pkg/README', 'pkg/ReadMe', 'pkg/readme'],
    ['cafe\u0301.txt', 'caf\u00e9.txt'],
    ['pkg/Setup.py', 'pkg/setup.py'],
  ]);
  assert.deepEqual(collidingNames(records(others)), []);
});

test('two names whose folded forms share a 32-bit FNV-1a hash are not a group', () => {
  // Found by search: FNV-1a of these two strings is the same.
  assert.deepEqual(collidingNames(records(['pkg/m9vl8.py', 'pkg/mapd6.py'])), []);
  assert.deepEqual(collidingNames(records(['pkg/m9vl8.py', 'pkg/mapd6.py', 'pkg/M9VL8.py'])), [['pkg/M9VL8.py', 'pkg/m9vl8.py']]);
});
