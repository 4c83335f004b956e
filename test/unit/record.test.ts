// The RECORD check reads the RECORD as it is inflated, in whatever pieces the inflater gives: a record
// cut between two pieces (inside a quoted field, between a doubled quote, between CR and LF, inside a
// UTF-8 sequence) must be read as it is read whole.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { MemberTable } from '../../src/normalize/member-table.js';
import { recordProblems } from '../../src/normalize/record.js';

/** A field as Python's csv module writes it (QUOTE_MINIMAL): quoted when it holds a comma, quote or line break. */
function csvField(field: string): string {
  return /[",\r\n]/.test(field) ? `"${field.replaceAll('"', '""')}"` : field;
}

const files: [name: string, content: string][] = [
  ['demo/__init__.py', 'x = 1\n'],
  ['demo/a,b.py', 'comma\n'],
  ['demo/say "hi".txt', 'quotes\n'],
  ['demo/two\nlines.txt', 'newline\n'],
  ['demo/crlf\r\n.txt', 'carriage return\n'],
  ['demo/é中\u{1f600}.txt', 'utf-8\n'],
  ['demo/unlisted.py', 'not in RECORD\n'],
  ['demo/wrong-size.py', 'size\n'],
];

function table(): MemberTable {
  const members = new MemberTable();
  for (const [name, content] of files) {
    const row = members.add({ name, kind: 'file', mode: 0o644, mtime: 0, size: Buffer.byteLength(content), dataOffset: 0 });
    members.setSha256(row, createHash('sha256').update(content).digest());
  }
  return members;
}

function record(lineEnd: string): Buffer {
  const lines = files
    .filter(([name]) => name !== 'demo/unlisted.py')
    .map(([name, content]) => {
      const hash = `sha256=${createHash('sha256').update(content).digest('base64url')}`;
      const size = name === 'demo/wrong-size.py' ? '999' : String(Buffer.byteLength(content));
      return [name, hash, size].map(csvField).join(',');
    });
  lines.push(['demo/"gone",\n.py', 'sha256=AAAA', '1'].map(csvField).join(','));
  lines.push('demo-1.0.dist-info/RECORD,,');
  return Buffer.from(lines.join(lineEnd) + lineEnd, 'utf8');
}

async function* pieces(bytes: Buffer, size: number): AsyncGenerator<Uint8Array> {
  for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, at + size);
}

test('the RECORD check gives the same problems whatever pieces the RECORD comes in', async () => {
  for (const lineEnd of ['\n', '\r\n']) {
    const bytes = record(lineEnd);
    const whole = await recordProblems(pieces(bytes, bytes.length), table());
    assert.deepEqual(whole, [
      'RECORD: demo/wrong-size.py has size 999, the file has 5',
      'RECORD lists demo/"gone",\n.py, which is not in the wheel',
      'RECORD does not list demo/unlisted.py',
    ]);
    for (const size of [1, 2, 3, 5, 7, 16, 64]) {
      assert.deepEqual(await recordProblems(pieces(bytes, size), table()), whole, `pieces of ${size} bytes, lines ending ${JSON.stringify(lineEnd)}`);
    }
  }
});

test('a RECORD that ends without a line end, or inside an open quote, is read as it is read whole', async () => {
  for (const text of ['demo/__init__.py,sha256=AAAA,6', 'demo/__init__.py,sha256=AAAA,6\n"demo/open,quote']) {
    const bytes = Buffer.from(text);
    const whole = await recordProblems(pieces(bytes, bytes.length), table());
    assert.ok(whole.includes('RECORD: demo/__init__.py has the wrong sha256'), whole.join('\n'));
    for (const size of [1, 2, 3, 5]) assert.deepEqual(await recordProblems(pieces(bytes, size), table()), whole);
  }
});
