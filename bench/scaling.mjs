#!/usr/bin/env node
// Scaling shown, not claimed: time and peak memory of reprodist against the usual tools over a
// series of inputs, 1,000 / 10,000 / 100,000 / 1,000,000 members and 10 MB / 100 MB / 1 GB of
// content, plotted log-log in bench/results/scaling.svg (with the figures in scaling.json). See
// bench/README.md.
//
//   node bench/scaling.mjs                  the whole series
//   node bench/scaling.mjs --skip-1gb       without the 1 GB point (a quicker run)
//   node bench/scaling.mjs --skip-1m        without the 1,000,000-member point (a quicker run)
//   node bench/scaling.mjs --timeout 300    seconds before a run is stopped (drawn hollow)

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { REPRODIST_COMMAND, TINY_MEMBER_BYTES, median, seriesInput, timeOnce } from './measure.mjs';
import { renderSvg } from './plot.mjs';

const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));
const REPO_DIR = path.dirname(BENCH_DIR);
const RESULTS_DIR = path.join(BENCH_DIR, 'results');
const EPOCH = '1700000000';

/** 1,000 members for the content series (the member series' members are tiny). */
const CONTENT_MEMBERS = 1000;
const MEMBER_COUNTS = [1_000, 10_000, 100_000, 1_000_000];
const CONTENT_BYTES = [10_000_000, 100_000_000, 1_000_000_000];

const TOOLS = {
  wheel: [
    { label: 'reprodist (wheel)', color: '#1f5fbf', argv: (input, out) => [...REPRODIST_COMMAND, '--epoch', EPOCH, '--out', out, input] },
    { label: 'reprodist --keep-compression (wheel)', color: '#1f5fbf', dash: '6 4', argv: (input, out) => [...REPRODIST_COMMAND, '--keep-compression', '--epoch', EPOCH, '--out', out, input] },
    { label: 'strip-nondeterminism -t zip', color: '#c0392b', copy: true, argv: (input, out) => ['strip-nondeterminism', '-t', 'zip', path.join(out, path.basename(input))] },
  ],
  sdist: [
    { label: 'reprodist (sdist)', color: '#1e8449', argv: (input, out) => [...REPRODIST_COMMAND, '--epoch', EPOCH, '--out', out, input] },
    { label: 'gzip -dc | gzip -9n', color: '#d68910', argv: (input, out) => ['sh', '-c', 'gzip -dc -- "$1" | gzip -9n > "$2"', 'sh', input, path.join(out, path.basename(input))] },
  ],
};

