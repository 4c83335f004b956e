// Pythons and isolated build environments for rebuild. Every attempt gets a fresh venv made
// without pip; the build requirements are installed into it by the interpreter's own bundled pip
// wheel (ensurepip's, a PyPI file), run from the wheel, so the venv holds exactly what the build
// needs. The PEP 517 hooks are called by a small driver in that venv, as pypa/build calls them. Every
// process sees a scrubbed environment: a fresh HOME and TMPDIR, PIP_CONFIG_FILE=/dev/null, the
// timewarp index, and nothing of the verifier's own configuration.
import { execFile, spawn } from 'node:child_process';
import { readdir, readFile, realpath, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface PythonInterpreter {
  /** The executable, symbolic links resolved. */
  path: string;
  /** `3.11.7` */
  version: string;
  /** The pip wheel that installs into its venvs (ensurepip's bundled one, or Debian's python-wheels). */
  pipWheel?: string;
}

/** What a probe prints: the version and where a pip wheel lies. */
const PROBE = [
  'import glob, json, os, sys, sysconfig',
  'stdlib = sysconfig.get_paths()["stdlib"]',
  'wheels = sorted(glob.glob(os.path.join(stdlib, "ensurepip", "_bundled", "pip-*.whl"))) or sorted(glob.glob("/usr/share/python-wheels/pip-*.whl"))',
  'print(json.dumps({"version": "%d.%d.%d" % sys.version_info[:3], "pip": wheels[-1] if wheels else None}))',
].join('\n');

/** Python 3 interpreters on PATH (`python3`, `python3.X`) and in pyenv, newest first, one per executable. */
export async function findPythons(explicit?: string): Promise<PythonInterpreter[]> {
  const names = explicit ? [explicit] : candidatesOnDisk();
  const found = new Map<string, PythonInterpreter>();
  for (const candidate of await names) {
    let path: string;
    try {
      path = await realpath(candidate);
    } catch {
      continue;
    }
    if (found.has(path)) continue;
    try {
      const { stdout } = await run(path, ['-I', '-c', PROBE], { timeout: 30_000, env: { PATH: process.env.PATH ?? '' } });
      const probe = JSON.parse(stdout) as { version: string; pip: string | null };
      if (!probe.version.startsWith('3.')) continue;
      found.set(path, { path, version: probe.version, ...(probe.pip ? { pipWheel: probe.pip } : {}) });
    } catch {
      continue;
    }
  }
  return [...found.values()].sort((a, b) => compareVersions(b.version, a.version));
}

async function candidatesOnDisk(): Promise<string[]> {
  const names = ['python3', ...Array.from({ length: 12 }, (_, minor) => `python3.${minor + 6}`)];
  const paths = (process.env.PATH ?? '').split(delimiter).filter((dir) => dir && !dir.includes('/.pyenv/shims'));
  const onPath = paths.flatMap((dir) => names.map((name) => join(dir, name)));
  const pyenvRoot = process.env.PYENV_ROOT ?? join(homedir(), '.pyenv');
  let pyenv: string[] = [];
  try {
    pyenv = (await readdir(join(pyenvRoot, 'versions'))).map((version) => join(pyenvRoot, 'versions', version, 'bin', 'python3'));
  } catch {
    // no pyenv
  }
  return [...pyenv, ...onPath];
}

export function compareVersions(a: string, b: string): number {
  const x = a.split('.').map(Number);
  const y = b.split('.').map(Number);
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** A build's output, kept to its last bytes: what a failed attempt shows. */
export class BuildLog {
  private text = '';

  constructor(private readonly keep = 256 * 1024) {}

  add(chunk: string): void {
    this.text = (this.text + chunk).slice(-this.keep);
  }

  /** The last `count` non-empty lines. */
  tail(count = 20): string[] {
    return this.text.split('\n').map((line) => line.trimEnd()).filter(Boolean).slice(-count);
  }

  toString(): string {
    return this.text;
  }
}

export class BuildFailure extends Error {
  override name = 'BuildFailure';
}

export interface StepContext {
  /** The scrubbed environment every step runs in. */
  env: NodeJS.ProcessEnv;
  log: BuildLog;
  /** Date.now() after which the attempt is stopped (--build-timeout). */
  deadline: number;
}

/** The environment of a build: nothing of the caller's but PATH, plus what the recipe sets. */
export function buildEnvironment(scratch: string, indexUrl: string, extra: Record<string, string>): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: join(scratch, 'home'),
    TMPDIR: join(scratch, 'tmp'),
    LANG: 'C.UTF-8',
    PIP_CONFIG_FILE: '/dev/null',
    PIP_INDEX_URL: indexUrl,
    PIP_DISABLE_PIP_VERSION_CHECK: '1',
    PIP_NO_INPUT: '1',
    ...extra,
  };
}

