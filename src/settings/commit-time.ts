// The one reader of a commit's time: `--epoch git` and `epoch = "git"` (HEAD where reprodist runs),
// and verify --build (the commit it rebuilds, whose time is the build's SOURCE_DATE_EPOCH).
import { createRequire } from 'node:module';
import { UsageError } from './errors.js';
import { EPOCH_SECONDS, readText } from './values.js';

/** The committer time of `revision` in the repository around `cwd`; `where` starts any message. */
export function readCommitTime(cwd: string, where: string, revision = 'HEAD'): number {
  // Loaded here, not at start-up: most runs read no commit time, and node:child_process costs every
  // start about 12 ms (this function is synchronous, so a require rather than an import()).
  const { execFileSync } = createRequire(import.meta.url)('node:child_process') as typeof import('node:child_process');
  let out: string;
  try {
    out = execFileSync('git', ['log', '-1', '--format=%ct', revision, '--'], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    // git's own reason (not a repository, no commits, dubious ownership...), not a guess.
    const reason = String((error as { stderr?: unknown }).stderr ?? '').trim().split('\n').find((line) => line.trim() !== '');
    throw new UsageError(`${where}: cannot read the commit time of ${revision}${reason ? `: ${reason.replace(/^fatal: /, '')}` : ' (is git installed?)'}`);
  }
  return readText(EPOCH_SECONDS, out.trim(), `${where} (the commit time of ${revision})`);
}
