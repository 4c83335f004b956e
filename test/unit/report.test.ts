// The change log keeps every example of a field (`--json` and `--verbose` show them all) in deflated
// chunks: what it gives back must be each example as added, in order, however many there are.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { ChangeLog, MAX_EXAMPLES, everyExample } from '../../src/normalize/report.js';

/** Examples of varied lengths and scripts: ASCII paths, accented letters, a character outside the BMP, an empty one. */
function example(i: number): string {
  const kinds = [`pkg/d${i % 7}/m${i}.py (2023-01-0${1 + (i % 9)} 00:00:00)`, `café/ü${i}`, `emoji 😀 ${i}`, ''];
  return kinds[i % kinds.length]!;
}

for (const count of [1, MAX_EXAMPLES, 511, 512, 513, 1536, 2049]) {
  test(`${count} examples of a field come back whole and in order`, () => {
    const log = new ChangeLog();
    const added = Array.from({ length: count }, (_, i) => example(i));
    for (const text of added) log.add('tar mtime', text);
    log.add('gzip MTIME', 'one');
    const [field, other] = log.list();
    assert.equal(field!.field, 'tar mtime');
    assert.equal(field!.count, count);
    assert.deepEqual(field!.examples, added.slice(0, MAX_EXAMPLES));
    assert.deepEqual(field!.all, added);
    assert.deepEqual(other!.all, ['one']);
    // An example at a time, as a --json document writes them, and again from the start.
    const streamed = everyExample(field!)!;
    assert.deepEqual([...streamed], added);
    assert.deepEqual([...streamed], added);
  });
}

test('everyExample knows only the changes a ChangeLog made', () => {
  assert.equal(everyExample({ field: 'tar mtime', count: 1, examples: ['a'], all: ['a'] }), undefined);
});

test("one log's changes added to another's: each field's examples after the other's own, new fields last", () => {
  const mine = new ChangeLog();
  const other = new ChangeLog();
  const own = Array.from({ length: 600 }, (_, i) => example(i));
  const added = Array.from({ length: 700 }, (_, i) => example(i + 1000));
  for (const text of own) mine.add('tar mtime', text);
  mine.add('gzip MTIME', 'one');
  for (const text of added) other.add('tar mtime', text);
  for (const text of added) other.add('tar uid', text);
  mine.addFrom(other);
  assert.deepEqual(mine.list().map(({ field, count, all }) => [field, count, all]), [
    ['tar mtime', 1300, [...own, ...added]],
    ['gzip MTIME', 1, ['one']],
    ['tar uid', 700, added],
  ]);
});

test('an example past 8,192 characters is cut there, saying how much was cut, never inside a surrogate pair', () => {
  const log = new ChangeLog();
  const name = 'pkg-1.0/x (comment=';
  const long = `${name}${'c'.repeat(1 << 20)})`;
  // A character outside the BMP across the cut: its two halves stay together, or go together.
  const straddling = `${'a'.repeat(8191)}😀${'b'.repeat(100)}`;
  const fits = 'd'.repeat(8192);
  for (const text of [long, straddling, fits]) log.add('tar pax records', text);
  const [kept, cutAtPair, whole] = log.list()[0]!.all;
  assert.equal(kept, `${long.slice(0, 8192)}… (${long.length - 8192} more characters)`);
  assert.equal(cutAtPair, `${'a'.repeat(8191)}… (102 more characters)`);
  assert.equal(whole, fits);
});

test("examples that do not deflate go to a file of their list's own past 256 KiB, and come back whole and in order", () => {
  // Random text (a pax comment of it) deflates to its own size: 2,000 such examples of 6 KB would be 12 MB held.
  const random = (i: number) => `pkg/m${i}.py (comment=${randomBytes(4500).toString('base64')})`;
  const openFiles = () => (existsSync('/proc/self/fd') ? readdirSync('/proc/self/fd').length : undefined);
  const before = openFiles();
  const log = new ChangeLog();
  const other = new ChangeLog();
  const mtimes = Array.from({ length: 2000 }, (_, i) => random(i));
  const owners = Array.from({ length: 1100 }, (_, i) => random(i + 5000));
  // 60 of them: one chunk of 256 K characters, under 256 KiB deflated, held; the rest waiting for theirs.
  const modes = Array.from({ length: 60 }, (_, i) => random(i + 9000));
  for (let i = 0; i < mtimes.length; i++) {
    log.add('tar mtime', mtimes[i]!);
    if (i < owners.length) other.add('tar owner', owners[i]!);
    if (i < modes.length) log.add('tar mode', modes[i]!);
  }
  log.addFrom(other);
  // One file for each list past 256 KiB of chunks (other's list is now this log's own).
  if (before !== undefined) assert.equal(openFiles(), before + 2);
  const [mtime, mode, owner] = log.list();
  assert.deepEqual([mtime!.count, owner!.count, mode!.count], [2000, 1100, 60]);
  assert.deepEqual(mtime!.all, mtimes);
  assert.deepEqual(mode!.all, modes);
  assert.deepEqual([...everyExample(owner!)!], owners);
  assert.deepEqual([...everyExample(owner!)!], owners);
});