/** Runs one step of a build; its output goes to the log; a non-zero exit or the deadline is a BuildFailure. */
export function runStep(what: string, command: string, args: readonly string[], cwd: string, context: StepContext): Promise<void> {
  const remaining = context.deadline - Date.now();
  if (remaining <= 0) return Promise.reject(new BuildFailure(`${what}: the build timeout was reached`));
  context.log.add(`$ ${[command, ...args].join(' ')}\n`);
  return new Promise((resolve, reject) => {
    const child = spawn(command, [...args], { cwd, env: context.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      void killTree(child.pid);
    }, remaining);
    const keep = (chunk: Buffer) => context.log.add(chunk.toString('utf8'));
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(new BuildFailure(`${what}: cannot run ${command}: ${error.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (timedOut) return reject(new BuildFailure(`${what}: stopped at the build timeout`));
      if (code === 0) return resolve();
      reject(new BuildFailure(`${what} failed (${signal ? `killed by ${signal}` : `exit ${code}`})`));
    });
  });
}

/** Kills a process and every descendant (pip runs the backend in subprocesses), read from /proc. */
async function killTree(pid: number | undefined): Promise<void> {
  if (pid === undefined) return;
  const children = new Map<number, number[]>();
  try {
    for (const entry of await readdir('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
      // Field 4 (the parent) follows the command name, which is in parentheses and may hold spaces.
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(parent, [...(children.get(parent) ?? []), Number(entry)]);
    }
  } catch {
    // no /proc: only the child itself
  }
  const tree = [pid];
  for (let i = 0; i < tree.length; i++) tree.push(...(children.get(tree[i]!) ?? []));
  for (const member of tree) {
    try {
      process.kill(member, 'SIGKILL');
    } catch {
      // gone already
    }
  }
}

/** The PEP 517 caller, run with the venv's python in the source directory; writes the hook's result as JSON. */
const HOOK_DRIVER = `import importlib, json, os, sys
backend_spec, backend_path, hook, out_dir, result_file = sys.argv[1], json.loads(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
sys.path[:0] = [os.path.abspath(p) for p in backend_path]
module, _, attrs = backend_spec.partition(":")
backend = importlib.import_module(module.strip())
for attr in filter(None, attrs.strip().split(".")):
    backend = getattr(backend, attr)
if hook.startswith("get_requires_for_build_"):
    result = getattr(backend, hook)({}) if hasattr(backend, hook) else []
else:
    result = getattr(backend, hook)(out_dir, {})
with open(result_file, "w") as f:
    json.dump(result, f)
`;

export interface BuildVenv {
  python: string;
  pipWheel: string;
  dir: string;
  driver: string;
}

export async function createVenv(interpreter: PythonInterpreter, dir: string, context: StepContext): Promise<BuildVenv> {
  if (!interpreter.pipWheel) throw new BuildFailure(`Python ${interpreter.version} (${interpreter.path}) has no bundled pip wheel to install build requirements with`);
  await runStep('making the venv', interpreter.path, ['-I', '-m', 'venv', '--without-pip', dir], dir.replace(/\/[^/]+$/, ''), context);
  const driver = join(dir, 'reprodist-hooks.py');
  await writeFile(driver, HOOK_DRIVER);
  return { python: join(dir, 'bin', 'python'), pipWheel: interpreter.pipWheel, dir, driver };
}

/** pip install of `requirements` under `constraints` (a constraints file) from the timewarp index. */
export async function pipInstall(venv: BuildVenv, requirements: readonly string[], constraints: string, cwd: string, context: StepContext): Promise<void> {
  if (requirements.length === 0) return;
  const args = [join(venv.pipWheel, 'pip'), 'install', '--no-compile', '--no-warn-script-location', '--constraint', constraints, '--', ...requirements];
  await runStep(`installing ${requirements.join(', ')}`, venv.python, args, cwd, context);
}

/** Calls a PEP 517 hook; returns what it returned (a list of requirements, or the built file's name). */
export async function callHook(venv: BuildVenv, backend: string, backendPath: readonly string[], hook: string, outDir: string, cwd: string, context: StepContext): Promise<unknown> {
  const resultFile = join(venv.dir, `${hook}.json`);
  await runStep(hook, venv.python, [venv.driver, backend, JSON.stringify(backendPath), hook, outDir, resultFile], cwd, context);
  return JSON.parse(await readFile(resultFile, 'utf8')) as unknown;
}

/** The distributions installed in the venv, from its `*.dist-info` directory names: name to version. */
export async function installedDistributions(venv: BuildVenv): Promise<Record<string, string>> {
  const installed: Record<string, string> = {};
  const lib = join(venv.dir, 'lib');
  for (const python of await readdir(lib).catch(() => [] as string[])) {
    for (const entry of await readdir(join(lib, python, 'site-packages')).catch(() => [] as string[])) {
      const match = /^(.+)-([^-]+)\.dist-info$/.exec(entry);
      if (match) installed[match[1]!.replace(/[-_.]+/g, '-').toLowerCase()] = match[2]!;
    }
  }
  return Object.fromEntries(Object.entries(installed).sort(([a], [b]) => a.localeCompare(b)));
}
