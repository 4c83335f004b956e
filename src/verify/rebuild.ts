// verify --build: build the sdist and wheel again from a clean clone of HEAD, with SOURCE_DATE_EPOCH
// at the commit time, and normalize them, so that they can be compared with the local ones. A clone
// rather than the working tree, so that nothing uncommitted or ignored can leak into the build.
import { execFile, spawn } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { handlerFor, normalizeArtefact } from '../normalize/index.js';
import type { MtimePolicy, NormalizeOptions } from '../normalize/index.js';
import { artefactsIn, readCommitTime, resolveSettings } from '../settings/index.js';

const run = promisify(execFile);

/** The build could not be done; the message is one line. */
export class RebuildError extends Error {
  override name = 'RebuildError';
}

export interface RebuildOptions {
  /** A directory inside the git working tree whose HEAD is built (its project directory). */
  cwd: string;
  /** Run with `sh -c` in the clone's project directory; must leave the artefacts in `dist/` there. */
  buildCommand: string;
  /** An empty directory that the caller removes afterwards. */
  workDir: string;
  /**
   * Normalizing the rebuilt files: given values win over [tool.reprodist] of the clone's
   * pyproject.toml, and for the epoch, so does the commit time (as SOURCE_DATE_EPOCH would).
   */
  epoch?: number | 'git';
  mtime?: MtimePolicy;
  level?: number;
  onStep?: (message: string) => void;
}

export interface Rebuild {
  /** The commit built (full hash) and its committer time, the SOURCE_DATE_EPOCH of the build. */
  commit: string;
  commitTime: number;
  /** The options the rebuilt artefacts were normalized with. */
  options: NormalizeOptions;
  /** The rebuilt, normalized artefacts. */
  files: string[];
}

async function git(cwd: string, args: string[]): Promise<string> {
  try {
    const { stdout } = await run('git', args, { cwd, maxBuffer: 16 << 20 });
    return stdout.trim();
  } catch (error) {
    const stderr = String((error as { stderr?: unknown }).stderr ?? '').trim().split('\n').pop();
    throw new RebuildError(`git ${args[0]}: ${stderr || (error as Error).message.split('\n')[0]}`);
  }
}

export async function rebuild(options: RebuildOptions): Promise<Rebuild> {
  let top: string;
  try {
    top = await git(options.cwd, ['rev-parse', '--show-toplevel']);
  } catch {
    throw new RebuildError(`--build: ${options.cwd} is not inside a git working tree`);
  }
  const prefix = await git(options.cwd, ['rev-parse', '--show-prefix']);
  let commit: string;
  try {
    commit = await git(options.cwd, ['rev-parse', '--verify', 'HEAD^{commit}']);
  } catch {
    throw new RebuildError(`--build: the repository at ${top} has no commit to build`);
  }
  const commitTime = readCommitTime(options.cwd, '--build', commit);

  const clone = join(options.workDir, 'clone');
  options.onStep?.(`cloning ${commit.slice(0, 12)} of ${top}`);
  await git(options.workDir, ['clone', '--quiet', '--no-checkout', '--', top, clone]);
  await git(clone, ['-c', 'advice.detachedHead=false', 'checkout', '--quiet', '--detach', commit]);
  const project = join(clone, prefix);

  options.onStep?.(`building with ${options.buildCommand} (SOURCE_DATE_EPOCH=${commitTime})`);
  await runBuild(options.buildCommand, project, { ...process.env, SOURCE_DATE_EPOCH: String(commitTime) });

  const dist = join(project, 'dist');
  // artefactsIn lists only names of a kind, so each has its handler.
  const built = (await artefactsIn(dist)).map((name) => ({ name, handler: handlerFor(name)! }));
  if (built.length === 0) throw new RebuildError(`--build: the build command left no .tar.gz or .whl in dist/ (it runs in the project directory and must write there)`);

  // Resolved as `reprodist` would in the clone with the build's SOURCE_DATE_EPOCH (which wins over
  // the file's epoch); `git` there is the time of the commit checked out, the one built.
  const given = { epoch: options.epoch, mtime: options.mtime, level: options.level };
  const { options: normalizeOptions } = resolveSettings(given, { cwd: project, env: { SOURCE_DATE_EPOCH: String(commitTime) } });
  const files: string[] = [];
  for (const { name, handler } of built) {
    options.onStep?.(`normalizing ${name}`);
    const path = join(dist, name);
    const result = await normalizeArtefact(handler, path, normalizeOptions);
    if (result.status === 'refused' || result.status === 'error') throw new RebuildError(`--build: cannot normalize the rebuilt ${name}: ${result.message}`);
    files.push(path);
  }
  return { commit, commitTime, options: normalizeOptions, files };
}

/** Lines of build output kept, to say why a build failed. */
const KEPT_OUTPUT_BYTES = 64 * 1024;

function runBuild(command: string, cwd: string, env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('/bin/sh', ['-c', command], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString('utf8')).slice(-KEPT_OUTPUT_BYTES);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', (error) => reject(new RebuildError(`--build: cannot run /bin/sh: ${error.message}`)));
    child.on('close', (code, signal) => {
      if (code === 0) return resolve();
      const last = output.trim().split('\n').pop()?.trim();
      const how = signal ? `killed by ${signal}` : `exit ${code}`;
      reject(new RebuildError(`--build: ${JSON.stringify(command)} failed (${how})${last ? `: ${last}` : ''}`));
    });
  });
}
