// A seeded mutation fuzzer for the sdist and wheel normalizers. It mutates real artefacts (bit flips,
// truncations, insertions, and header-field tampering with checksums recomputed, so that the deeper
// parsing paths are reached) and asserts that every case ends as `normalized`/`unchanged` with a
// valid, content-preserving output, or `refused` with a one-line message; never an internal error,
// a hang, or runaway memory.
//
//   node --import tsx test/fuzz/fuzz.ts --count 10000 --seed 1
//   node --import tsx test/fuzz/fuzz.ts --seed 1 --only 2846     (replays one case)
//   node --import tsx test/fuzz/fuzz.ts --count 10000 --seed 1 --oracle
//       (also extracts every accepted mutant with pip's unpacker, via /usr/bin/python3, before and
//       after normalizing: the two must be the same tree; issue 10)
//
// The library is loaded from dist/ (run `npm run build` first).
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { Random } from './random.js';

const REPO = new URL('../../', import.meta.url).pathname;
const { normalizeArtefact, checkArtefact } = (await import(join(REPO, 'dist/normalize/artefact.js'))) as typeof import('../../src/normalize/artefact.js');
const { handlerFor } = (await import(join(REPO, 'dist/normalize/index.js'))) as typeof import('../../src/normalize/index.js');

const OPTIONS = { epoch: 1700000000, mtime: 'epoch' as const, level: 6, keepCompression: false };
/** A case that takes longer than this is a hang. */
const CASE_TIMEOUT_MS = 20_000;
/** Heap growth over the whole campaign beyond this is a leak or a bomb that got through. */
const HEAP_LIMIT_BYTES = 256 * 1024 * 1024;

type Mutation = (input: Buffer, random: Random) => { bytes: Buffer; what: string };

const flipBits: Mutation = (input, random) => {
  const bytes = Buffer.from(input);
  const flips = 1 + random.below(4);
  for (let i = 0; i < flips; i++) bytes[random.below(bytes.length)]! ^= 1 << random.below(8);
  return { bytes, what: `flip ${flips} bits` };
};

const truncate: Mutation = (input, random) => {
  const at = random.below(input.length);
  return { bytes: input.subarray(0, at), what: `truncate at ${at}` };
};

const insert: Mutation = (input, random) => {
  const at = random.below(input.length);
  const junk = Buffer.alloc(1 + random.below(64), random.below(256));
  return { bytes: Buffer.concat([input.subarray(0, at), junk, input.subarray(at)]), what: `insert ${junk.length} bytes at ${at}` };
};

/** Changes one field of one tar header inside the gzip, with a valid header checksum and gzip CRC. */
const tamperTar: Mutation = (input, random) => {
  const tar = Buffer.from(gunzipSync(input));
  const headers: number[] = [];
  for (let at = 0; at + 512 <= tar.length; at += 512) {
    if (tar.subarray(at + 257, at + 262).toString('latin1') === 'ustar') headers.push(at);
  }
  const header = headers[random.below(headers.length)]!;
  const fields: [string, number, number][] = [['name', 0, 100], ['mode', 100, 8], ['uid', 108, 8], ['size', 124, 12], ['mtime', 136, 12], ['typeflag', 156, 1], ['linkname', 157, 100], ['prefix', 345, 155]];
  const [name, offset, length] = fields[random.below(fields.length)]!;
  const values = [Buffer.from('../../etc/x\0'), Buffer.from('/abs\0'), Buffer.from('77777777777\0'), Buffer.from('0000000\0'), Buffer.from(String.fromCharCode(48 + random.below(10))), Buffer.from('\xff\xfe', 'latin1'), Buffer.from('x'.repeat(length))];
  const value = values[random.below(values.length)]!.subarray(0, length);
  tar.fill(0, header + offset, header + offset + length);
  value.copy(tar, header + offset);
  tar.fill(0x20, header + 148, header + 156);
  let sum = 0;
  for (let i = header; i < header + 512; i++) sum += tar[i]!;
  tar.write(`${sum.toString(8).padStart(6, '0')}\0 `, header + 148, 'latin1');
  return { bytes: gzipSync(tar), what: `tar ${name} of header at ${header}` };
};

/** Changes one field of one zip header (local or central), keeping the signatures. */
const tamperZip: Mutation = (input, random) => {
  const bytes = Buffer.from(input);
  const signatures = [Buffer.from('PK\x03\x04', 'latin1'), Buffer.from('PK\x01\x02', 'latin1'), Buffer.from('PK\x05\x06', 'latin1')];
  const found: number[] = [];
  for (const signature of signatures) for (let at = bytes.indexOf(signature); at >= 0; at = bytes.indexOf(signature, at + 1)) found.push(at);
  const at = found[random.below(found.length)]!;
  const offset = 4 + random.below(26);
  const width = [1, 2, 4][random.below(3)]!;
  const values = [0, 0xff, 0xffff, 0xffffffff, random.next()];
  const value = values[random.below(values.length)]! % 2 ** (8 * width);
  if (at + offset + width <= bytes.length) bytes.writeUIntLE(value, at + offset, width);
  return { bytes, what: `zip field +${offset}/${width} of record at ${at} := ${value}` };
};

/** Compares what an installer extracts from a mutant before and after normalizing; a message when they differ. */
export type FuzzOracle = (before: string, after: string) => string | null;

