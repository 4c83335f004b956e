// deflateBlockWasm (stock zlib 1.2.13 in WebAssembly) must give exactly the bytes of deflateBlock
// (pako with legacyHash) for every job, and those bytes must inflate back to the input.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { constants, inflateRawSync } from 'node:zlib';
import {
  ZStream, Z_BUF_ERROR, Z_DEFAULT_STRATEGY, Z_FINISH, Z_OK, Z_STREAM_END, Z_SYNC_FLUSH,
  zlibDeflate, zlibDeflateInit2, zlibDeflateSetDictionary,
} from 'pako';
import {
  DEFLATE_BLOCK_SIZE, DEFLATE_DICTIONARY_SIZE, DeflateStream, type DeflateBlockJob,
} from '../../src/formats/deflate/index.js';
import { deflateBlock } from '../helpers/pako-deflate.js';
import {
  deflateBlockWasm, deflateBlockWasmWith, firstOutputSize, zlibWasmMemorySize, zlibWasmVersion,
} from '../../src/formats/deflate/zlib-wasm.js';

const EMPTY = new Uint8Array(0);
const LEVELS = [1, 2, 3, 4, 5, 6, 7, 8, 9];
/** The sync flush marker: an empty stored block, byte aligned. */
const MARKER = Buffer.from('0000ffff', 'hex');

/** Deterministic pseudo-random bytes (xorshift32), so failures reproduce. */
function noise(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}

/**
 * Real text: TypeScript's declaration files, which npm ci puts in node_modules at the version
 * package-lock.json pins, so every machine compresses the same bytes.
 */
function textFiles(): string[] {
  const dir = fileURLToPath(new URL('../../node_modules/typescript/lib', import.meta.url));
  return readdirSync(dir)
    .filter((name) => name.endsWith('.d.ts'))
    .sort()
    .map((name) => join(dir, name))
    .filter((path) => statSync(path).isFile() && statSync(path).size > 0);
}

const FILES = textFiles();
/** About 3.5 MiB of concatenated real text (repeated if the files are fewer). */
const CORPUS: Uint8Array = (() => {
  const parts: Buffer[] = [];
  let total = 0;
  for (let i = 0; total < 3.5 * DEFLATE_BLOCK_SIZE; i++) {
    const b = readFileSync(FILES[i % FILES.length]!);
    parts.push(b);
    total += b.length;
  }
  return new Uint8Array(Buffer.concat(parts).subarray(0, 3.5 * DEFLATE_BLOCK_SIZE));
})();

const hex = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex').slice(0, 16);

function describeJob(job: DeflateBlockJob): string {
  return `level ${job.level}, last ${job.last}, input ${job.input.length} B (${hex(job.input)}), dictionary ${job.dictionary.length} B`;
}

function inflate(compressed: Uint8Array, job: DeflateBlockJob): Buffer {
  return inflateRawSync(compressed, {
    // A non-last block has no BFINAL: stop at the end of the input instead of failing.
    ...(job.last ? {} : { finishFlush: constants.Z_SYNC_FLUSH }),
    ...(job.dictionary.length > 0 ? { dictionary: job.dictionary } : {}),
  });
}

/** Both compressors give the same bytes, which inflate to the input; returns them. */
function assertSame(job: DeflateBlockJob): Buffer {
  const want = Buffer.from(deflateBlock(job));
  const got = Buffer.from(deflateBlockWasm(job));
  if (!got.equals(want)) {
    let at = 0;
    while (at < got.length && got[at] === want[at]) at++;
    assert.fail(`wasm and pako differ (${describeJob(job)}): ${got.length} vs ${want.length} bytes, first difference at ${at}`);
  }
  assert.ok(inflate(got, job).equals(Buffer.from(job.input)), `round trip (${describeJob(job)})`);
  return got;
}

/**
 * deflateBlock()'s pako loop with another first output size, doubling the buffer until the block is
 * done; a fresh state per call. The reference for deflateBlockWasmWith().
 */
function pakoWith(job: DeflateBlockJob, firstCap: number): Uint8Array {
  const strm = new ZStream();
  assert.equal(zlibDeflateInit2(strm, job.level, 8, -15, 8, Z_DEFAULT_STRATEGY, true), Z_OK);
  if (job.dictionary.length > 0) zlibDeflateSetDictionary(strm, job.dictionary);
  strm.input = job.input;
  strm.next_in = 0;
  strm.avail_in = job.input.length;
  let output = new Uint8Array(firstCap);
  strm.output = output;
  strm.next_out = 0;
  strm.avail_out = output.length;
  const flush = job.last ? Z_FINISH : Z_SYNC_FLUSH;
  for (;;) {
    const status = zlibDeflate(strm, flush);
    assert.ok(status === Z_OK || status === Z_STREAM_END || status === Z_BUF_ERROR, `pako status ${status}`);
    if (job.last ? status === Z_STREAM_END : strm.avail_in === 0 && strm.avail_out > 0) break;
    const grown = new Uint8Array(output.length * 2);
    grown.set(output.subarray(0, strm.next_out));
    output = grown;
    strm.output = output;
    strm.avail_out = output.length - strm.next_out;
  }
  return output.subarray(0, strm.next_out);
}

