// A --json document written in pieces must be the very text JSON.stringify(document, null, 2) gives,
// with DEL, C1 controls and the line separators escaped, and a line end: the pieces are checked
// against JSON.stringify itself, on documents with every shape the printer can meet.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jsonPieces } from '../../src/commands/json-text.js';

/** The text of the whole document as printOutcome wrote it before it wrote in pieces. */
function wholeText(document: unknown): string {
  return `${JSON.stringify(document, null, 2).replace(/[\x7f-\x9f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)}\n`;
}

function pieces(document: unknown): string[] {
  return [...jsonPieces(document)];
}

const documents: [string, unknown][] = [
  ['empty containers', { a: {}, b: [], c: [[], {}], d: [{}] }],
  ['nested values of every type', { s: 'x', n: 1.5, z: -0, big: 1e21, nan: NaN, inf: -Infinity, t: true, f: false, nil: null, deep: { a: [1, [2, [3, { b: 'c' }]]] } }],
  ['what JSON.stringify leaves out or writes as null', { u: undefined, fn: () => 1, sym: Symbol('s'), list: [undefined, () => 1, Symbol('s'), 1], sparse: [1, , 3] }],
  ['toJSON, nested and at the top', { when: new Date(0), custom: { toJSON: () => ({ a: [1, { b: 2 }] }) }, list: [{ toJSON: () => 'x' }] }],
  ['characters escaped by either', { 'key\u2028"\\\n': 'DEL \x7f C1 \x85 \x9f LS \u2028 PS \u2029 C0 \x01 \t tab, quote " backslash \\ emoji 😀 lone \ud800', ['\x7f']: ['\u2029'] }],
  ['a document of commands, results and problems', { command: 'compare', results: [{ a: 'x.whl', b: 'y.whl', metadata: [{ field: 'zip mtime', count: 2, examples: ['p (1)', 'q (2)'], all: ['p (1)', 'q (2)'] }] }], problems: [], exitCode: 1 }],
];

for (const [what, document] of documents) {
  test(`JSON text in pieces: ${what}`, () => {
    assert.equal(pieces(document).join(''), wholeText(document));
  });
}

test('JSON text in pieces: a top-level toJSON and a top-level array', () => {
  for (const document of [{ toJSON: () => ({ a: [1] }) }, [1, { b: [] }, 'c'], 'text', 5, null]) assert.equal(pieces(document).join(''), wholeText(document));
});

test('a document of 200,000 examples is written in pieces of about 64 Ki characters, none of them the whole', () => {
  const all = Array.from({ length: 200_000 }, (_, i) => `pkg/d${i % 500}/f${i}.txt (2023-01-01 00:00:0${i % 10}) \u2028`);
  const document = { command: 'compare', results: [{ metadata: [{ field: 'zip mtime', all }] }] };
  const written = pieces(document);
  const whole = wholeText(document);
  assert.equal(written.join(''), whole);
  const longestExample = all.reduce((longest, example) => Math.max(longest, JSON.stringify(example).length + 16), 0);
  assert.ok(written.length >= whole.length / (64 * 1024 + longestExample), `${written.length} pieces for ${whole.length} characters`);
  for (const piece of written) assert.ok(piece.length < 64 * 1024 + longestExample, `a piece of ${piece.length} characters`);
});

test('a property given as an iterable is written as that array, and the property itself is not read', () => {
  const items = ['p (1)', 'q \u2028 (2)', { r: [3] }];
  const unread = (field: string) => ({
    field,
    count: 3,
    get all(): never {
      throw new Error('the property was read');
    },
  });
  const document = { results: [{ metadata: [unread('zip mtime'), unread('zip order')] }], none: unread('empty') };
  const given = new Map<object, unknown[]>([[document.results[0]!.metadata[0]!, items], [document.results[0]!.metadata[1]!, items.slice(0, 1)], [document.none, []]]);
  const written = [...jsonPieces(document, (owner, key) => (key === 'all' ? given.get(owner) : undefined))];
  const materialized = { results: [{ metadata: [{ field: 'zip mtime', count: 3, all: items }, { field: 'zip order', count: 3, all: items.slice(0, 1) }] }], none: { field: 'empty', count: 3, all: [] } };
  assert.equal(written.join(''), wholeText(materialized));
});
