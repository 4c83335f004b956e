// The structure-aware fuzzer (issue 20): beside fuzz.ts's byte mutator, it parses each seed into
// records (tar-model.ts: headers, data, block padding, pax records, the end; zip-model.ts: local and
// central records, extra fields, the bytes between them, the end records) and mutates fields and
// structure, then holds reprodist's verdict to the installers':
//  - refused: every verb must refuse it (normalize and the content view digest and compare read);
//  - accepted: each oracle (long-lived Python processes, test/helpers/oracle.ts) must install from
//    the input exactly reprodist's content view, and the same from the normal form; the strict
//    readers must account for every byte (coverage.ts).
// Anything else is a finding, shrunk (fewer mutations, fewer members) and written as a reproducer.
//
//   npm run build && node --import tsx test/fuzz/structured.ts --cases 100000 --seed 1 --out DIR
//     (--out: one shrunk reproducer per class of finding, a .txt beside it saying what and how made;
//      without it the findings are listed; --all-oracles: every Python's tarfile/zipfile, slower)
//   node --import tsx test/fuzz/structured.ts --seed 1 --only 4711 --out DIR   (replays one case)
//
// The library is loaded from dist/ (run `npm run build` first).
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../helpers/tools.js';
import { PYTHON_DATA_FILTER, TAR_ORACLES, ZIP_ORACLES, expectedListing } from '../helpers/differential.js';
import { OracleServer, type Extraction, type ServedOracle } from '../helpers/oracle.js';
import { coverageGaps, type ArchiveKind } from './coverage.js';
import { Random } from './random.js';
import { collectSeeds, type Seed } from './seeds.js';
import { cloneTar, dropTarGroup, parseSdist, pickTarMutation, sampleTar, sdistBytes, type TarModel } from './tar-model.js';
import { cloneZip, dropZipEntry, parseZip, pickZipMutation, sampleZip, zipBytes, type ZipModel } from './zip-model.js';

const { normalizeArtefact } = (await import(join(REPO_ROOT, 'dist/normalize/artefact.js'))) as typeof import('../../src/normalize/artefact.js');
const { handlerFor, failureStatus, describeError } = (await import(join(REPO_ROOT, 'dist/normalize/index.js'))) as typeof import('../../src/normalize/index.js');

const OPTIONS = { epoch: 1700000000, mtime: 'epoch' as const, level: 6, keepCompression: false };
/** Seeds with more members than this are sampled down, so a case costs what a small sdist costs. */
const MAX_MEMBERS = 12;
/** Evaluations spent shrinking one finding. */
const SHRINK_BUDGET = 40;
/** Oracle answers kept for files seen again. */
const ANSWERS_KEPT = 20_000;
/** Reproducers written per signature at most; past it, findings are counted. */
const REPRODUCERS_PER_SIGNATURE = 40;

/**
 * pip on Debian's Python (3.11, whose zipfile pip uses), tarfile's data filter and zipfile on the
 * newest pyenv Python that has the filter; with `all`, on each of them, and zipfile on 3.11 too.
 */
function servedOracles(kind: ArchiveKind, all: boolean): ServedOracle[] {
  const filterPythons = (all ? ['3.12.1', '3.13.0'] : ['3.13.0']).map((v) => ({ v, python: join(process.env.HOME ?? '/root', '.pyenv/versions', v, 'bin/python3') })).filter(({ python }) => existsSync(python));
  const pythons = filterPythons.length > 0 ? filterPythons : [{ v: 'filter', python: PYTHON_DATA_FILTER }];
  const oracles = kind === 'sdist' ? TAR_ORACLES : ZIP_ORACLES;
  const pip = oracles.find((o) => o.name === 'pip')!;
  const served = [{ label: 'pip', oracle: pip }];
  if (kind === 'sdist') {
    const tarfile = oracles.find((o) => o.name === 'tarfile-data')!;
    served.push(...pythons.map(({ v, python }) => ({ label: `tarfile-data-${v}`, oracle: { ...tarfile, python, tool: python } })));
  } else {
    const zipfile = oracles.find((o) => o.name === 'zipfile')!;
    if (all) served.push({ label: 'zipfile-3.11', oracle: zipfile });
    served.push(...pythons.map(({ v, python }) => ({ label: `zipfile-${v}`, oracle: { ...zipfile, python, tool: python } })));
  }
  return served;
}

