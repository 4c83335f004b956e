// Test helpers: tool detection, process running and temporary directories.
//
// requireTools() skips a test locally when a tool is missing, but throws when
// process.env.CI is set: CI must fail loudly, never skip silently.

import { createHash } from 'node:crypto';
import { spawn, spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, accessSync, constants as fsConstants } from 'node:fs';
import { constants, tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The system interpreter: Debian's build backends live there, not in pyenv. */
export const PYTHON = '/usr/bin/python3';

/** Repository root (test/helpers/ -> ../../). */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Path of the CLI entry point, run as `node bin/reprodist ...`. */
export const CLI = fileURLToPath(new URL('../../bin/reprodist', import.meta.url));

/** Python modules known to requireTools() by bare name. Any name can also be given as `py:<module>`. */
const PY_MODULES: Record<string, string> = {
  build: 'build',
  setuptools: 'setuptools',
  wheel: 'wheel',
  hatchling: 'hatchling',
  flit_core: 'flit_core',
  'poetry-core': 'poetry.core',
  'poetry.core': 'poetry.core',
  pip: 'pip',
};

/** Build backend name (as used in fixtures/backends/) -> python module it needs. */
export const BACKEND_MODULES: Record<string, string> = {
  setuptools: 'py:setuptools',
  hatchling: 'py:hatchling',
  flit: 'py:flit_core',
  poetry: 'py:poetry.core',
};

export interface RunOptions {
  cwd?: string;
  /** Full environment for the child (default: process.env). */
  env?: NodeJS.ProcessEnv;
  input?: string | Buffer;
  /** Milliseconds before the child is killed (SIGKILL), default 300 s: only a guard against a hang. */
  timeout?: number;
}

const DEFAULT_TIMEOUT_MS = 300_000;

export interface RunResult {
  /** Exit status; 128+signal number when killed by a signal. */
  code: number;
  stdout: string;
  stderr: string;
}

/** A process's end as a shell reports it: its exit status, or 128 + the number of the signal that ended it. */
export function exitStatus(code: number | null, signal: NodeJS.Signals | null): number {
  return code ?? (signal ? 128 + constants.signals[signal] : 1);
}

/** spawnSync without a shell. Throws only when the program cannot be started at all (e.g. ENOENT). */
export function run(cmd: string, args: readonly string[] = [], opts: RunOptions = {}): RunResult {
  const spawnOpts: SpawnSyncOptions = {
    cwd: opts.cwd,
    env: opts.env ?? process.env,
    input: opts.input,
    timeout: opts.timeout ?? DEFAULT_TIMEOUT_MS,
    killSignal: 'SIGKILL',
    maxBuffer: 256 * 1024 * 1024,
    shell: false,
    stdio: ['pipe', 'pipe', 'pipe'],
  };
  const r = spawnSync(cmd, [...args], spawnOpts);
  if (r.error) {
    throw new Error(`cannot run ${cmd} ${args.join(' ')}: ${r.error.message}`);
  }
  return {
    code: exitStatus(r.status, r.signal),
    stdout: r.stdout ? r.stdout.toString('utf8') : '',
    stderr: r.stderr ? r.stderr.toString('utf8') : '',
  };
}

/** run() without blocking this process, for a child that talks to a server running in it. Standard input is closed. */
export function runAsync(cmd: string, args: readonly string[] = [], opts: Omit<RunOptions, 'input'> = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, [...args], {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      timeout: opts.timeout ?? DEFAULT_TIMEOUT_MS,
      killSignal: 'SIGKILL',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => void (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => void (stderr += chunk.toString('utf8')));
    child.on('error', (error) => reject(new Error(`cannot run ${cmd} ${args.join(' ')}: ${error.message}`)));
    child.on('close', (code, signal) => resolve({ code: exitStatus(code, signal), stdout, stderr }));
  });
}

/** run() and throw with the output when the exit code is not 0. Returns stdout. */
export function runOk(cmd: string, args: readonly string[] = [], opts: RunOptions = {}): string {
  const r = run(cmd, args, opts);
  if (r.code !== 0) {
    throw new Error(
      `command failed (exit ${r.code}): ${cmd} ${args.join(' ')}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`,
    );
  }
  return r.stdout;
}

/** Run the reprodist CLI (`node bin/reprodist ...`) from the repository root. */
export function runCli(args: readonly string[], opts: RunOptions = {}): RunResult {
  return run(process.execPath, [CLI, ...args], { cwd: REPO_ROOT, ...opts });
}

