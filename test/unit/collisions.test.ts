// Names that are one file on macOS and Windows (equal after Unicode NFC and lower-casing) are found
// in groups, whatever else the archive holds; names that only share a hash are not a group; many
// groups, or a big one, are listed in part and counted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_COLLISION_GROUPS, collidingNames, collisionNotes } from '../../src/normalize/content.js';
import type { ContentRecord } from '../../src/normalize/content.js';

function records(names: readonly string[]): ContentRecord[] {
  return names.map((name) => ({ name, type: 'file', executable: false, sha256: '', linkTarget: '' }));
}

test('groups of names equal after case folding or NFC, each in normal order, among many that are not', async () => {
  const others = Array.from({ length: 5000 }, (_, i) => `pkg/m${i}.py`);
  const names = [...others, 'pkg/README', 'pkg/readme', 'pkg/ReadMe', 'caf\u00e9.txt', 'cafe\u0301.txt', 'pkg/Setup.py', 'pkg/setup.py'];
  assert.deepEqual(await collidingNames(records(names)), {
    groups: [
      { names: ['cafe\u0301.txt', 'caf\u00e9.txt'], count: 2 },
      { names: ['pkg/README', 'pkg/ReadMe', 'pkg/readme'], count: 3 },
      { names: ['pkg/Setup.py', 'pkg/setup.py'], count: 2 },
    ],
    unlisted: 0,
  });
  assert.deepEqual(await collidingNames(records(others)), { groups: [], unlisted: 0 });
});

test('two names whose folded forms share a 32-bit FNV-1a hash are not a group', async () => {
  // Found by search: FNV-1a of these two strings is the same.
  assert.deepEqual(await collidingNames(records(['pkg/m9vl8.py', 'pkg/mapd6.py'])), { groups: [], unlisted: 0 });
  assert.deepEqual(await collidingNames(records(['pkg/m9vl8.py', 'pkg/mapd6.py', 'pkg/M9VL8.py'])), {
    groups: [{ names: ['pkg/M9VL8.py', 'pkg/m9vl8.py'], count: 2 }],
    unlisted: 0,
  });
});

test('70,000 pairs, sorted through runs on disk: the first groups by name are listed, the rest counted; a group of 64 names shows 10', async () => {
  // Listed in reverse, so that the groups listed are not simply the first found.
  const pairs = Array.from({ length: 70_000 }, (_, i) => 69_999 - i).flatMap((i) => [`p/A${String(i).padStart(5, '0')}`, `p/a${String(i).padStart(5, '0')}`]);
  const big = Array.from({ length: 64 }, (_, i) => `q/${[...'xyzuvw'].map((c, bit) => ((i >> bit) & 1 ? c.toUpperCase() : c)).join('')}`);
  const { groups, unlisted } = await collidingNames(records([...pairs, ...big]));
  assert.equal(groups.length, MAX_COLLISION_GROUPS);
  assert.equal(unlisted, 70_000 + 1 - MAX_COLLISION_GROUPS);
  assert.deepEqual(groups.slice(0, 2), [{ names: ['p/A00000', 'p/a00000'], count: 2 }, { names: ['p/A00001', 'p/a00001'], count: 2 }]);
  assert.deepEqual(groups.at(-1), { names: [`p/A000${MAX_COLLISION_GROUPS - 1}`, `p/a000${MAX_COLLISION_GROUPS - 1}`], count: 2 });
  const notes = await collisionNotes(records(big));
  assert.equal(notes.length, 1);
  assert.match(notes[0]!, /^"q\/XYZUVW" and "q\/XYZUVw" and .* and 54 more are one name on macOS and Windows .*pip installs all on Linux/);
  const many = await collisionNotes(records(pairs));
  assert.equal(many.length, MAX_COLLISION_GROUPS + 1);
  assert.equal(many.at(-1), `${70_000 - MAX_COLLISION_GROUPS} more groups of names that are one name on macOS and Windows, not listed`);
});
