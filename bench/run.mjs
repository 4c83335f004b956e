#!/usr/bin/env node
// Benchmark reprodist against the usual baselines. See bench/README.md.
//
//   node bench/run.mjs            every figure of issue #22's table (see SECTIONS)
//   node bench/run.mjs --huge     also the 1 GiB-member sdist and wheel (peak RSS)
//   node bench/run.mjs --only sdist,small --runs 1
//   node bench/run.mjs --real-wheels DIR   where to look for the real PyPI wheels of the `real` section
//
// Plain Node ESM, built-ins only. Inputs are generated once by bench/generate.py
// (with /usr/bin/python3) and cached under bench/.cache/.

import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { REPRODIST_COMMAND, TINY_MEMBER_BYTES, firstLines, median, seriesInput, timeOnce } from './measure.mjs';

// --- constants ---------------------------------------------------------------
const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));
const REPO_DIR = path.dirname(BENCH_DIR);
const CACHE_DIR = path.join(BENCH_DIR, '.cache', 'v1'); // bump when generate.py changes
const GENERATOR = path.join(BENCH_DIR, 'generate.py');
const FIXTURE_DIST_DIR = path.join(REPO_DIR, 'fixtures', 'dist');
const REPRODIST_BIN = path.join(REPO_DIR, 'bin', 'reprodist');

const PYTHON = '/usr/bin/python3';
const EPOCH = '1700000000';
const CORES = os.availableParallelism();

const RUNS_BIG = 3;
const RUNS_SMALL = 15; // a ratio of two short runs on a shared machine: many interleaved runs
const RUNS_HUGE = 1;
const BUSY_LOAD_PER_CORE = 0.25; // warn when the 1-minute load average is above this per core

// The targets of issue #22, each checked below and printed as ok or MISS.
const TARGETS = {
  sdistTimeSingle: 1.2, // x gzip -9n, reprodist --jobs 1
  sdistTimeParallel: 0.7, // x gzip -9n, reprodist on every core (the default)
  sdistSize: 1.02, // x gzip -9n output size
  wheelTime: 0.3, // x strip-nondeterminism, recompressing
  wheelKeepTime: 0.12, // x strip-nondeterminism, --keep-compression
  jobsSpeedup: 0.6, // four big wheels, default jobs against --jobs 1
  peakRssMiB: 146,
  smallVsNode: 2.0, // x bare `node -e 0`
  membersGrowth: 12, // time on 100,000 members against 10,000: linear (10x) with some slack
  millionGrowth: 14, // time on 1,000,000 sdist members against 100,000: n log n (12x) with some slack
};

const INPUTS = {
  sdist: { kind: 'sdist', file: 'bigproj-1.0.tar.gz' },
  wheel: { kind: 'wheel', file: 'bigwheel-1.0-py3-none-any.whl' },
  tiny: { kind: 'tiny-sdist', file: 'tinyproj-1.0.tar.gz' },
  links: { kind: 'links-sdist', file: 'linksproj-1.0.tar.gz' },
  hugeSdist: { kind: 'huge-sdist', file: 'hugeproj-1.0.tar.gz' },
  hugeWheel: { kind: 'huge-wheel', file: 'hugewheel-1.0-py3-none-any.whl' },
};

const SECTIONS = ['sdist', 'wheel', 'jobs', 'members', 'members40k', 'million', 'real', 'small'];

/** The real PyPI wheels of 150-250 MB that issue #22 measures `check` on, by project name. */
const REAL_WHEEL_PROJECTS = ['triton', 'libtpu', 'vtk', 'jaxlib'];
/** Where to look for them when --real-wheels is not given (a local mirror of PyPI files, if any). */
const REAL_WHEELS_DEFAULT_DIR = '/opt/pypi/files';

