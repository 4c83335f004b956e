// One route of a rebuild (the wheel from the published sdist, or the sdist and the wheel from the
// repository): the recipe's attempts in order, each a fresh build (rebuild-attempt.ts) against the
// index as it stood at the upload, each published file judged against the attempt's rebuild
// (verdict.ts), the best judgement of each file kept. Another tool version can only change what the
// tools write, so a route stops at the first attempt that reproduces every file it rebuilt or finds a
// project file that differs.
import { rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { parseArtefactName } from '../normalize/index.js';
import type { PythonInterpreter } from './python-env.js';
import type { Recipe, Route } from './recipe.js';
import { runAttempt } from './rebuild-attempt.js';
import { checkoutFor } from './source-repo.js';
import type { SourceCheckout } from './source-repo.js';
import { judge, VERDICT_RANK } from './verdict.js';
import type { FileVerdict, Judgement } from './verdict.js';

export interface AttemptReport {
  /** 1-based, across the routes. */
  number: number;
  route: Route;
  python: string;
  pins: Record<string, string>;
  /** What the build's venv held. */
  installed: Record<string, string>;
  status: 'built' | 'failed';
  message?: string;
  /** failed: the build log's last lines. */
  logTail?: string[];
  /** The verdict of each published file against this attempt's rebuild. */
  verdicts: Record<string, FileVerdict>;
}

/** A published file's best judgement on a route, and the attempt it comes from. */
export interface RouteJudgement {
  judgement: Judgement;
  attempt: number;
  rebuiltSha256?: string;
}

export interface RouteInput {
  route: Route;
  recipe: Recipe;
  interpreter: PythonInterpreter;
  /** Where the attempts' directories go (each removed when its attempt is judged). */
  workDir: string;
  /** The timewarp index, and what went wrong there so far (said when a build fails). */
  indexUrl: string;
  indexErrors: readonly string[];
  /** The published files by name, read and checked. */
  published: ReadonlyMap<string, string>;
  /** Route sdist: the published sdist; route source: the repository's checkout. */
  sdist?: string;
  checkout?: SourceCheckout;
  timeoutMs: number;
  step: (message: string) => void;
  /** Every attempt of the rebuild so far; this route's are added. */
  attempts: AttemptReport[];
}

export async function runRoute(input: RouteInput): Promise<Map<string, RouteJudgement>> {
  const { recipe, interpreter, step, checkout } = input;
  const best = new Map<string, RouteJudgement>();
  for (const pins of recipe.attempts) {
    const number = input.attempts.length + 1;
    const dir = join(input.workDir, `attempt-${number}`);
    step(`attempt ${number} (${input.route} route): ${Object.entries(pins).map(([p, v]) => `${p} ${v}`).join(', ') || 'unpinned'} on Python ${interpreter.version}`);
    const build = await runAttempt({
      recipe, pins, interpreter, dir, indexUrl: input.indexUrl, timeoutMs: input.timeoutMs,
      onStep: (message) => step(`attempt ${number}: ${message}`),
      ...(checkout ? { checkout: (tree: string) => checkoutFor(checkout, tree) } : { sdist: input.sdist! }),
    });
    const report: AttemptReport = { number, route: input.route, python: interpreter.version, pins, installed: build.installed, status: build.failure ? 'failed' : 'built', verdicts: {} };
    if (build.failure) {
      const reasons = [build.failure, ...input.indexErrors.map((error) => `the index: ${error}`)];
      Object.assign(report, { message: reasons.join('; '), logTail: build.log.tail() });
    }
    input.attempts.push(report);
    const rebuilt = new Map(build.files.map((path) => [basename(path), path]));
    for (const [name, path] of input.published) {
      const counterpart = rebuilt.get(name) ?? sameKind(name, rebuilt);
      if (!counterpart) continue;
      step(`attempt ${number}: comparing ${name}`);
      const judgement = await judge(path, counterpart, join(dir, 'judge', name));
      report.verdicts[name] = judgement.verdict;
      const previous = best.get(name);
      if (!previous || VERDICT_RANK[judgement.verdict] < VERDICT_RANK[previous.judgement.verdict]) {
        best.set(name, { judgement, attempt: number, ...(judgement.comparison.sha256 ? { rebuiltSha256: judgement.comparison.sha256.b } : {}) });
      }
    }
    await rm(dir, { recursive: true, force: true });
    const verdicts = Object.values(report.verdicts);
    if (!build.failure && verdicts.length > 0 && verdicts.every((v) => v !== 'tool-metadata')) break;
  }
  return best;
}

/** The one rebuilt file of the same project and kind (and tags), when the names differ only in spelling. */
function sameKind(name: string, built: ReadonlyMap<string, string>): string | undefined {
  const parsed = parseArtefactName(name);
  const matches = [...built.keys()].filter((other) => {
    const o = parseArtefactName(other);
    return o && parsed && o.kind === parsed.kind && o.project === parsed.project && o.version === parsed.version && o.tags === parsed.tags;
  });
  return matches.length === 1 ? built.get(matches[0]!) : undefined;
}
