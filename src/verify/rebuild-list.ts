// `rebuild --list FILE --results DIR`: many releases, a bounded number at a time, one JSON result per
// release written (atomically) into DIR as soon as it is done. A release that already has a result is
// not rebuilt again, so a run stopped by Ctrl-C or a crash resumes where it was.
import { readFile, rename, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describeError, scratchPath } from '../normalize/index.js';
import { rebuild } from './rebuild-release.js';
import { parseRelease } from './simple-index.js';
import type { RebuildOptions, ReleaseRebuild } from './rebuild-release.js';
import { VERDICT_RANK } from './verdict.js';
import type { FileVerdict } from './verdict.js';

export interface ListedRelease {
  release: string;
  /** The release's verdict: the worst of its rebuilt files', else not-rebuilt. */
  verdict: FileVerdict;
  verdicts: string[];
  problems: string[];
  exitCode: number;
  /** Whether this run rebuilt it (false: its result was already in the results directory). */
  rebuilt: boolean;
}

export interface RebuildListReport {
  command: 'rebuild';
  list: string;
  /** Where each release's result file is. */
  resultsDir: string;
  /** One per release of the list. */
  results: ListedRelease[];
  skipped: number;
  /** How many releases have each verdict. */
  summary: Record<FileVerdict, number>;
  problems: string[];
  /** 2 when a line is not NAME==VERSION or a release could not be rebuilt, else 1 when any differs, else 0. */
  exitCode: number;
}

/** The result file of a release: `name-version.json`, nothing but safe characters. */
export function resultFileName(release: string): string {
  const parsed = parseRelease(release)!;
  return `${parsed.name.toLowerCase()}-${parsed.version}`.replace(/[^A-Za-z0-9._+-]/g, '_') + '.json';
}

export function releaseVerdict(result: Pick<ReleaseRebuild, 'results' | 'problems'>): FileVerdict {
  if (result.results.some((file) => file.verdict === 'refused')) return 'refused';
  const rebuilt = result.results.map((file) => file.verdict).filter((v) => v !== 'not-rebuilt');
  if (rebuilt.length === 0 || result.problems.length > 0) return 'not-rebuilt';
  return rebuilt.sort((a, b) => VERDICT_RANK[b] - VERDICT_RANK[a])[0]!;
}

export async function rebuildList(listFile: string, resultsDir: string, jobs: number, options: Omit<RebuildOptions, 'release'>): Promise<RebuildListReport> {
  const report: RebuildListReport = { command: 'rebuild', list: listFile, resultsDir, results: [], skipped: 0, summary: { identical: 0, reproduced: 0, 'tool-metadata': 0, differs: 0, 'not-rebuilt': 0, refused: 0 }, problems: [], exitCode: 0 };
  let lines: string[];
  try {
    lines = (await readFile(listFile, 'utf8')).split('\n').map((line) => line.replace(/#.*/, '').trim()).filter(Boolean);
    await mkdir(resultsDir, { recursive: true });
  } catch (error) {
    report.problems.push(describeError(error));
    report.exitCode = 2;
    return report;
  }
  const releases: string[] = [];
  for (const [i, line] of lines.entries()) {
    if (parseRelease(line)) releases.push(line);
    else report.problems.push(`${listFile}:${i + 1}: expected NAME==VERSION, got ${JSON.stringify(line)}`);
  }
  const slots: (ListedRelease | undefined)[] = releases.map(() => undefined);
  let next = 0;
  const worker = async () => {
    while (next < releases.length) {
      const i = next++;
      slots[i] = await one(releases[i]!, resultsDir, options);
    }
  };
  await Promise.all(Array.from({ length: Math.min(jobs, releases.length) }, worker));
  report.results = slots.filter((r): r is ListedRelease => r !== undefined);
  for (const release of report.results) report.summary[release.verdict] += 1;
  report.skipped = report.results.filter((r) => !r.rebuilt).length;
  const codes = report.results.map((r) => r.exitCode);
  report.exitCode = report.problems.length > 0 || codes.includes(2) ? 2 : codes.includes(1) ? 1 : 0;
  return report;
}

async function one(release: string, resultsDir: string, options: Omit<RebuildOptions, 'release'>): Promise<ListedRelease> {
  const path = join(resultsDir, resultFileName(release));
  let result: ReleaseRebuild | undefined;
  try {
    result = JSON.parse(await readFile(path, 'utf8')) as ReleaseRebuild;
  } catch {
    // Not done yet (or a torn result, which the atomic write below never leaves): rebuild it.
  }
  const rebuilt = result === undefined;
  if (!result) {
    const step = options.onStep;
    result = await rebuild({ ...options, release, ...(step ? { onStep: (message: string) => step(`${release}: ${message}`) } : {}) });
    const temp = scratchPath(resultsDir, 'tmp');
    await writeFile(temp, `${JSON.stringify(result, null, 2)}\n`);
    await rename(temp, path);
  }
  return {
    release,
    verdict: releaseVerdict(result),
    verdicts: result.results.map((file) => `${file.name} ${file.verdict}`),
    problems: result.problems,
    exitCode: result.exitCode,
    rebuilt,
  };
}
