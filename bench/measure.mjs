// Measuring one command (wall time and peak RSS under GNU time, with an optional time limit) and
// the scaling series' inputs. Shared by bench/run.mjs and bench/scaling.mjs.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CLI_SCRIPT, nodeLauncher } from '../scripts/node-flags.mjs';

export const GNU_TIME = '/usr/bin/time';
const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));
const REPO_DIR = path.dirname(BENCH_DIR);
const SERIES_CACHE_DIR = path.join(BENCH_DIR, '.cache', 'series-v1'); // bump when generate.py's series change
/** The member series' members: tiny files, so that the count is what grows. */
export const TINY_MEMBER_BYTES = 200;
const MAX_CAPTURE_BYTES = 64 * 1024 * 1024;

/**
 * How to run reprodist as its users do: this Node with the environment and the flags of
 * bin/reprodist's first line (the `#!/usr/bin/env -S NAME=VALUE node FLAGS` that npm's shim and the
 * Python wrapper both honour), then the script.
 */
export const REPRODIST_COMMAND = [...nodeLauncher(), CLI_SCRIPT];

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

export function firstLines(text) {
  const lines = text.split('\n').map((l) => l.trim()).filter(Boolean);
  const first = lines[0] ?? '(no output)';
  // Node's uncaught errors start with a source location; show the error line too.
  const error = lines.find((l) => /\b\w*Error\b/.test(l));
  return error && error !== first ? `${first} | ${error}` : first;
}

/**
 * Runs argv under GNU time once: wall seconds, peak RSS (KiB), and a failure line when it failed
 * (an exit code not in `okExitCodes`). With `timeoutSeconds`, a run still going then is killed and
 * reported as `timedOut`. With `discardOutput`, standard output goes nowhere rather than into a
 * buffer, whose limit would stop a command that writes more (a compare --json of 1,000,000 members
 * writes 90 MB).
 */
export function timeOnce(argv, { cwd, timeoutSeconds, okExitCodes = [0], discardOutput = false } = {}) {
  const timeFile = path.join(os.tmpdir(), `reprodist-bench-time-${process.pid}`);
  const started = performance.now();
  // The time limit is coreutils' timeout around GNU time: it kills their whole process group. A
  // limit of spawnSync's own killed GNU time alone, and the measured command ran on beside the next.
  const timed = [GNU_TIME, '-f', '%e %M', '-o', timeFile, '--', ...argv];
  const r = spawnSync(timeoutSeconds ? 'timeout' : timed[0], [...(timeoutSeconds ? ['--signal=KILL', String(timeoutSeconds)] : []), ...timed.slice(timeoutSeconds ? 0 : 1)], {
    cwd,
    encoding: 'utf8',
    maxBuffer: MAX_CAPTURE_BYTES,
    stdio: ['ignore', discardOutput ? 'ignore' : 'pipe', 'pipe'],
  });
  const seconds = (performance.now() - started) / 1000;
  // With a failing command GNU time writes "Command exited with ..." before the figures.
  const timeLines = fs.existsSync(timeFile) ? fs.readFileSync(timeFile, 'utf8').trim().split('\n') : [];
  fs.rmSync(timeFile, { force: true });
  const rssKiB = Number((timeLines.at(-1) ?? '').split(' ')[1]) || undefined;
  // At the limit timeout(1) sends SIGKILL to its process group, itself included.
  if (timeoutSeconds && (r.signal === 'SIGKILL' || r.status === 137) && seconds >= timeoutSeconds) return { seconds, rssKiB, timedOut: true, failure: `stopped after ${timeoutSeconds} s` };
  const failure =
    r.error || !okExitCodes.includes(r.status)
      ? `exit ${r.status ?? r.signal ?? r.error?.code}: ${firstLines(`${r.stderr ?? ''}\n${r.stdout ?? ''}`)}`
      : undefined;
  return { seconds, rssKiB, failure };
}

/** The input of one point, generated once by generate.py and cached. */
export function seriesInput(kind, members, memberBytes) {
  const ext = kind === 'wheel' ? '-1.0-py3-none-any.whl' : '-1.0.tar.gz';
  const stem = kind === 'wheel' ? 'serieswheel' : 'seriesproj';
  const dir = path.join(SERIES_CACHE_DIR, `${members}x${memberBytes}`);
  const file = path.join(dir, `${stem}${ext}`);
  if (fs.existsSync(`${file}.json`)) return file;
  fs.mkdirSync(dir, { recursive: true });
  process.stdout.write(`  generating ${path.relative(REPO_DIR, file)} ... `);
  const r = spawnSync('/usr/bin/python3', [path.join(BENCH_DIR, 'generate.py'), `series-${kind}`, file, String(members), String(memberBytes)], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`generate.py series-${kind} failed: ${firstLines(r.stderr ?? '')}`);
  fs.writeFileSync(`${file}.json`, r.stdout);
  console.log('done');
  return file;
}
