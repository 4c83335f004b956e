// The compact member index: lookups through its hash slots as it grows, the byte order its sort
// uses (which decides the normal form's member order) against the content view's string order, and
// the stored-name order that puts a directory's members right after it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareNames } from '../../src/normalize/content.js';
import { MemberTable } from '../../src/normalize/member-table.js';

/** A deterministic stream of numbers in [0, 1): the cases are the same on every run. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/** Names mixing ASCII, `/`, `.`, Latin-1, CJK and astral characters (surrogate pairs in UTF-16). */
function randomName(random: () => number): string {
  const pieces = ['a', 'b', 'Z', '/', '.', '-', 'é', 'ÿ', '中', '\uffff', '\u{1f600}', '\u{10000}', '\ue000'];
  let name = 'p';
  const length = 1 + Math.floor(random() * 8);
  for (let i = 0; i < length; i++) name += pieces[Math.floor(random() * pieces.length)];
  return name;
}

test('the member table finds every name it holds, and no other, across its growth', () => {
  const table = new MemberTable();
  // Past several doublings of the columns, the name bytes (these names take 1.6 MB) and the hash slots.
  const count = 40_000;
  const nameOf = (i: number) => `pkg/${'sub/'.repeat(8)}m${i}.py`;
  for (let i = 0; i < count; i++) {
    const row = table.add({ name: nameOf(i), kind: 'file', mode: i % 2 ? 0o755 : 0o644, mtime: i, size: i * 3, dataOffset: i * 7 });
    table.setSha256(row, Buffer.alloc(32, i & 0xff));
    assert.equal(row, i);
  }
  assert.equal(table.count, count);
  for (let i = 0; i < count; i++) {
    const row = table.find(nameOf(i));
    assert.equal(row, i);
    assert.equal(table.name(row), nameOf(i));
    assert.equal(table.sha256(row), (i & 0xff).toString(16).padStart(2, '0').repeat(32));
    assert.equal(table.size(row), i * 3);
    assert.equal(table.dataOffset(row), i * 7);
    assert.equal(table.mtime(row), i);
  }
  // The byte order of names far apart in the name bytes.
  const byBytes = Array.from({ length: count }, (_, i) => i).sort((a, b) => Buffer.compare(Buffer.from(nameOf(a)), Buffer.from(nameOf(b))));
  assert.deepEqual([...table.contentOrder()], byBytes);
  assert.equal(table.find(nameOf(count)), -1);
  assert.equal(table.find(nameOf(1).slice(0, -1)), -1);
  assert.equal(table.find(''), -1);
});

test('the member table keeps digests, link targets and hard links per row', () => {
  const table = new MemberTable();
  const file = table.add({ name: 'p/a', kind: 'file', mode: 0o755, mtime: 0, size: 3, dataOffset: 0 });
  table.setSha256(file, Buffer.alloc(32, 0xab));
  const link = table.add({ name: 'p/b', kind: 'link', mode: 0o755, mtime: 0, size: 0, dataOffset: 0, linkRow: file });
  table.copySha256(link, file);
  table.add({ name: 'p/c', kind: 'symlink', mode: 0o777, mtime: 0, size: 0, dataOffset: 0, linkTarget: 'a' });
  table.add({ name: 'p/d/e', kind: 'file', mode: 0o644, mtime: 0, size: 0, dataOffset: 0 });
  table.addParentDirectories();
  assert.deepEqual([...table.contentView()], [
    { name: 'p', type: 'directory', executable: false, sha256: '', linkTarget: '' },
    { name: 'p/a', type: 'file', executable: true, sha256: 'ab'.repeat(32), linkTarget: '' },
    { name: 'p/b', type: 'file', executable: true, sha256: 'ab'.repeat(32), linkTarget: '' },
    { name: 'p/c', type: 'symlink', executable: false, sha256: '', linkTarget: 'a' },
    { name: 'p/d', type: 'directory', executable: false, sha256: '', linkTarget: '' },
    { name: 'p/d/e', type: 'file', executable: false, sha256: '00'.repeat(32), linkTarget: '' },
  ]);
  assert.equal(table.linkRow(link), file);
  assert.deepEqual([...table.symlinks()], [['p/c', 'a']]);
  assert.ok(table.isImplied(table.find('p')) && table.isImplied(table.find('p/d')) && !table.isImplied(file));
});