/** runCli() without blocking this process (whose HTTP server the CLI may be talking to). */
export function runCliAsync(args: readonly string[], opts: Omit<RunOptions, 'input'> = {}): Promise<RunResult> {
  return runAsync(process.execPath, [CLI, ...args], { cwd: REPO_ROOT, ...opts });
}

/** `python3 -c script args...` with the system interpreter; returns stdout, throws on failure. */
export function python(script: string, ...args: string[]): string {
  return runOk(PYTHON, ['-c', script, ...args], { timeout: 600_000 });
}

/** A copy of process.env without SOURCE_DATE_EPOCH (and with extra overrides). */
export function envWithout(extra: NodeJS.ProcessEnv = {}, drop: readonly string[] = ['SOURCE_DATE_EPOCH']): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of drop) delete env[k];
  for (const [k, v] of Object.entries(extra)) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  return env;
}

const toolCache = new Map<string, boolean>();

function onPath(cmd: string): boolean {
  if (cmd.includes('/')) {
    try {
      accessSync(cmd, fsConstants.X_OK);
      return true;
    } catch {
      return false;
    }
  }
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    try {
      accessSync(join(dir, cmd), fsConstants.X_OK);
      return true;
    } catch {
      /* next */
    }
  }
  return false;
}

function pyModuleAvailable(mod: string): boolean {
  const r = spawnSync(PYTHON, ['-c', `import ${mod}`], { stdio: 'ignore', timeout: 60_000 });
  return !r.error && r.status === 0;
}

/** Is one tool available? `py:<module>` or a known module name checks `/usr/bin/python3 -c 'import x'`; anything else is a command on PATH. */
export function hasTool(name: string): boolean {
  const cached = toolCache.get(name);
  if (cached !== undefined) return cached;
  let ok: boolean;
  if (name.startsWith('py:')) ok = onPath(PYTHON) && pyModuleAvailable(name.slice(3));
  else if (name in PY_MODULES) ok = onPath(PYTHON) && pyModuleAvailable(PY_MODULES[name]!);
  else ok = onPath(name);
  toolCache.set(name, ok);
  return ok;
}

/** Anything with node:test's `skip` (TestContext). */
export interface Skippable {
  skip(message?: string): void;
}

/**
 * Check tools. When all are present, return true. Otherwise: with CI set, throw
 * (CI must never skip); locally call t.skip(...) and return false - the caller
 * must then `return`.
 *
 *   if (!requireTools(t, 'tar', 'py:hatchling')) return;
 */
export function requireTools(t: Skippable, ...names: string[]): boolean {
  const missing = names.filter((n) => !hasTool(n));
  if (missing.length === 0) return true;
  const msg = `missing tools: ${missing.join(', ')}`;
  if (process.env.CI) {
    throw new Error(`${msg} (CI is set: tests must not be skipped; install them, see .ci/run)`);
  }
  t.skip(msg);
  return false;
}

/** The test context shape tmpDir() needs to register cleanup (node:test TestContext has `after` since Node 20.13). */
export interface HasAfter {
  after?: (fn: () => void | Promise<void>) => void;
}

const pending = new Set<string>();
let exitHookInstalled = false;

function cleanup(dir: string): void {
  pending.delete(dir);
  if (process.env.KEEP_TMP) return;
  try {
    rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  } catch {
    /* best effort */
  }
}

/**
 * A fresh temporary directory. With a test context, it is removed after that test
 * (t.after); without one (e.g. in a describe-level before() hook) it is removed when the
 * process exits. Set KEEP_TMP=1 to keep everything for debugging.
 */
export function tmpDir(t?: HasAfter, prefix = 'reprodist-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  pending.add(dir);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on('exit', () => {
      for (const d of [...pending]) cleanup(d);
    });
  }
  if (t && typeof t.after === 'function') t.after(() => cleanup(dir));
  return dir;
}

/** True when we can run builds as another uid (root, with setpriv available). */
export function canSwitchUid(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0 && hasTool('setpriv');
}

/** sha256 hex of a file's bytes. */
export function sha256File(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/** Every file of a directory as `name sha256`, sorted by name: two directories with equal lists hold the same bytes. */
export function digestsOf(dir: string): string[] {
  return readdirSync(dir).sort().map((name) => `${name} ${sha256File(join(dir, name))}`);
}