type Model = { kind: 'sdist'; tar: TarModel } | { kind: 'wheel'; zip: ZipModel };

/** One mutation as applied: its name and its own seed, so that it replays without the others. */
interface Step {
  name: string;
  seed: number;
}

interface Case {
  index: number;
  seed: Seed;
  base: Model;
  steps: Step[];
}

function cloneModel(model: Model): Model {
  return model.kind === 'sdist' ? { kind: 'sdist', tar: cloneTar(model.tar) } : { kind: 'wheel', zip: cloneZip(model.zip) };
}

function parseSeed(seed: Seed): Model {
  return seed.kind === 'sdist' ? { kind: 'sdist', tar: parseSdist(seed.bytes) } : { kind: 'wheel', zip: parseZip(seed.bytes) };
}

/** Applies the steps to a copy of the base; returns the bytes and what each step did. */
function build(base: Model, steps: readonly Step[]): { bytes: Buffer; model: Model; what: string[] } {
  const model = cloneModel(base);
  const what = steps.map((step) => {
    const random = new Random(step.seed);
    if (model.kind === 'sdist') {
      const [name, mutation] = pickTarMutation(random);
      return `${name}: ${mutation(model.tar, random)}`;
    }
    const [name, mutation] = pickZipMutation(random);
    return `${name}: ${mutation(model.zip, random)}`;
  });
  return { bytes: modelBytes(model), model, what };
}

function modelBytes(model: Model): Buffer {
  return model.kind === 'sdist' ? sdistBytes(model.tar) : zipBytes(model.zip);
}

/** A finding's kind and the oracle it is about: what shrinking keeps and reproducers are grouped by. */
interface Finding {
  signature: string;
  detail: string;
  /** What tells findings of one signature apart beyond the mutations that made them (an oracle's error). */
  symptom?: string;
}

/** A finding's class: its signature, symptom and the mutations (by name) that made it. */
function findingClass(finding: Finding, what: readonly string[]): string {
  return [finding.signature, finding.symptom ?? '', ...what.map((w) => w.split(':')[0]!).sort()].join(' ');
}

type Verdict = { status: 'refused' | 'accepted'; findings: Finding[] } | { status: 'skipped'; findings: Finding[] };

export interface StructuredSummary {
  cases: number;
  accepted: number;
  refused: number;
  /** Cases the mutations could not lay out as a file (no verdict asked). */
  skipped: number;
  oracleComparisons: number;
  /** Finding count by signature. */
  signatures: Record<string, number>;
  /** By mutation name: [cases it was in, of them accepted]; what gets past the readers. */
  mutations: Record<string, [number, number]>;
  /** One line per reproducer written (or per finding when none are written). */
  findings: string[];
}

export interface CampaignOptions {
  cases: number;
  seed: number;
  /** Where reproducers go; none: findings are listed only. */
  out?: string;
  /** Cases in flight at once: reprodist works on one while the oracles read another. */
  parallel?: number;
  only?: number;
  log?: (line: string) => void;
  /** Leave out differential.py's crafted seeds. */
  realSeedsOnly?: boolean;
  /** Every oracle on every Python there is, not only the newest (slower). */
  allOracles?: boolean;
}

class Evaluator {
  private readonly oracles: Record<ArchiveKind, OracleServer[]>;
  readonly work: string;
  /**
   * Answers by oracle, file name and sha256: many mutants normalize to the same bytes (the mutation
   * was one the normal form undoes), and an oracle's view depends on nothing else.
   */
  private readonly answers = new Map<string, Promise<Extraction>>();

  constructor(allOracles: boolean) {
    const shm = existsSync('/dev/shm') ? '/dev/shm' : tmpdir();
    this.work = mkdtempSync(join(shm, 'reprodist-structured-'));
    const serve = (kind: ArchiveKind) => servedOracles(kind, allOracles).map((o) => new OracleServer(o, this.work));
    this.oracles = { sdist: serve('sdist'), wheel: serve('wheel') };
  }