test('the member table sorts names by their UTF-8 bytes, as the content view does', () => {
  const random = seeded(22);
  const table = new MemberTable();
  const names = new Set<string>();
  while (names.size < 3000) names.add(randomName(random));
  for (const name of names) table.add({ name, kind: 'file', mode: 0o644, mtime: 0, size: 0, dataOffset: 0 });
  const byTable = [...table.contentOrder()].map((row) => table.name(row));
  const byBytes = [...names].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  assert.deepEqual(byTable, byBytes);
  assert.deepEqual(byTable, [...names].sort(compareNames));
});

test('stored-name order puts a directory right before its members', () => {
  const table = new MemberTable();
  for (const name of ['p/a/x', 'p/a.b', 'p/a', 'p/a-c', 'p/a/0']) {
    table.add({ name, kind: name === 'p/a' ? 'directory' : 'file', mode: 0o644, mtime: 0, size: 0, dataOffset: 0 });
  }
  const order = [...table.storedOrder()].map((row) => table.name(row));
  // As stored, `p/a` is `p/a/`: after `p/a-c` and `p/a.b` ('-' and '.' sort before '/'), before its members.
  assert.deepEqual(order, ['p/a-c', 'p/a.b', 'p/a', 'p/a/0', 'p/a/x']);
});

test('a column most rows leave at 0 is made at the first row that needs it, and grows with the rest', () => {
  const table = new MemberTable();
  const add = (i: number, fields: Partial<Parameters<MemberTable['add']>[0]> = {}) =>
    table.add({ name: `m${i}`, kind: 'file', mode: 0o644, mtime: 0, size: i, dataOffset: 0, ...fields });
  // Past two doublings before the first link, mtime and data offset, and two more after them.
  for (let i = 0; i < 3000; i++) add(i);
  const link = add(3000, { kind: 'link', linkRow: 7 });
  const symlink = add(3001, { kind: 'symlink', linkTarget: 'm7' });
  const dated = add(3002, { mtime: 1_700_000_000, dataOffset: 512 });
  const root = add(3003, { kind: 'link', linkRow: 0 });
  // A digest first set on a row added after three doublings, a link's target set once its data is read (a wheel's).
  table.setSha256(dated, Buffer.alloc(32, 0x5a));
  const readLater = add(3004, { kind: 'symlink' });
  table.setLinkTarget(readLater, 'm9');
  for (let i = 3005; i < 9000; i++) add(i);
  const late = add(9000, { kind: 'link', linkRow: 3 });
  table.copySha256(late, dated);
  for (let i = 9001; i < 10_000; i++) add(i);
  const linkTo = new Map([[link, 7], [root, 0], [late, 3]]);
  const targets = new Map([[symlink, 'm7'], [readLater, 'm9']]);
  for (let row = 0; row < table.count; row++) {
    assert.equal(table.linkRow(row), linkTo.get(row) ?? -1, `linkRow of ${row}`);
    assert.equal(table.linkTarget(row), targets.get(row) ?? '', `linkTarget of ${row}`);
    assert.equal(table.sha256(row), (row === dated || row === late ? '5a' : '00').repeat(32), `sha256 of ${row}`);
    assert.equal(table.mtime(row), row === dated ? 1_700_000_000 : 0, `mtime of ${row}`);
    assert.equal(table.dataOffset(row), row === dated ? 512 : 0, `dataOffset of ${row}`);
    assert.equal(table.size(row), row, `size of ${row}`);
    assert.equal(table.name(row), `m${row}`);
  }
  // A table no row of which needs them reads 0, -1 and '' without the columns.
  const plain = new MemberTable();
  plain.add({ name: 'only', kind: 'file', mode: 0o644, mtime: 0, size: 1, dataOffset: 0 });
  assert.deepEqual([plain.linkRow(0), plain.linkTarget(0), plain.mtime(0), plain.dataOffset(0), plain.sha256(0)], [-1, '', 0, 0, '00'.repeat(32)]);
});
