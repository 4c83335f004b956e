// What the command line's bundle gives yargs for `assert` (see scripts/bundle.mjs): the two functions
// yargs's platform layer takes from it, which check yargs's own invariants. node:assert's module and
// the ones it loads cost 4-8 ms of every start under bin/reprodist's V8 flags, for two compares.

/** Throws unless `actual` and `expected` are the same value (Object.is, as assert.strictEqual). */
export function strictEqual(actual, expected, message) {
  if (!Object.is(actual, expected)) throw new Error(message ?? `expected ${String(expected)}, got ${String(actual)}`);
}

/** Throws when `actual` and `expected` are the same value (Object.is, as assert.notStrictEqual). */
export function notStrictEqual(actual, expected, message) {
  if (Object.is(actual, expected)) throw new Error(message ?? `expected a value other than ${String(expected)}`);
}