  private extract(server: OracleServer, path: string, fileName: string, bytes: Buffer): Promise<Extraction> {
    const key = `${server.served.label} ${fileName} ${createHash('sha256').update(bytes).digest('hex')}`;
    let answer = this.answers.get(key);
    if (!answer) {
      if (this.answers.size >= ANSWERS_KEPT) this.answers.clear();
      answer = server.extract(path);
      this.answers.set(key, answer);
    }
    return answer;
  }

  /** reprodist's verdict on `bytes`, held to the oracles when it accepts. */
  async evaluate(bytes: Buffer, fileName: string, kind: ArchiveKind, tag: string, counter: { comparisons: number }): Promise<Verdict> {
    const dir = join(this.work, tag);
    const outDir = join(dir, 'out');
    mkdirSync(outDir, { recursive: true });
    try {
      const input = join(dir, fileName);
      writeFileSync(input, bytes);
      const handler = handlerFor(input)!;
      const result = await normalizeArtefact(handler, input, OPTIONS, outDir);
      const view = await handler.readContent(input).then((v) => [...v], (error: unknown) => error);
      if (result.status === 'error') return { status: 'refused', findings: [{ signature: 'internal-error', detail: result.message ?? '' }] };
      if (result.status === 'refused') {
        const findings: Finding[] = [];
        if (Array.isArray(view)) findings.push({ signature: 'verbs-disagree', detail: `normalize refuses (${result.message}), the content view (digest, compare) reads ${view.length} members` });
        else if (failureStatus(view) !== 'refused') findings.push({ signature: 'internal-error', detail: `content view: ${describeError(view)}` });
        if (!result.message || result.message.includes('\n')) findings.push({ signature: 'refusal-not-one-line', detail: String(result.message) });
        return { status: 'refused', findings };
      }
      if (!Array.isArray(view)) return { status: 'accepted', findings: [{ signature: 'verbs-disagree', detail: `normalize accepts, the content view refuses: ${describeError(view)}` }] };
      // A reader that refuses, when reading every byte for coverage, what normalize accepted has left a byte unread.
      const gaps = await coverageGaps(input, kind).catch((error: unknown) => [`the reader refuses when it reads every byte: ${describeError(error)}`]);
      const findings: Finding[] = gaps.map((gap) => ({ signature: 'coverage-gap', detail: gap }));
      const output = join(outDir, fileName);
      await Promise.all(this.oracles[kind].map(async (server) => {
        const [before, after] = await Promise.all([this.extract(server, input, fileName, bytes), this.extract(server, output, fileName, readFileSync(output))]);
        counter.comparisons += 1;
        const label = server.served.label;
        if (!before.ok) {
          const symptom = before.error.replace(/'[^']*'|"[^"]*"|\/\S+|\d+/g, '').slice(0, 80);
          findings.push({ signature: `oracle-fails:${label}`, symptom, detail: `accepted, but ${label} fails on it: ${before.error}` });
          return;
        }
        const expected = expectedListing(view, server.served.oracle);
        if (JSON.stringify(expected) !== JSON.stringify(before.listing)) {
          findings.push({ signature: `view-differs:${label}`, detail: `reprodist reads ${listingDifference(expected, before.listing, label)}` });
        } else if (JSON.stringify(before) !== JSON.stringify(after)) {
          findings.push({ signature: `output-differs:${label}`, detail: `${label} installs otherwise from the normal form: ${after.ok ? listingDifference(before.listing, after.listing, 'output') : after.error}` });
        }
      }));
      return { status: 'accepted', findings };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  close(): void {
    for (const server of [...this.oracles.sdist, ...this.oracles.wheel]) server.close();
    rmSync(this.work, { recursive: true, force: true });
  }
}

/** The lines one listing has and the other lacks, shortened. */
function listingDifference(ours: string[], theirs: string[], label: string): string {
  const theirSet = new Set(theirs);
  const ourSet = new Set(ours);
  const short = (lines: string[]) => JSON.stringify(lines.slice(0, 4).map((l) => l.replace(/ [0-9a-f]{64}$/, (h) => h.slice(0, 9))));
  return `${short(ours.filter((l) => !theirSet.has(l)))}, ${label} ${short(theirs.filter((l) => !ourSet.has(l)))}`;
}

function caseFor(seeds: readonly Seed[], models: Map<Seed, Model>, campaignSeed: number, index: number): Case {
  const random = new Random(Number(BigInt.asUintN(32, BigInt(campaignSeed) * 2654435761n + BigInt(index) * 40503n + 1n)));
  const seed = random.pick(seeds);
  let base = models.get(seed)!;
  if ((base.kind === 'sdist' ? base.tar.records.length : base.zip.entries.length) > MAX_MEMBERS) {
    base = cloneModel(base);
    const keep = 3 + random.below(MAX_MEMBERS - 2);
    if (base.kind === 'sdist') sampleTar(base.tar, keep, random);
    else sampleZip(base.zip, keep, random);
  }
  const steps = Array.from({ length: 1 + random.below(3) }, () => ({ name: '', seed: random.next() }));
  return { index, seed, base, steps };
}

/** Fewer steps, then fewer members, as long as the finding (its signature and symptom) stays. */
async function shrink(evaluator: Evaluator, c: Case, finding: Finding, counter: { comparisons: number }): Promise<{ bytes: Buffer; what: string[] }> {
  let budget = SHRINK_BUDGET;
  const still = async (bytes: Buffer) => {
    budget -= 1;
    const verdict = await evaluator.evaluate(bytes, c.seed.fileName, c.seed.kind, `shrink-${c.index}`, counter);
    return verdict.findings.some((f) => f.signature === finding.signature && f.symptom === finding.symptom);
  };
  let steps = c.steps;
  for (let i = steps.length - 1; i >= 0 && steps.length > 1 && budget > 0; i--) {
    const fewer = steps.filter((_, k) => k !== i);
    if (await still(build(c.base, fewer).bytes)) steps = fewer;
  }
  let { model, what } = build(c.base, steps);
  for (let member = 0; budget > 0; ) {
    const smaller = cloneModel(model);
    const dropped = smaller.kind === 'sdist' ? dropTarGroup(smaller.tar, member) : dropZipEntry(smaller.zip, member);
    if (!dropped) break;
    if (await still(modelBytes(smaller))) model = smaller;
    else member += 1;
  }
  return { bytes: modelBytes(model), what };
}

export async function runStructured(options: CampaignOptions): Promise<StructuredSummary> {
  const log = options.log ?? (() => undefined);
  const seeds = collectSeeds(!options.realSeedsOnly);
  const models = new Map(seeds.map((s) => [s, parseSeed(s)]));
  const evaluator = new Evaluator(options.allOracles ?? false);
  const summary: StructuredSummary = { cases: 0, accepted: 0, refused: 0, skipped: 0, oracleComparisons: 0, signatures: {}, mutations: {}, findings: [] };
  const counter = { comparisons: 0 };
  const written = new Map<string, number>();
  const classes = new Set<string>();
  const indexes = options.only !== undefined ? [options.only] : Array.from({ length: options.cases }, (_, i) => i);
  let next = 0;
  const worker = async () => {
    for (let at = next++; at < indexes.length; at = next++) {
      const c = caseFor(seeds, models, options.seed, indexes[at]!);
      let bytes: Buffer;
      let what: string[];
      try {
        ({ bytes, what } = build(c.base, c.steps));
      } catch {
        summary.skipped += 1;
        continue;
      }
      const label = `case ${c.index} (seed ${options.seed}): ${c.seed.fileName} from ${c.seed.origin}; ${what.join('; ')}`;
      if (options.only !== undefined && options.out) writeFileSync(join(options.out, `case-${c.index}-${c.seed.fileName}`), bytes);
      const verdict = await evaluator.evaluate(bytes, c.seed.fileName, c.seed.kind, String(c.index), counter);
      summary.cases += 1;
      if (verdict.status === 'accepted') summary.accepted += 1;
      else summary.refused += 1;
      for (const name of new Set(what.map((w) => w.split(':')[0]!))) {
        const tally = (summary.mutations[name] ??= [0, 0]);
        tally[0] += 1;
        if (verdict.status === 'accepted') tally[1] += 1;
      }
      for (const finding of verdict.findings) {
        summary.signatures[finding.signature] = (summary.signatures[finding.signature] ?? 0) + 1;
        if (!options.out) {
          summary.findings.push(`${finding.signature}: ${label}: ${finding.detail}`);
          continue;
        }
        // One reproducer per class, found before shrinking and again after (shrinking drops mutations).
        const count = written.get(finding.signature) ?? 0;
        const found = findingClass(finding, what);
        if (count >= REPRODUCERS_PER_SIGNATURE || classes.has(found)) continue;
        classes.add(found);
        const small = await shrink(evaluator, c, finding, counter);
        const shrunk = findingClass(finding, small.what);
        if (classes.has(shrunk) && shrunk !== found) continue;
        classes.add(shrunk);
        written.set(finding.signature, count + 1);
        const stem = join(options.out, `${finding.signature.replace(/[^a-z0-9.-]+/gi, '_')}-${options.seed}-${c.index}`);
        const file = `${stem}-${c.seed.fileName}`;
        writeFileSync(file, small.bytes);
        writeFileSync(`${stem}.txt`, `${finding.signature}\n${label}\nshrunk to: ${small.what.join('; ')}\n${finding.detail}\nsha256 ${createHash('sha256').update(small.bytes).digest('hex')}\n`);
        summary.findings.push(`${finding.signature}: ${file}: ${small.what.join('; ')}: ${finding.detail}`);
      }

      if (summary.cases % 1000 === 0) log(`${summary.cases} cases: ${summary.accepted} accepted, ${summary.refused} refused, findings ${JSON.stringify(summary.signatures)}`);
    }
  };
  try {
    await Promise.all(Array.from({ length: options.parallel ?? 2 }, worker));
  } finally {
    evaluator.close();
  }
  summary.oracleComparisons = counter.comparisons;
  return summary;
}

if (process.argv[1] && new URL(import.meta.url).pathname === process.argv[1]) {
  const arg = (name: string) => {
    const at = process.argv.indexOf(`--${name}`);
    return at >= 0 ? process.argv[at + 1] : undefined;
  };
  const out = arg('out');
  if (out) mkdirSync(out, { recursive: true });
  const started = process.hrtime.bigint();
  const summary = await runStructured({
    cases: Number(arg('cases') ?? 2000), seed: Number(arg('seed') ?? 1), out, parallel: Number(arg('parallel') ?? 2),
    only: arg('only') !== undefined ? Number(arg('only')) : undefined, log: (line) => console.log(line), realSeedsOnly: process.argv.includes('--real-seeds-only'), allOracles: process.argv.includes('--all-oracles'),
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  console.log(`${summary.cases} cases in ${seconds.toFixed(0)} s (${(summary.cases / seconds).toFixed(1)} cases/s): ${summary.accepted} accepted (${(100 * summary.accepted / Math.max(1, summary.cases)).toFixed(1)}%), ${summary.refused} refused, ${summary.skipped} skipped, ${summary.oracleComparisons} oracle comparisons`);
  console.log(`findings: ${Object.values(summary.signatures).reduce((a, b) => a + b, 0)} ${JSON.stringify(summary.signatures)}${out ? `; reproducers in ${out}` : ' (--out DIR writes shrunk reproducers)'}`);
  console.log(`accepted by mutation: ${Object.entries(summary.mutations).sort().map(([name, [cases, accepted]]) => `${name} ${(100 * accepted / cases).toFixed(0)}% of ${cases}`).join(', ')}`);
  for (const line of summary.findings.slice(0, out ? undefined : 50)) console.log(`FINDING ${line}`);
  process.exitCode = summary.findings.length > 0 ? 1 : 0;
}