/** pip's unpacker (test/helpers/differential.py), run by /usr/bin/python3. */
export const pipOracle: FuzzOracle = (before, after) => {
  const script = join(REPO, 'test/helpers/differential.py');
  const extract = (path: string) => execFileSync('/usr/bin/python3', [script, 'extract', 'pip', path], { encoding: 'utf8' });
  const a = extract(before);
  const b = extract(after);
  return a === b ? null : `pip extracts otherwise after normalizing: before ${a.trim().slice(0, 400)} after ${b.trim().slice(0, 400)}`;
};

export interface FuzzSummary {
  cases: number;
  accepted: number;
  refused: number;
  /** Accepted mutants the oracle extracted before and after. */
  oracleCompared: number;
  failures: string[];
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

async function withTimeout<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`hang: ${what} took over ${CASE_TIMEOUT_MS} ms`)), CASE_TIMEOUT_MS);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Runs `count` cases from `seed` over the artefacts in `seedDir`. */
export async function fuzz(seedDir: string, count: number, seed: number, log: (line: string) => void = () => undefined, only?: number, oracle?: FuzzOracle): Promise<FuzzSummary> {
  const seeds = readdirSync(seedDir).filter((n) => handlerFor(n)).map((name) => ({ name, bytes: readFileSync(join(seedDir, name)) }));
  const random = new Random(seed);
  const work = mkdtempSync(join(tmpdir(), 'reprodist-fuzz-'));
  const summary: FuzzSummary = { cases: 0, accepted: 0, refused: 0, oracleCompared: 0, failures: [] };
  const heapAtStart = process.memoryUsage().heapUsed;
  try {
    for (let i = 0; i < count; i++) {
      const source = seeds[random.below(seeds.length)]!;
      const isSdist = source.name.endsWith('.tar.gz');
      const mutations = [flipBits, truncate, insert, isSdist ? tamperTar : tamperZip];
      const mutation = mutations[random.below(mutations.length)]!;
      const { bytes, what } = mutation(source.bytes, random);
      if (only !== undefined && i !== only) continue;
      if (only !== undefined) writeFileSync(join(tmpdir(), `reprodist-fuzz-case-${only}-${source.name}`), bytes);
      const caseDir = join(work, String(i));
      const input = join(caseDir, source.name);
      mkdirSync(caseDir);
      writeFileSync(input, bytes);
      const label = `case ${i} (seed ${seed}): ${source.name}, ${what}`;
      summary.cases += 1;
      try {
        const handler = handlerFor(input)!;
        const original = join(work, `${i}-original-${source.name}`);
        if (oracle) writeFileSync(original, bytes);
        const result = await withTimeout(normalizeArtefact(handler, input, OPTIONS), label);
        if (result.status === 'refused') {
          summary.refused += 1;
          if (!result.message || result.message.includes('\n')) summary.failures.push(`${label}: refusal is not one line: ${result.message}`);
          if (sha256(readFileSync(input)) !== sha256(bytes)) summary.failures.push(`${label}: refused input was modified`);
        } else if (result.status === 'error') {
          summary.failures.push(`${label}: internal error: ${result.message}`);
        } else {
          summary.accepted += 1;
          const check = await withTimeout(checkArtefact(handler, input, OPTIONS), label);
          if (check.status !== 'normal' && check.problems.length === 0) summary.failures.push(`${label}: output is not in normal form: ${JSON.stringify(check.changes)}`);
          if (oracle) {
            summary.oracleCompared += 1;
            const difference = oracle(original, input);
            if (difference) summary.failures.push(`${label}: ${difference}`);
          }
        }
        const stray = readdirSync(caseDir).filter((n) => n !== source.name);
        if (stray.length > 0) summary.failures.push(`${label}: stray files ${stray.join(', ')}`);
      } catch (error) {
        summary.failures.push(`${label}: threw ${(error as Error).stack ?? error}`);
      }
      rmSync(caseDir, { recursive: true, force: true });
      rmSync(join(work, `${i}-original-${source.name}`), { force: true });
      if (process.memoryUsage().heapUsed - heapAtStart > HEAP_LIMIT_BYTES) summary.failures.push(`${label}: heap grew beyond ${HEAP_LIMIT_BYTES} bytes`);
      if ((i + 1) % 500 === 0) log(`${i + 1} cases: ${summary.accepted} accepted, ${summary.refused} refused, ${summary.failures.length} failures`);
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return summary;
}

if (process.argv[1] && new URL(import.meta.url).pathname === process.argv[1]) {
  const arg = (name: string, fallback: number) => {
    const at = process.argv.indexOf(`--${name}`);
    return at >= 0 ? Number(process.argv[at + 1]) : fallback;
  };
  const only = process.argv.includes('--only') ? arg('only', 0) : undefined;
  const oracle = process.argv.includes('--oracle') ? pipOracle : undefined;
  const summary = await fuzz(join(REPO, 'fixtures', 'dist'), only !== undefined ? only + 1 : arg('count', 10_000), arg('seed', 1), (line) => console.log(line), only, oracle);
  console.log(`${summary.cases} cases: ${summary.accepted} accepted (${summary.oracleCompared} extracted by pip before and after), ${summary.refused} refused, ${summary.failures.length} failures`);
  for (const failure of summary.failures.slice(0, 50)) console.log(`FAIL ${failure}`);
  process.exitCode = summary.failures.length > 0 ? 1 : 0;
}
