// Two archives' members paired through sorted runs (src/normalize/paired-runs.ts): whatever the batch
// size, the pairs, each side's order and the order differences are those a map of every name gives,
// and the scratch files are gone after dispose.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { PairedRuns } from '../../src/normalize/paired-runs.js';
import type { PairingLimits } from '../../src/normalize/paired-runs.js';
import { tmpDir } from '../helpers/tools.js';

/** A seeded generator, so that a failure can be run again. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

function shuffled<T>(items: T[], next: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** Names that sort differently as bytes and as UTF-16; B holds most of A's, some of its own, in another order. */
function sides(count: number, seed: number): { a: string[]; b: string[] } {
  const next = random(seed);
  const parts = ['a', 'a-b', 'a.b', 'a/b', '\u00e9', '\uffff', '\u{1f600}', 'A'];
  const names = Array.from({ length: count }, (_, i) => `${parts[i % parts.length]}/${parts[(i * 5) % parts.length]}${i}`);
  const a = shuffled(names.filter((_, i) => i % 7 !== 3), next);
  // B keeps A's order for long stretches, as a rebuild does, with a few members moved.
  const b = names.filter((_, i) => i % 11 !== 4).sort((x, y) => a.indexOf(x) - a.indexOf(y));
  for (let i = 0; i < count / 20; i++) b.splice(Math.floor(next() * b.length), 0, ...b.splice(Math.floor(next() * b.length), 1));
  return { a, b };
}

/** What the pairing must give, from a map of every name: the straightforward way, for small sides. */
function expected(a: string[], b: string[]) {
  const inB = new Map(b.map((name, index) => [name, index]));
  const inA = new Map(a.map((name, index) => [name, index]));
  const commonA = a.filter((name) => inB.has(name));
  const commonB = b.filter((name) => inA.has(name));
  const order: [number, string, string][] = [];
  commonA.forEach((name, i) => {
    if (name !== commonB[i]) order.push([i + 1, name, commonB[i]!]);
  });
  return {
    inOrderOfA: a.map((name, index) => [name, index, inB.get(name) ?? -1, `A:${name}`, inB.has(name) ? `B:${name}` : '']),
    inOrderOfB: b.map((name, index) => [name, inA.get(name) ?? -1, index, '', `B:${name}`]),
    common: commonA.length,
    order,
  };
}

async function paired(dir: string, a: string[], b: string[], limits?: PairingLimits) {
  const runs = new PairedRuns(dir, { toA: (name) => name }, limits);
  try {
    // Interleaved, as two walks run at once.
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
      if (i < a.length) runs.addA(a[i]!, Buffer.from(`A:${a[i]}`));
      if (i < b.length) runs.addB(b[i]!, Buffer.from(`B:${b[i]}`));
    }
    await runs.pair();
    const rows = (pairs: Iterable<{ key: Buffer; indexA: number; indexB: number; headerA: Buffer; headerB: Buffer }>) =>
      [...pairs].map((p) => [p.key.toString(), p.indexA, p.indexB, p.headerA.toString(), p.headerB.toString()]);
    return {
      inOrderOfA: rows(runs.inOrderOfA()),
      inOrderOfB: rows(runs.inOrderOfB()),
      common: runs.commonCount(),
      order: [...runs.orderDifferences()],
      // Read twice: the runs stay readable until disposed.
      again: rows(runs.inOrderOfA()).length,
    };
  } finally {
    await runs.dispose();
  }
}

test('members pair by name as a map of every name pairs them, in one batch or in runs of any size', async (t) => {
  const dir = tmpDir(t);
  for (const seed of [1, 2, 3]) {
    const { a, b } = sides(300, seed);
    const want = expected(a, b);
    assert.ok(want.order.length > 0 && want.common < a.length && want.common < b.length, 'the sides have moves, and members of their own');
    for (const limits of [undefined, { rowsPerRun: 1, batchBytes: 1 << 20 }, { rowsPerRun: 7, batchBytes: 1 << 20 }, { rowsPerRun: 1000, batchBytes: 200 }]) {
      const got = await paired(dir, a, b, limits);
      const label = `seed ${seed}, ${JSON.stringify(limits)}`;
      assert.deepEqual(got.inOrderOfA, want.inOrderOfA, label);
      assert.deepEqual(got.inOrderOfB, want.inOrderOfB, label);
      assert.equal(got.common, want.common, label);
      assert.deepEqual(got.order, want.order, label);
      assert.equal(got.again, a.length, label);
    }
  }
  assert.deepEqual(readdirSync(dir), [], 'no scratch file is left');
});

test('two sides in the same order have no order difference; sides with nothing in common pair nothing', async (t) => {
  const dir = tmpDir(t);
  const names = Array.from({ length: 50 }, (_, i) => `pkg/m${i}`);
  const same = await paired(dir, names, names, { rowsPerRun: 4, batchBytes: 1 << 20 });
  assert.equal(same.common, 50);
  assert.deepEqual(same.order, []);
  const apart = await paired(dir, names, names.map((name) => `other/${name}`), { rowsPerRun: 4, batchBytes: 1 << 20 });
  assert.equal(apart.common, 0);
  assert.deepEqual(apart.order, []);
  assert.ok(apart.inOrderOfA.every(([, , indexB]) => indexB === -1));
  const empty = await paired(dir, [], names);
  assert.deepEqual(empty.inOrderOfA, []);
  assert.equal(empty.inOrderOfB.length, 50);
});
