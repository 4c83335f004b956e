// Build the fixture project (fixtures/project + fixtures/backends/<backend>/*) with
// `/usr/bin/python3 -m build --no-isolation --skip-dependency-check` under a chosen
// build condition (umask, faked clock, TZ, source mtimes, another uid, SOURCE_DATE_EPOCH).

import {
  chmodSync,
  copyFileSync,
  cpSync,
  existsSync,
  lchownSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PYTHON, run } from './tools.js';

export type Backend = 'setuptools' | 'hatchling' | 'flit' | 'poetry';
export const BACKENDS: readonly Backend[] = ['setuptools', 'hatchling', 'flit', 'poetry'];

export const FIXTURES = fileURLToPath(new URL('../../fixtures/', import.meta.url));
export const PROJECT_DIR = join(FIXTURES, 'project');
export const BACKENDS_DIR = join(FIXTURES, 'backends');

export const PROJECT_NAME = 'reprodemo';
export const PROJECT_VERSION = '1.0.0';
export const SDIST_NAME = `${PROJECT_NAME}-${PROJECT_VERSION}.tar.gz`;
export const WHEEL_NAME = `${PROJECT_NAME}-${PROJECT_VERSION}-py3-none-any.whl`;

export interface BuildCondition {
  /** umask for the checkout copy and the build (default 0o022). */
  umask?: number;
  /** Fake wall clock via faketime(1), e.g. '2031-05-06 07:08:09' (the clock keeps running from there). */
  fakeTime?: string;
  /** TZ for the build, e.g. 'UTC' or 'Asia/Kolkata' (default: inherited). */
  tz?: string;
  /** Set mtime (seconds since epoch) of every file and directory of the checkout before building. */
  sourceMtime?: number;
  /** Run the build as this uid/gid (needs root and setpriv). */
  uid?: number;
  /** SOURCE_DATE_EPOCH for the build; when undefined it is removed from the environment. */
  sourceDateEpoch?: number;
  /** Extra environment variables (e.g. { LC_ALL: 'C' }). */
  env?: Record<string, string>;
}

export interface BuildOptions {
  backend: Backend;
  /** Where the sdist and the wheel are put (created if needed). */
  outDir: string;
  condition?: BuildCondition;
  /** Keep the temporary checkout (path returned in workDir). */
  keepWorkDir?: boolean;
  /** Changes the checkout before the build (a release with edited sources). */
  edit?: (src: string) => void;
  /**
   * Build another version than 1.0.0 (rewrites pyproject.toml's `version` and `__version__`),
   * e.g. '1.0.0+setuptools' so several backends' artefacts can share one directory.
   */
  version?: string;
}

export interface BuildResult {
  sdist: string;
  wheel: string;
  /** stdout+stderr of the build. */
  log: string;
  /** The temporary checkout; already deleted unless keepWorkDir. */
  workDir: string;
}

const SKIP_NAMES = new Set(['__pycache__', '.pytest_cache', 'dist', 'build', '.git']);

function walk(dir: string, fn: (path: string, isDir: boolean) => void): void {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const st = lstatSync(p);
    if (st.isDirectory()) {
      walk(p, fn);
      fn(p, true); // after its contents
    } else {
      fn(p, false);
    }
  }
}

/** Copy the fixture into `dest` as a fresh checkout would look under `umask`. */
export function makeCheckout(backend: Backend, dest: string, umask = 0o022, version = PROJECT_VERSION): void {
  const backendDir = join(BACKENDS_DIR, backend);
  if (!existsSync(join(backendDir, 'pyproject.toml'))) {
    throw new Error(`no fixtures/backends/${backend}/pyproject.toml`);
  }
  mkdirSync(dest, { recursive: true });
  cpSync(PROJECT_DIR, dest, {
    recursive: true,
    filter: (src) => !SKIP_NAMES.has(basename(src)) && !src.endsWith('.pyc') && !src.endsWith('.egg-info'),
  });
  for (const name of readdirSync(backendDir)) {
    copyFileSync(join(backendDir, name), join(dest, name));
  }
  if (version !== PROJECT_VERSION) {
    for (const [file, re] of [
      [join(dest, 'pyproject.toml'), /^version = "1\.0\.0"$/m],
      [join(dest, 'src/reprodemo/__init__.py'), /^__version__ = "1\.0\.0"$/m],
    ] as const) {
      const text = readFileSync(file, 'utf8');
      if (re.test(text)) writeFileSync(file, text.replace(re, (m) => m.replace('1.0.0', version)));
    }
  }
  // Modes as git would create them: 0666/0777 minus umask, exec bit from the fixture.
  const apply = (p: string, isDir: boolean): void => {
    const st = lstatSync(p);
    if (st.isSymbolicLink()) return;
    const base = isDir || (st.mode & 0o111) !== 0 ? 0o777 : 0o666;
    chmodSync(p, base & ~umask);
  };
  walk(dest, apply);
  apply(dest, true);
}