// --- command line --------------------------------------------------------------
function parseOptions() {
  const { values } = parseArgs({
    options: {
      huge: { type: 'boolean', default: false },
      only: { type: 'string' },
      runs: { type: 'string' },
      'real-wheels': { type: 'string', default: process.env.REPRODIST_BENCH_REAL_WHEELS ?? REAL_WHEELS_DEFAULT_DIR },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(`usage: node bench/run.mjs [--huge] [--only ${SECTIONS.join(',')}] [--runs N] [--real-wheels DIR]`);
    process.exit(0);
  }
  const only = values.only ? values.only.split(',').map((s) => s.trim()) : SECTIONS;
  for (const s of only) if (!SECTIONS.includes(s)) throw new Error(`--only: unknown section ${s}`);
  const runs = values.runs ? Number(values.runs) : undefined;
  if (runs !== undefined && !(Number.isInteger(runs) && runs > 0)) throw new Error('--runs: positive integer');
  return { huge: values.huge, only, runsBig: runs ?? RUNS_BIG, runsSmall: runs ?? RUNS_SMALL, realWheelsDir: values['real-wheels'] };
}

// --- small helpers -------------------------------------------------------------
const fmtSeconds = (s) => (s === undefined ? '-' : s < 10 ? s.toFixed(3) : s.toFixed(2));
const fmtMiB = (kib) => (kib === undefined ? '-' : (kib / 1024).toFixed(1));
const fmtBytes = (n) => (n === undefined ? '-' : n.toLocaleString('en-US'));
const fmtRatio = (r) => (r === undefined || !Number.isFinite(r) ? '-' : `${r.toFixed(3)}x`);
const ratio = (a, b) => (a === undefined || b === undefined ? undefined : a / b);

function filesUnder(dir) {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => path.join(d.parentPath ?? d.path, d.name))
    .sort();
}

const totalSize = (files) => files.reduce((n, f) => n + fs.statSync(f).size, 0);

function digestFiles(files) {
  const h = createHash('sha256');
  for (const f of files) h.update(path.basename(f)).update(fs.readFileSync(f));
  return h.digest('hex');
}

function toolVersion(argv) {
  const r = spawnSync(argv[0], argv.slice(1), { encoding: 'utf8' });
  return r.status === 0 ? (r.stdout || r.stderr).split('\n')[0].trim() : 'not found';
}

// --- inputs ------------------------------------------------------------------
function ensureInput({ kind, file }) {
  const target = path.join(CACHE_DIR, file);
  const statsFile = `${target}.json`;
  if (fs.existsSync(target) && fs.existsSync(statsFile)) {
    return { file: target, stats: JSON.parse(fs.readFileSync(statsFile, 'utf8')) };
  }
  fs.mkdirSync(CACHE_DIR, { recursive: true });
  // Generate under the final name (it ends up in the gzip header) in a scratch dir.
  const scratch = fs.mkdtempSync(path.join(CACHE_DIR, 'gen-'));
  try {
    process.stdout.write(`generating ${file} (cached in ${path.relative(REPO_DIR, CACHE_DIR)}) ... `);
    const started = performance.now();
    const r = spawnSync(PYTHON, [GENERATOR, kind, path.join(scratch, file)], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    if (r.status !== 0) throw new Error(`generate.py ${kind} failed: ${r.error ?? firstLines(r.stderr)}`);
    console.log(`${((performance.now() - started) / 1000).toFixed(1)} s`);
    fs.renameSync(path.join(scratch, file), target);
    fs.writeFileSync(statsFile, r.stdout.trim() + '\n');
    return { file: target, stats: JSON.parse(r.stdout) };
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

function smallInput() {
  const fixtures = fs.existsSync(FIXTURE_DIST_DIR)
    ? fs.readdirSync(FIXTURE_DIST_DIR).filter((f) => f.endsWith('.tar.gz')).sort()
    : [];
  if (fixtures.length) {
    const file = path.join(FIXTURE_DIST_DIR, fixtures[0]);
    return { file, stats: { bytes: fs.statSync(file).size }, origin: 'fixture' };
  }
  return { ...ensureInput(INPUTS.tiny), origin: 'generated (no fixtures/dist/*.tar.gz yet)' };
}

// --- measuring -----------------------------------------------------------------
/** One run of a case in a fresh temp dir; `setup(tmp)` returns { argv, outDir }. */
function runOnce(result, setup) {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'reprodist-bench-'));
  try {
    const { argv, outDir } = setup(tmp);
    const run = timeOnce(argv, { cwd: REPO_DIR });
    const outFiles = filesUnder(outDir);
    if (!run.failure && outFiles.length === 0) run.failure = 'exit 0 but no output file written';
    if (run.failure) {
      result.failure = run.failure;
      return;
    }
    result.times.push(run.seconds);
    result.rssKiB = Math.max(result.rssKiB ?? 0, run.rssKiB ?? 0);
    result.outBytes = totalSize(outFiles); // output size = all files written to outDir
    result.digests.add(digestFiles(outFiles));
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/**
 * Measure cases ([{ label, setup }]) `runs` times each, interleaved round by round
 * (A B C, A B C, ...) so that a change in machine load hits every case alike.
 * A case that fails is not run again.
 */
function measureCases(cases, runs) {
  const results = cases.map(({ label }) => ({ label, times: [], digests: new Set() }));
  for (let round = 0; round < runs; round++) {
    cases.forEach((c, i) => {
      if (results[i].failure) return;
      runOnce(results[i], c.setup);
      const r = results[i];
      console.log(`  run ${round + 1}/${runs}  ${r.label}: ${r.failure ? `FAILED (${r.failure})` : `${fmtSeconds(r.times.at(-1))} s`}`);
    });
  }
  for (const r of results) r.seconds = r.times.length ? median(r.times) : undefined;
  return results;
}

const withOutDir = (tmp) => {
  const outDir = path.join(tmp, 'out');
  fs.mkdirSync(outDir);
  return outDir;
};

function shellPipeline(script) {
  return (input) => (tmp) => {
    const outDir = withOutDir(tmp);
    const out = path.join(outDir, path.basename(input));
    return { argv: ['sh', '-c', script, 'sh', input, out], outDir };
  };
}
const gzipRecompress = shellPipeline('gzip -dc -- "$1" | gzip -9n > "$2"');
const pigzRecompress = shellPipeline('pigz -dc -- "$1" | pigz -9n > "$2"');

function stripNondeterminism(input) {
  return (tmp) => {
    const outDir = withOutDir(tmp);
    const copy = path.join(outDir, path.basename(input));
    fs.copyFileSync(input, copy); // it rewrites in place; copying is not timed
    return { argv: ['strip-nondeterminism', '-t', 'zip', copy], outDir };
  };
}

/** Bare Node start-up, for scale; it writes an empty marker file so the run counts as output. */
function nodeStartup(tmp) {
  const outDir = withOutDir(tmp);
  const marker = path.join(outDir, 'marker');
  return { argv: [process.execPath, '-e', 'require("fs").writeFileSync(process.argv[1], "")', marker], outDir };
}

// --- reprodist -----------------------------------------------------------------
function probeReprodist() {
  const probe = { exists: fs.existsSync(REPRODIST_BIN), jobs: false, keepCompression: false, subcommand: [] };
  if (!probe.exists) {
    probe.note = 'bin/reprodist does not exist yet: its rows will show as FAILED';
    return probe;
  }
  const r = spawnSync(REPRODIST_COMMAND[0], [...REPRODIST_COMMAND.slice(1), '--help'], { cwd: REPO_DIR, encoding: 'utf8' });
  const help = `${r.stdout ?? ''}\n${r.stderr ?? ''}`;
  if (r.status !== 0) probe.note = `reprodist --help failed (exit ${r.status}): ${firstLines(help)}`;
  probe.jobs = /--jobs\b/.test(help);
  probe.keepCompression = /--keep-compression\b/.test(help);
  // The contract makes `normalize` optional; pass it only if the help lists it as a command.
  if (/^\s*reprodist\s+normalize\b/m.test(help)) probe.subcommand = ['normalize'];
  if (!fs.existsSync(path.join(REPO_DIR, 'dist'))) probe.note ??= 'no dist/ directory: run `npm run build` first?';
  return probe;
}

function reprodist(probe, input, extraArgs = []) {
  return (tmp) => {
    const outDir = withOutDir(tmp);
    const argv = [...REPRODIST_COMMAND, ...probe.subcommand, '--epoch', EPOCH, '--out', outDir];
    return { argv: [...argv, ...extraArgs, input], outDir };
  };
}

/** The reprodist variants to run on a big sdist: single-threaded, and all cores if possible. */
function sdistVariants(probe) {
  if (!probe.jobs) return [{ label: 'reprodist', args: [], parallel: false }];
  return [
    { label: 'reprodist --jobs 1', args: ['--jobs', '1'], parallel: false },
    { label: `reprodist --jobs ${CORES}`, args: ['--jobs', String(CORES)], parallel: true },
  ];
}

// --- sections ------------------------------------------------------------------
function benchSdist(probe, runs) {
  const input = ensureInput(INPUTS.sdist);
  console.log(`\nBig sdist: ${describeInput(input)}`);
  const variants = sdistVariants(probe);
  const [gzip, pigz, ...mine] = measureCases(
    [
      { label: 'gzip -dc | gzip -9n', setup: gzipRecompress(input.file) },
      { label: `pigz -dc | pigz -9n (${CORES} threads)`, setup: pigzRecompress(input.file) },
      ...variants.map((v) => ({ label: v.label, setup: reprodist(probe, input.file, v.args) })),
    ],
    runs,
  );
  const rows = [baselineRow(gzip), compareRow(pigz, gzip)];
  const checks = [];
  variants.forEach((v, i) => {
    const r = mine[i];
    rows.push(compareRow(r, gzip));
    const limit = v.parallel ? TARGETS.sdistTimeParallel : TARGETS.sdistTimeSingle;
    const what = v.parallel ? `on ${CORES} cores` : 'single-threaded';
    checks.push(check(`sdist time vs gzip -9n, ${v.label} ${what}`, ratio(r.seconds, gzip.seconds), limit, 'x', r));
    checks.push(check(`sdist size vs gzip -9n, ${v.label}`, ratio(r.outBytes, gzip.outBytes), TARGETS.sdistSize, 'x', r));
    checks.push(rssCheck(`sdist peak RSS, ${v.label}`, r));
  });
  if (!probe.jobs) checks.push(`  n/a   sdist time on ${CORES} cores <= 1.0x gzip: reprodist has no --jobs yet`);
  printTable('Big sdist (time and size ratios vs gzip -9n)', rows);
  return checks;
}

function benchWheel(probe, runs) {
  const input = ensureInput(INPUTS.wheel);
  console.log(`\nBig wheel: ${describeInput(input)}`);
  const variants = [{ label: 'reprodist (recompress)', args: [] }];
  if (probe.keepCompression) variants.push({ label: 'reprodist --keep-compression', args: ['--keep-compression'] });
  const [strip, ...mine] = measureCases(
    [
      { label: 'strip-nondeterminism -t zip', setup: stripNondeterminism(input.file) },
      ...variants.map((v) => ({ label: v.label, setup: reprodist(probe, input.file, v.args) })),
    ],
    runs,
  );
  const rows = [baselineRow(strip)];
  const checks = [];
  variants.forEach((v, i) => {
    const r = mine[i];
    rows.push(compareRow(r, strip));
    const limit = v.args.includes('--keep-compression') ? TARGETS.wheelKeepTime : TARGETS.wheelTime;
    checks.push(check(`wheel time vs strip-nondeterminism, ${v.label}`, ratio(r.seconds, strip.seconds), limit, 'x', r));
    checks.push(rssCheck(`wheel peak RSS, ${v.label}`, r));
  });
  if (!probe.keepCompression) checks.push('  n/a   reprodist --keep-compression: not in --help yet');
  printTable('Big wheel (time and size ratios vs strip-nondeterminism)', rows);
  return checks;
}

function benchSmall(probe, runs) {
  const input = smallInput();
  console.log(`\nSmall artefact: ${path.relative(REPO_DIR, input.file)}, ${fmtBytes(input.stats.bytes)} bytes, ${input.origin}`);
  const [node, r] = measureCases(
    [
      { label: 'node -e 0 (start-up floor)', setup: nodeStartup },
      { label: 'reprodist (incl. Node start-up)', setup: reprodist(probe, input.file) },
    ],
    runs,
  );
  printTable(`Small artefact (median of ${runs}; ratio vs bare Node start-up)`, [baselineRow(node, { forSize: false }), compareRow(r, node)]);
  return [check('small artefact time vs bare Node start-up', ratio(r.seconds, node.seconds), TARGETS.smallVsNode, 'x', r)];
}

/** Four copies of the big wheel in one run: every core (the default) against --jobs 1. */
function benchJobs(probe, runs) {
  const input = ensureInput(INPUTS.wheel);
  console.log(`\nFour big wheels in one run: 4 x ${describeInput(input)}`);
  if (!probe.jobs) return ['  n/a   four wheels, default jobs vs --jobs 1: reprodist has no --jobs yet'];
  const fourWheels = (args) => (tmp) => {
    // Build tags 1 to 4 give four names for one wheel; copying is not timed.
    const copies = [1, 2, 3, 4].map((tag) => path.join(tmp, path.basename(input.file).replace('-1.0-', `-1.0-${tag}-`)));
    for (const copy of copies) fs.copyFileSync(input.file, copy);
    const outDir = withOutDir(tmp);
    return { argv: [...REPRODIST_COMMAND, ...probe.subcommand, '--epoch', EPOCH, '--out', outDir, ...args, ...copies], outDir };
  };
  const [single, all] = measureCases(
    [
      { label: 'reprodist --jobs 1, four wheels', setup: fourWheels(['--jobs', '1']) },
      { label: `reprodist (default jobs, ${CORES} cores), four wheels`, setup: fourWheels([]) },
    ],
    runs,
  );
  printTable('Four big wheels (time ratio vs --jobs 1)', [baselineRow(single), compareRow(all, single)]);
  return [check('four wheels, default jobs vs --jobs 1', ratio(all.seconds, single.seconds), TARGETS.jobsSpeedup, 'x', all)];
}

/** Many tiny members (the scaling series' inputs): peak RSS at 100,000, and time from 10,000 to 100,000. */
function benchMembers(probe, runs) {
  const checks = [];
  const rows = [];
  for (const kind of ['wheel', 'sdist']) {
    const inputs = [10_000, 100_000].map((members) => seriesInput(kind, members, TINY_MEMBER_BYTES));
    console.log(`\nTiny members, ${kind}: ${inputs.map((f) => path.relative(REPO_DIR, f)).join(', ')}`);
    const [ten, hundred] = measureCases(
      inputs.map((file, i) => ({ label: `reprodist, ${kind} of ${i ? '100,000' : '10,000'} members`, setup: reprodist(probe, file) })),
      runs,
    );
    rows.push(baselineRow(ten, { forSize: false }), compareRow(hundred, ten));
    checks.push(rssCheck(`${kind} of 100,000 tiny members, peak RSS`, hundred));
    checks.push(check(`${kind} time, 100,000 members vs 10,000`, ratio(hundred.seconds, ten.seconds), TARGETS.membersGrowth, 'x', hundred));
    checks.push(rssCheck(`compare --json of that ${kind} with its normal form, peak RSS`, compareWithNormalForm(probe, inputs[1])));
  }
  printTable('Tiny members (time ratio vs 10,000 members)', rows);
  return checks;
}

/**
 * One `compare --json` of an input with its normal form (made first, not timed): both sides' members,
 * content and metadata, and every example of every change in the document. Exit 1: they differ.
 */
function compareWithNormalForm(probe, input) {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'reprodist-bench-'));
  try {
    const made = timeOnce(reprodist(probe, input)(tmp).argv, { cwd: REPO_DIR });
    if (made.failure) return made;
    const run = timeOnce([...REPRODIST_COMMAND, 'compare', '--json', input, path.join(tmp, 'out', path.basename(input))], { cwd: REPO_DIR, okExitCodes: [1], discardOutput: true });
    console.log(`  compare --json with its normal form: ${run.failure ?? `${fmtSeconds(run.seconds)} s, ${fmtMiB(run.rssKiB)} MiB`}`);
    return run;
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/**
 * An sdist of 1,000,000 tiny members, past the members one table holds (sorted runs on disk): peak
 * RSS, and time against 100,000 (one run each: a run takes a minute or two); and the peak RSS of
 * `compare --json` of it with its normal form (its metadata paired through sorted runs too).
 */
function benchMillion(probe) {
  const inputs = [100_000, 1_000_000].map((members) => seriesInput('sdist', members, TINY_MEMBER_BYTES));
  console.log(`\n1,000,000 members: ${inputs.map((f) => path.relative(REPO_DIR, f)).join(', ')}`);
  const [hundred, million] = measureCases(
    inputs.map((file, i) => ({ label: `reprodist, sdist of ${i ? '1,000,000' : '100,000'} members`, setup: reprodist(probe, file) })),
    1,
  );
  printTable('1,000,000 members (time ratio vs 100,000 members)', [baselineRow(hundred, { forSize: false }), compareRow(million, hundred)]);
  return [
    rssCheck('sdist of 1,000,000 tiny members, peak RSS', million),
    check('sdist time, 1,000,000 members vs 100,000', ratio(million.seconds, hundred.seconds), TARGETS.millionGrowth, 'x', million),
    rssCheck('compare --json of that sdist with its normal form, peak RSS', compareWithNormalForm(probe, inputs[1])),
  ];
}

/** Peak RSS on 40,000 members: plain files (the scaling series' inputs) and hard links to one file. */
function benchMembers40k(probe, runs) {
  const plain = seriesInput('sdist', 40_000, TINY_MEMBER_BYTES);
  const links = ensureInput(INPUTS.links);
  console.log(`\n40,000 members: ${path.relative(REPO_DIR, plain)}; ${describeInput(links)}`);
  const results = measureCases(
    [
      { label: 'reprodist, sdist of 40,000 plain files', setup: reprodist(probe, plain) },
      { label: 'reprodist, sdist of 40,000 hard links', setup: reprodist(probe, links.file) },
    ],
    runs,
  );
  printTable('40,000 members (peak RSS)', results.map(plainRow));
  return results.map((r) => rssCheck(`${r.label.replace('reprodist, ', '')}, peak RSS`, r));
}

/**
 * `check` on real PyPI wheels of 150-250 MB (issue #22's list), the largest file of each project
 * found in `dir`: peak RSS, one run each. Exit 1 (not in normal form) is what these give.
 */
function benchReal(probe, dir) {
  const files = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.whl')) : [];
  const wheels = REAL_WHEEL_PROJECTS.flatMap((project) => {
    const mine = files.filter((f) => f.startsWith(`${project}-`)).map((f) => path.join(dir, f));
    return mine.length ? [mine.sort((a, b) => fs.statSync(b).size - fs.statSync(a).size)[0]] : [];
  });
  console.log(`\nReal wheels, check: ${wheels.length ? wheels.map((w) => `${path.basename(w)} (${fmtBytes(fs.statSync(w).size)} bytes)`).join(', ') : `none of ${REAL_WHEEL_PROJECTS.join(', ')} in ${dir}`}`);
  if (wheels.length === 0) return [`  n/a   check peak RSS on real wheels: absent (no ${REAL_WHEEL_PROJECTS.join('/')} wheel in ${dir}; give --real-wheels DIR)`];
  const rows = [];
  const checks = [];
  for (const wheel of wheels) {
    const run = timeOnce([...REPRODIST_COMMAND, 'check', wheel], { cwd: REPO_DIR, okExitCodes: [0, 1] });
    const r = { label: `reprodist check ${path.basename(wheel)}`, times: run.failure ? [] : [run.seconds], seconds: run.failure ? undefined : run.seconds, rssKiB: run.rssKiB, digests: new Set(), failure: run.failure };
    console.log(`  run 1/1  ${r.label}: ${r.failure ? `FAILED (${r.failure})` : `${fmtSeconds(r.seconds)} s`}`);
    rows.push(plainRow(r));
    checks.push(rssCheck(`check peak RSS, ${path.basename(wheel)}`, r));
  }
  printTable('Real wheels, check (1 run each)', rows);
  return checks;
}

function benchHuge(probe) {
  const checks = [];
  const rows = [];
  for (const [name, spec] of [['sdist', INPUTS.hugeSdist], ['wheel', INPUTS.hugeWheel]]) {
    const input = ensureInput(spec);
    console.log(`\nHuge ${name}: ${describeInput(input)}`);
    const [r] = measureCases([{ label: `reprodist, huge ${name}`, setup: reprodist(probe, input.file) }], RUNS_HUGE);
    rows.push(plainRow(r));
    checks.push(rssCheck(`huge ${name} peak RSS`, r));
  }
  printTable('Huge members (1 GiB each, 1 run)', rows);
  return checks;
}

function describeInput({ file, stats }) {
  const parts = [path.relative(REPO_DIR, file), `${fmtBytes(stats.bytes)} bytes`];
  if (stats.files) parts.push(`${fmtBytes(stats.files)} files`);
  if (stats.tar_bytes_approx) parts.push(`~${fmtBytes(stats.tar_bytes_approx)} bytes of tar`);
  if (stats.raw_bytes) parts.push(`${fmtBytes(stats.raw_bytes)} bytes uncompressed`);
  if (stats.member_bytes) parts.push(`one ${fmtBytes(stats.member_bytes)}-byte member`);
  if (stats.links) parts.push(`${fmtBytes(stats.links)} hard links`);
  return parts.join(', ');
}

// --- reporting -----------------------------------------------------------------
const COLUMNS = ['case', 'median s', 'peak RSS MiB', 'output bytes', 'time ratio', 'size ratio', 'note'];

function plainRow(r) {
  return [r.label, fmtSeconds(r.seconds), fmtMiB(r.rssKiB), fmtBytes(r.outBytes), '', '', rowNote(r)];
}
function baselineRow(r, { forSize = true } = {}) {
  const row = plainRow(r);
  if (!r.failure) {
    row[4] = '(baseline)';
    if (forSize) row[5] = '(baseline)';
  }
  return row;
}
function compareRow(r, base) {
  const row = plainRow(r);
  row[4] = fmtRatio(ratio(r.seconds, base.seconds));
  row[5] = fmtRatio(ratio(r.outBytes, base.outBytes));
  return row;
}
function rowNote(r) {
  if (r.failure) return `FAILED ${r.failure}`;
  if (r.digests.size > 1) return 'OUTPUT DIFFERS BETWEEN RUNS';
  return r.times.length > 1 ? 'same bytes each run' : '';
}

function printTable(title, rows) {
  const all = [COLUMNS, ...rows];
  const widths = COLUMNS.map((_, i) => Math.max(...all.map((row) => String(row[i]).length)));
  const line = (row) =>
    row.map((cell, i) => (i === 0 || i === row.length - 1 ? String(cell).padEnd(widths[i]) : String(cell).padStart(widths[i]))).join('  ').trimEnd();
  console.log(`\n${title}`);
  console.log(line(COLUMNS));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of rows) console.log(line(row));
}

function check(what, value, limit, unit, result) {
  if (result?.failure || value === undefined) return `  FAIL  ${what} <= ${limit}${unit}: reprodist failed`;
  const verdict = value <= limit ? 'ok  ' : 'MISS';
  return `  ${verdict}  ${what} <= ${limit}${unit}: ${value.toFixed(3)}${unit}`;
}
const rssCheck = (what, r) => check(what, r.rssKiB === undefined ? undefined : r.rssKiB / 1024, TARGETS.peakRssMiB, ' MiB', r);

const loadAverage = () => os.loadavg().map((l) => l.toFixed(2)).join(' ');
const busyWarning = () =>
  os.loadavg()[0] > BUSY_LOAD_PER_CORE * CORES ? ' (machine busy: timings will be noisy)' : '';

// --- main ----------------------------------------------------------------------
function main() {
  const options = parseOptions();
  console.log('reprodist benchmark');
  console.log(`  node ${process.version}, ${CORES} cores (${os.cpus()[0]?.model ?? 'unknown CPU'}), ${os.platform()} ${os.arch()}`);
  console.log(`  ${toolVersion(['gzip', '--version'])}; ${toolVersion(['pigz', '--version'])}; ${toolVersion(['strip-nondeterminism', '--version'])}`);
  const probe = probeReprodist();
  const flags = [probe.subcommand.length ? 'normalize subcommand' : null, probe.jobs ? '--jobs' : null, probe.keepCompression ? '--keep-compression' : null];
  console.log(`  reprodist: ${probe.exists ? 'bin/reprodist' : 'missing'}; supports: ${flags.filter(Boolean).join(', ') || 'none of --jobs/--keep-compression'}`);
  if (probe.note) console.log(`  NOTE: ${probe.note}`);
  console.log(`  load average before: ${loadAverage()}${busyWarning()}`);
  // Every Node start parses that bundle (about 0.4 billion instructions): it raises `node -e 0` and so
  // lowers the small artefact's ratio.
  console.log(`  NODE_EXTRA_CA_CERTS: ${process.env.NODE_EXTRA_CA_CERTS ? `set (${process.env.NODE_EXTRA_CA_CERTS}), which slows every Node start` : 'not set'}`);
  console.log(`  timings: median of ${options.runsBig} runs (small artefact: ${options.runsSmall}); wall time includes process start-up`);

  const checks = [];
  if (options.only.includes('sdist')) checks.push(...benchSdist(probe, options.runsBig));
  if (options.only.includes('wheel')) checks.push(...benchWheel(probe, options.runsBig));
  if (options.only.includes('jobs')) checks.push(...benchJobs(probe, options.runsBig));
  if (options.only.includes('members')) checks.push(...benchMembers(probe, options.runsBig));
  if (options.only.includes('members40k')) checks.push(...benchMembers40k(probe, options.runsBig));
  if (options.only.includes('million')) checks.push(...benchMillion(probe));
  if (options.only.includes('real')) checks.push(...benchReal(probe, options.realWheelsDir));
  if (options.only.includes('small')) checks.push(...benchSmall(probe, options.runsSmall));
  if (options.huge) checks.push(...benchHuge(probe));

  console.log('\nTargets');
  for (const c of checks) console.log(c);
  console.log(`\nload average after: ${loadAverage()}${busyWarning()}`);
}

main();
