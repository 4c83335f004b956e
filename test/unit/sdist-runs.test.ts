// The sorted runs an sdist's index goes to past one table (src/normalize/sorted-runs.ts, holding the
// records of src/normalize/sdist/runs.ts): read merged, every record comes back once, in the order
// given, whatever the runs' number and the fan-in (runs beyond it are merged into longer runs
// first), and readable again from the start.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { RUN_RECORD_CODEC, compareContentRecords, compareRecords } from '../../src/normalize/sdist/runs.js';
import { RunFile } from '../../src/normalize/sorted-runs.js';
import type { RunRecord } from '../../src/normalize/sdist/runs.js';
import { tmpDir } from '../helpers/tools.js';

/** A record of `name`, its other fields made from `i` so that a mixed-up record shows. */
function record(name: string, i: number, kind: RunRecord['kind'] = 'file'): RunRecord {
  return {
    name, nameBytes: Buffer.from(name, 'utf8'), kind, mode: i % 0o777, mtime: i * 3, size: i * 7, dataOffset: i * 11, archiveIndex: i,
    rootIndex: i % 5 === 0 ? -1 : i - 1, sha256: Buffer.alloc(32, i % 256), linkTarget: kind === 'symlink' ? `t${i}/é` : '',
  };
}

/** Names that sort differently as bytes and as UTF-16, and directories whose slash moves them. */
function records(count: number): RunRecord[] {
  const parts = ['a', 'a-b', 'a.b', 'a/b', 'z', '\u00e9', '\uffff', '\u{1f600}', 'A'];
  return Array.from({ length: count }, (_, i) => {
    const name = `${parts[i % parts.length]}${parts[(i * 7) % parts.length]}${i % 13}`;
    return record(`${name}/${i}`, i, i % 4 === 0 ? 'directory' : i % 4 === 1 ? 'symlink' : 'file');
  });
}

test('runs read merged give every record once, in order, past the fan-in and again', async (t) => {
  const dir = tmpDir(t);
  const all = records(500);
  for (const [runSize, fanIn] of [[1, 2], [7, 3], [50, 64], [500, 2]] as const) {
    const file = new RunFile(dir, RUN_RECORD_CODEC, compareRecords, fanIn);
    for (let start = 0; start < all.length; start += runSize) file.writeRun(all.slice(start, start + runSize).sort(compareRecords));
    const expected = [...all].sort(compareRecords);
    assert.deepEqual([...file.merged()], expected, `${runSize} a run, fan-in ${fanIn}`);
    assert.ok(file.runCount <= fanIn, `${file.runCount} runs left, fan-in ${fanIn}`);
    assert.deepEqual([...file.merged()], expected, `${runSize} a run, fan-in ${fanIn}, read again`);
    await file.dispose();
  }
  assert.deepEqual(readdirSync(dir), []);
});

test('the normal order compares UTF-8 bytes, a directory as if its name ended in a slash', () => {
  const names = (list: RunRecord[]) => list.map((r) => `${r.name}${r.kind === 'directory' ? '/' : ''}`);
  const sorted = [record('a/x', 1), record('a', 2, 'directory'), record('a.b', 3), record('a-b', 4), record('\u{1f600}', 5), record('\uffff', 6)].sort(compareRecords);
  assert.deepEqual(names(sorted), ['a-b', 'a.b', 'a/', 'a/x', '\uffff', '\u{1f600}']);
  // Without the slash (the content view's order) the directory comes first.
  assert.deepEqual(names([...sorted].sort(compareContentRecords)), ['a/', 'a-b', 'a.b', 'a/x', '\uffff', '\u{1f600}']);
  assert.equal(compareRecords(record('a', 1, 'directory'), record('a', 2, 'directory')), 0);
  assert.ok(compareRecords(record('a', 1), record('a', 2, 'directory')) < 0);
});