function setTreeMtime(root: string, seconds: number): void {
  walk(root, (p) => {
    if (!lstatSync(p).isSymbolicLink()) utimesSync(p, seconds, seconds);
  });
  utimesSync(root, seconds, seconds);
}

function chownTree(root: string, uid: number, gid: number): void {
  walk(root, (p) => lchownSync(p, uid, gid));
  lchownSync(root, uid, gid);
}

/** Build sdist and wheel of the fixture project with one backend under one condition. */
export function buildProject(opts: BuildOptions): BuildResult {
  const { backend, outDir } = opts;
  const cond = opts.condition ?? {};
  const umask = cond.umask ?? 0o022;

  const workDir = mkdtempSync(join(tmpdir(), `reprodist-build-${backend}-`));
  try {
    const src = join(workDir, 'reprodemo');
    const buildOut = join(workDir, 'out');
    makeCheckout(backend, src, umask, opts.version);
    opts.edit?.(src);
    if (cond.sourceMtime !== undefined) setTreeMtime(src, cond.sourceMtime);

    const env: NodeJS.ProcessEnv = { ...process.env };
    delete env.SOURCE_DATE_EPOCH;
    delete env.PYTHONPATH;
    delete env.PYTHONHOME;
    env.PYTHONDONTWRITEBYTECODE = '1';
    env.PIP_NO_INDEX = '1';
    if (cond.sourceDateEpoch !== undefined) env.SOURCE_DATE_EPOCH = String(cond.sourceDateEpoch);
    if (cond.tz !== undefined) env.TZ = cond.tz;
    if (cond.env) Object.assign(env, cond.env);

    let argv: string[] = [
      PYTHON, '-m', 'build', '--no-isolation', '--skip-dependency-check', '--outdir', buildOut, src,
    ];
    if (cond.fakeTime !== undefined) argv = ['faketime', cond.fakeTime, ...argv];
    // umask for everything the build creates (setuptools' release tree dirs, egg-info, ...).
    argv = ['/bin/sh', '-c', 'umask "$0" && exec "$@"', umask.toString(8).padStart(4, '0'), ...argv];

    if (cond.uid !== undefined && cond.uid !== process.getuid?.()) {
      if (process.getuid?.() !== 0) throw new Error(`buildProject: uid ${cond.uid} needs root`);
      mkdirSync(buildOut, { recursive: true });
      chownTree(workDir, cond.uid, cond.uid);
      chmodSync(workDir, 0o755);
      env.HOME = workDir;
      env.USER = env.LOGNAME = `u${cond.uid}`;
      argv = ['setpriv', `--reuid=${cond.uid}`, `--regid=${cond.uid}`, '--clear-groups', ...argv];
    }

    // Start the build from a neutral directory (python -m build takes the source dir argument).
    const r = run(argv[0]!, argv.slice(1), { cwd: workDir, env, timeout: 300_000 });
    const log = `$ ${argv.join(' ')}\n${r.stdout}\n${r.stderr}`;
    if (r.code !== 0) throw new Error(`build failed for ${backend} (exit ${r.code})\n${log}`);

    mkdirSync(outDir, { recursive: true });
    const produced = readdirSync(buildOut);
    const pick = (suffix: string): string => {
      const found = produced.filter((f) => f.endsWith(suffix));
      if (found.length !== 1) throw new Error(`build for ${backend}: expected one *${suffix}, got ${produced.join(', ')}\n${log}`);
      const to = join(outDir, found[0]!);
      copyFileSync(join(buildOut, found[0]!), to);
      return to;
    };
    const sdist = pick('.tar.gz');
    const wheel = pick('.whl');
    return { sdist, wheel, log, workDir };
  } finally {
    if (!opts.keepWorkDir && !process.env.KEEP_TMP) rmSync(workDir, { recursive: true, force: true });
  }
}
