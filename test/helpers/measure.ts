// What a run of the CLI costs, by counters that do not depend on the machine's speed or load:
// peak memory (GNU time's %M, the largest resident set) and the JavaScript work it does (V8's
// block coverage counts and the bytes its heap allocated). Durations are the bench's (bench/),
// never a test's.

import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { nodeLauncher } from '../../scripts/node-flags.mjs';
import { CLI, REPO_ROOT, run, runAsync, type RunOptions, type RunResult } from './tools.js';

/** The memory bound of the normal form's promise (issues 5 and 11: 146 MiB for every input). */
export const MAX_RSS_KIB = 146 * 1024;

export interface Measured extends RunResult {
  /** Peak resident set of the CLI's process, in KiB. */
  rssKiB: number;
}

/** GNU time, which measured() runs the CLI under: requireTools(t, GNU_TIME). */
export const GNU_TIME = '/usr/bin/time';
const PEAK_FORMAT = 'peak-rss-kib %M';

/** The CLI under GNU time, with the environment and the flags bin/reprodist's first line gives node when run directly. */
function timedArgv(args: readonly string[]): string[] {
  return ['-f', PEAK_FORMAT, ...nodeLauncher(), CLI, ...args];
}

/** Takes GNU time's lines out of stderr and its figure into rssKiB. */
function withPeak(result: RunResult): Measured {
  const peak = /peak-rss-kib (\d+)\n?$/.exec(result.stderr);
  if (!peak) throw new Error(`GNU time printed no peak RSS:\n${result.stderr}`);
  const stderr = result.stderr.slice(0, peak.index).replace(/Command (exited with non-zero status \d+|terminated by signal \d+)\n$/, '');
  return { ...result, stderr, rssKiB: Number(peak[1]) };
}

/** Runs the CLI with `args` under GNU time. */
export function measured(args: readonly string[], opts: Omit<RunOptions, 'input'> = {}): Measured {
  return withPeak(run(GNU_TIME, timedArgv(args), { timeout: 600_000, ...opts }));
}

/** measured() without blocking this process, for a CLI that talks to a server running in it. */
export async function measuredAsync(args: readonly string[], opts: Omit<RunOptions, 'input'> = {}): Promise<Measured> {
  return withPeak(await runAsync(GNU_TIME, timedArgv(args), { timeout: 600_000, ...opts }));
}

export interface Counted extends RunResult {
  /**
   * How many times the blocks of reprodist's own code ran: the sum of V8's precise block coverage
   * counts over the scripts of dist/. It catches a loop in our code that runs too often; work inside
   * V8's built-ins (an array copy, an indexOf) is not in it.
   */
  blocks: number;
  /**
   * Bytes the main thread's JavaScript heap allocated (test/helpers/allocation-counter.mjs). It
   * catches what blocks miss: a copy made by a built-in, an array spread once per member.
   */
  allocatedBytes: number;
}

const DIST_URL = pathToFileURL(join(REPO_ROOT, 'dist')).href + '/';
const ALLOCATION_COUNTER = fileURLToPath(new URL('./allocation-counter.mjs', import.meta.url));

/**
 * Runs the CLI with `args` and counts the work it does. The same input gives the same counts on any
 * machine, under any load (to a few parts in ten thousand, from the order of asynchronous events), so
 * the ratio of two runs on inputs of two sizes shows how the work grows with the size. Deflate work
 * in the pool's threads is in neither count: keep the inputs small enough to stay in one thread.
 */
export function counted(args: readonly string[], opts: Omit<RunOptions, 'input' | 'env'> = {}): Counted {
  const scratch = mkdtempSync(join(tmpdir(), 'reprodist-counted-'));
  const coverage = join(scratch, 'coverage');
  const allocationFile = join(scratch, 'allocated');
  try {
    const env = { ...process.env, NODE_V8_COVERAGE: coverage, REPRODIST_TEST_ALLOCATION_FILE: allocationFile };
    const result = run(process.execPath, ['--import', pathToFileURL(ALLOCATION_COUNTER).href, CLI, ...args], { timeout: 600_000, ...opts, env });
    let blocks = 0;
    for (const file of readdirSync(coverage)) {
      const { result: scripts } = JSON.parse(readFileSync(join(coverage, file), 'utf8')) as V8Coverage;
      for (const script of scripts) {
        if (!script.url.startsWith(DIST_URL)) continue;
        for (const fn of script.functions) for (const range of fn.ranges) blocks += range.count;
      }
    }
    if (blocks === 0) throw new Error(`no coverage of ${DIST_URL} was written: is dist/ built?`);
    return { ...result, blocks, allocatedBytes: Number(readFileSync(allocationFile, 'utf8')) };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/**
 * Fails unless each count of `more` (a run on an input twice the size of `fewer`'s) is under 2.5
 * times that of `fewer`: linear work doubles, a sort adds a few percent, quadratic work quadruples.
 */
export function assertLinearGrowth(fewer: Counted, more: Counted, what: string): void {
  for (const count of ['blocks', 'allocatedBytes'] as const) {
    assert.ok(more[count] / fewer[count] < 2.5, `${what}: ${count} ${fewer[count]} for the smaller input, ${more[count]} for the one twice its size`);
  }
}

/** The part of V8's coverage document (Profiler.takePreciseCoverage) that counted() reads. */
interface V8Coverage {
  result: { url: string; functions: { ranges: { count: number }[] }[] }[];
}