function parseOptions() {
  const { values } = parseArgs({
    options: {
      'skip-1gb': { type: 'boolean', default: false },
      'skip-1m': { type: 'boolean', default: false },
      timeout: { type: 'string', default: '300' },
      runs: { type: 'string', default: '1' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log('usage: node bench/scaling.mjs [--skip-1gb] [--skip-1m] [--timeout SECONDS] [--runs N]');
    process.exit(0);
  }
  const timeout = Number(values.timeout);
  const runs = Number(values.runs);
  if (!(timeout > 0) || !(Number.isInteger(runs) && runs > 0)) throw new Error('--timeout and --runs take positive numbers');
  return { skip1gb: values['skip-1gb'], skip1m: values['skip-1m'], timeout, runs };
}

/** Runs one tool on one input `runs` times: median seconds, largest peak RSS, or how it stopped. */
function measure(tool, input, { timeout, runs }) {
  const times = [];
  let rssKiB = 0;
  for (let i = 0; i < runs; i++) {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'reprodist-scaling-'));
    try {
      if (tool.copy) fs.copyFileSync(input, path.join(out, path.basename(input))); // it rewrites in place; not timed
      const run = timeOnce(tool.argv(input, out), { cwd: REPO_DIR, timeoutSeconds: timeout });
      if (run.timedOut) return { seconds: timeout, rssKiB: run.rssKiB, stopped: true };
      if (run.failure) return { failure: run.failure };
      times.push(run.seconds);
      rssKiB = Math.max(rssKiB, run.rssKiB ?? 0);
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  }
  return { seconds: median(times), rssKiB };
}

function main() {
  const options = parseOptions();
  const points = [
    ...MEMBER_COUNTS.filter((members) => !(options.skip1m && members >= 1e6)).map((members) => ({ series: 'members', x: members, members, memberBytes: TINY_MEMBER_BYTES })),
    ...CONTENT_BYTES.filter((bytes) => !(options.skip1gb && bytes >= 1e9)).map((bytes) => ({ series: 'content', x: bytes, members: CONTENT_MEMBERS, memberBytes: bytes / CONTENT_MEMBERS })),
  ];
  console.log(`scaling series: node ${process.version}, ${os.availableParallelism()} cores, load ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  const results = [];
  // A tool stopped at the time limit on a point is not run on the larger points of that series: it
  // would only be stopped again (strip-nondeterminism on many members), and each costs the limit.
  const stoppedAt = new Set();
  for (const point of points) {
    for (const kind of ['wheel', 'sdist']) {
      const tools = TOOLS[kind].filter((tool) => !stoppedAt.has(`${point.series} ${tool.label}`));
      if (tools.length === 0) continue;
      const input = seriesInput(kind, point.members, point.memberBytes);
      for (const tool of tools) {
        const r = measure(tool, input, options);
        if (r.stopped) stoppedAt.add(`${point.series} ${tool.label}`);
        results.push({ ...point, kind, tool: tool.label, inputBytes: fs.statSync(input).size, ...r });
        const shown = r.failure ? `FAILED ${r.failure}` : `${r.stopped ? '>' : ''}${r.seconds.toFixed(2)} s, ${((r.rssKiB ?? 0) / 1024).toFixed(1)} MiB`;
        console.log(`  ${point.members} members x ${point.memberBytes} B, ${tool.label}: ${shown}`);
      }
    }
    // After every point, so that a long run stopped part way still leaves its figures and plot.
    writeResults(results, options);
  }
  console.log(`wrote ${path.relative(REPO_DIR, path.join(RESULTS_DIR, 'scaling.svg'))} and scaling.json`);
}

function writeResults(results, options) {
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  const when = new Date().toISOString().slice(0, 16).replace('T', ' ');
  const machine = `${os.availableParallelism()} cores, ${os.cpus()[0]?.model ?? 'unknown CPU'}, node ${process.version}`;
  fs.writeFileSync(path.join(RESULTS_DIR, 'scaling.json'), `${JSON.stringify({ when, machine, options, results }, null, 1)}\n`);
  fs.writeFileSync(path.join(RESULTS_DIR, 'scaling.svg'), figure(results, `${when} UTC, ${machine}, ${options.runs} run(s) per point`));
}

/** Four panels: time and peak memory (columns) against members and against content (rows). */
function figure(results, note) {
  const tools = [...TOOLS.wheel, ...TOOLS.sdist];
  const lines = (series, value) =>
    tools.map((tool) => ({
      ...tool,
      points: results
        .filter((r) => r.series === series && r.tool === tool.label && !r.failure)
        .map((r) => ({ x: r.x, y: value(r), stopped: r.stopped })),
    }));
  const seconds = (r) => r.seconds;
  const mib = (r) => (r.rssKiB ?? 0) / 1024;
  const axes = {
    members: { xLabel: `members (${TINY_MEMBER_BYTES} bytes each)` },
    content: { xLabel: `bytes of content (${CONTENT_MEMBERS.toLocaleString('en-US')} members)`, xUnit: 'B' },
  };
  const row = (series, what) => [
    { title: `Time against ${what}`, ...axes[series], yLabel: 'wall time, seconds', yUnit: ' s', series: lines(series, seconds), guides: true },
    { title: `Peak memory against ${what}`, ...axes[series], yLabel: 'peak RSS, MiB', series: lines(series, mib) },
  ];
  return renderSvg({
    title: 'reprodist against strip-nondeterminism (wheels) and gzip (sdists), log-log',
    rows: [row('members', 'members'), row('content', 'content size')],
    legend: tools,
    note: `Hollow points: stopped at the time limit (the true value is higher). ${note}`,
  });
}

main();