describe('deflateBlockWasm', () => {
  it('is zlib 1.2.13', () => {
    assert.equal(zlibWasmVersion(), '1.2.13');
  });

  it('matches pako on tiny and edge-case inputs at every level', () => {
    const dict = CORPUS.subarray(0, DEFLATE_DICTIONARY_SIZE);
    const inputs: Uint8Array[] = [
      EMPTY,
      new Uint8Array([0x61]),
      new Uint8Array([0, 0]),
      new TextEncoder().encode('abc'),
      new Uint8Array(258),
      new Uint8Array(259).fill(7),
      noise(1000, 1),
      CORPUS.subarray(DEFLATE_DICTIONARY_SIZE, DEFLATE_DICTIONARY_SIZE + 4000),
      // Input that repeats the dictionary: matches reach back into it.
      CORPUS.subarray(0, 5000),
    ];
    for (const level of [0, -1, ...LEVELS]) {
      for (const input of inputs) {
        for (const dictionary of [EMPTY, dict, dict.subarray(dict.length - 1)]) {
          for (const last of [false, true]) assertSame({ input, dictionary, level, last });
        }
      }
    }
  });

  it('matches pako on whole real text files', () => {
    // Every 7th file, each primed with the tail of the previous one, like consecutive blocks.
    let previous: Uint8Array = EMPTY;
    let n = 0;
    for (let i = 0; i < FILES.length && n < 40; i += 7, n++) {
      const input = new Uint8Array(readFileSync(FILES[i]!).subarray(0, DEFLATE_BLOCK_SIZE));
      const dictionary = previous.subarray(Math.max(0, previous.length - DEFLATE_DICTIONARY_SIZE));
      for (const level of [1, 4, 6, 9]) assertSame({ input, dictionary, level, last: n % 2 === 1 });
      previous = input;
    }
    assert.ok(n >= 10, `only ${n} text files found`);
  });

  it('matches pako on 1 MiB blocks of real text, every level, with and without a dictionary', () => {
    const at = DEFLATE_BLOCK_SIZE;
    const input = CORPUS.subarray(at, at + DEFLATE_BLOCK_SIZE);
    const dict = CORPUS.subarray(at - DEFLATE_DICTIONARY_SIZE, at);
    for (const level of LEVELS) {
      for (const dictionary of [EMPTY, dict]) {
        for (const last of [false, true]) assertSame({ input, dictionary, level, last });
      }
    }
  });

  it('matches pako on 1 MiB of random bytes (stored blocks)', () => {
    const input = noise(DEFLATE_BLOCK_SIZE, 42);
    const dictionary = noise(DEFLATE_DICTIONARY_SIZE, 43);
    for (const level of [0, 1, 6, 9]) {
      for (const last of [false, true]) {
        const out = assertSame({ input, dictionary, level, last });
        assert.ok(out.length <= firstOutputSize(input.length));
      }
    }
  });

  it('matches pako on highly repetitive input and mixed text and noise', () => {
    const zeros = new Uint8Array(DEFLATE_BLOCK_SIZE);
    const pattern = new Uint8Array(300_000).map((_, i) => 'reproducible '.charCodeAt(i % 13));
    const mixed = new Uint8Array(400_000);
    for (let i = 0; i < mixed.length; i += 20_000) {
      mixed.set(i % 40_000 === 0 ? CORPUS.subarray(i, i + 20_000) : noise(20_000, i), i);
    }
    for (const input of [zeros, pattern, mixed]) {
      for (const level of [1, 3, 4, 6, 9]) {
        assertSame({ input, dictionary: input.subarray(0, DEFLATE_DICTIONARY_SIZE), level, last: false });
        assertSame({ input, dictionary: EMPTY, level, last: true });
      }
    }
  });

  it('takes the dictionary from its last 32 KiB when it is longer, as zlib does', () => {
    const input = CORPUS.subarray(200_000, 300_000);
    for (const length of [1, 100, 32_767, 32_768, 32_769, 100_000]) {
      assertSame({ input, dictionary: CORPUS.subarray(200_000 - length, 200_000), level: 6, last: true });
    }
  });

  it('replays deflateBlock’s output sizing, down to zlib’s repeated flush marker', () => {
    const input = CORPUS.subarray(0, 120_000);
    const dictionary = CORPUS.subarray(400_000, 400_000 + DEFLATE_DICTIONARY_SIZE);
    const job: DeflateBlockJob = { input, dictionary, level: 6, last: false };
    const normal = Buffer.from(deflateBlockWasm(job));
    assert.ok(normal.subarray(-4).equals(MARKER));
    // Output space that ends exactly at the marker: zlib is called again and writes a second marker.
    const tight = Buffer.from(deflateBlockWasmWith(job, normal.length));
    assert.ok(tight.equals(Buffer.concat([normal, Buffer.from([0]), MARKER])), 'second flush marker');
    assert.ok(tight.equals(Buffer.from(pakoWith(job, normal.length))));
    for (const firstCap of [1, 64, 1000, normal.length - 3, normal.length + 1, normal.length + 6]) {
      for (const level of [0, 1, 6, 9]) {
        for (const last of [false, true]) {
          const j = { input, dictionary, level, last };
          const got = Buffer.from(deflateBlockWasmWith(j, firstCap));
          assert.ok(got.equals(Buffer.from(pakoWith(j, firstCap))), `first output size ${firstCap}, ${describeJob(j)}`);
          assert.ok(inflate(got, j).equals(Buffer.from(input)));
        }
      }
    }
  });

  it('gives the same stream as pako through DeflateStream', async () => {
    for (const level of [6, 9]) {
      const outputs: Buffer[] = [];
      for (const compress of [deflateBlock, deflateBlockWasm]) {
        const chunks: Uint8Array[] = [];
        const stream = new DeflateStream(level, async (c) => void chunks.push(c), async (job) => compress(job));
        for (let at = 0; at < CORPUS.length; at += 100_000) await stream.write(CORPUS.subarray(at, at + 100_000));
        await stream.end();
        outputs.push(Buffer.concat(chunks));
      }
      assert.ok(outputs[1]!.equals(outputs[0]!), `level ${level}`);
      assert.ok(inflateRawSync(outputs[1]!).equals(Buffer.from(CORPUS)));
    }
  });

  it('is a pure function of the job, whatever ran before', () => {
    const job: DeflateBlockJob = { input: CORPUS.subarray(5000, 90_000), dictionary: CORPUS.subarray(0, 5000), level: 9, last: false };
    const first = Buffer.from(deflateBlockWasm(job));
    deflateBlockWasm({ input: noise(200_000, 9), dictionary: EMPTY, level: 1, last: true });
    deflateBlockWasm({ input: CORPUS.subarray(0, DEFLATE_BLOCK_SIZE), dictionary: EMPTY, level: 4, last: false });
    assert.ok(Buffer.from(deflateBlockWasm(job)).equals(first));
  });

  it('keeps its memory bounded over many calls', () => {
    deflateBlockWasm({ input: CORPUS.subarray(0, DEFLATE_BLOCK_SIZE), dictionary: EMPTY, level: 1, last: false });
    const steady = zlibWasmMemorySize();
    assert.ok(steady > 0 && steady <= 4 * 1024 * 1024, `memory for 1 MiB blocks: ${steady}`);
    for (let i = 0; i < 3000; i++) {
      const at = (i * 7919) % (CORPUS.length - 2000);
      const input = CORPUS.subarray(at, at + (i % 2000));
      const out = deflateBlockWasm({ input, dictionary: CORPUS.subarray(Math.max(0, at - 100), at), level: 1 + (i % 9), last: i % 3 === 0 });
      assert.ok(out.length > 0);
    }
    assert.equal(zlibWasmMemorySize(), steady);
    // A block far larger than the normal form's grows memory past the cap; the instance is dropped.
    const huge = new Uint8Array(40 * 1024 * 1024);
    const out = deflateBlockWasm({ input: huge, dictionary: EMPTY, level: 1, last: true });
    assert.equal(inflateRawSync(out).length, huge.length);
    assert.equal(zlibWasmMemorySize(), 0);
    deflateBlockWasm({ input: CORPUS.subarray(0, 1000), dictionary: EMPTY, level: 6, last: true });
    assert.ok(zlibWasmMemorySize() <= steady);
  });

  it('rejects levels zlib rejects', () => {
    for (const level of [10, -2, 1.5, Number.NaN]) {
      const job = { input: CORPUS.subarray(0, 10), dictionary: EMPTY, level, last: true };
      assert.throws(() => deflateBlockWasm(job), RangeError);
    }
    for (const level of [10, -2]) {
      assert.throws(() => deflateBlock({ input: CORPUS.subarray(0, 10), dictionary: EMPTY, level, last: true }));
    }
  });
});

describe('the committed zlib.wasm', () => {
  it('is the binary native/zlib-wasm/build.sh builds (its EXPECTED_WASM_SHA256)', () => {
    const root = fileURLToPath(new URL('../../', import.meta.url));
    const script = readFileSync(join(root, 'native', 'zlib-wasm', 'build.sh'), 'utf8');
    const expected = /^EXPECTED_WASM_SHA256=([0-9a-f]{64})$/m.exec(script)?.[1];
    assert.ok(expected, 'build.sh states EXPECTED_WASM_SHA256');
    const committed = readFileSync(join(root, 'src', 'formats', 'deflate', 'zlib.wasm'));
    assert.equal(createHash('sha256').update(committed).digest('hex'), expected);
  });
});
