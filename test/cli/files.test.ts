// File-system edges (issue 11): what is not a regular file is refused before anything opens it, a
// signal ends the process even when a thread is blocked in a system call, an input replaced while
// reprodist works is not overwritten, symlinks are written through, owner and group are kept, hard
// links are reported; and the command line: `--`, `-` and --out collisions.
// No assertion depends on timing: the processes are followed through what they print, the file
// system's events and /proc; a process's time limit only turns a hang into a failure.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chownSync, copyFileSync, existsSync, linkSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, renameSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bigSdist } from '../helpers/artefacts.js';
import { collect, exitOf, stopWhileWriting, untilPrinted } from '../helpers/child.js';
import { CLI, PYTHON, REPO_ROOT, requireTools, runCli, runOk, sha256File, tmpDir, type RunResult } from '../helpers/tools.js';

/** A small sdist that is not in normal form. */
const RAW_SDIST = join(REPO_ROOT, 'fixtures/golden/sdist/order.in.tar.gz');
const EPOCH = ['--epoch', '1700000000'];
/** Only turns a hang into a failure (the process is killed); never reached when the code is right. */
const GUARD_MS = 60_000;

/** The CLI in `cwd`, killed if it outlives the guard. */
function cli(args: string[], cwd: string): RunResult {
  return runCli(args, { cwd, timeout: GUARD_MS });
}

function mkfifo(path: string): void {
  runOk('mkfifo', [path]);
}

/** The kernel wait channels of a process's threads (Linux). */
function waitChannels(pid: number): string[] {
  return readdirSync(`/proc/${pid}/task`).map((task) => {
    try {
      return readFileSync(`/proc/${pid}/task/${task}/wchan`, 'utf8');
    } catch {
      return '';
    }
  });
}

test('a FIFO, a symlink to /dev/zero and a directory named like artefacts are refused at once, by every verb', (t) => {
  if (!requireTools(t, 'mkfifo')) return;
  const dir = tmpDir(t);
  mkfifo(join(dir, 'fifo-1.0-py3-none-any.whl'));
  symlinkSync('/dev/zero', join(dir, 'zero-1.0.tar.gz'));
  mkdirSync(join(dir, 'dir-1.0-py3-none-any.whl'));
  const kinds: Record<string, string> = { 'fifo-1.0-py3-none-any.whl': 'a FIFO', 'zero-1.0.tar.gz': 'a character device', 'dir-1.0-py3-none-any.whl': 'a directory' };
  for (const [name, kind] of Object.entries(kinds)) {
    // compare takes a directory as a directory of artefacts (and refuses this one as holding none).
    for (const verb of [[], ['check'], ['digest'], ...(kind === 'a directory' ? [] : [['compare', name]])]) {
      const result = cli([...verb, name], dir);
      assert.equal(result.code, 2, `${verb.join(' ')} ${name}: ${result.stdout}${result.stderr}`);
      assert.ok(result.stderr.includes(`${name}: not a regular file (${kind})`), `${verb.join(' ')} ${name}: ${result.stderr}`);
    }
  }
  // Found by listing the directory too.
  const listed = cli(['check', '.'], dir);
  assert.equal(listed.code, 2);
  for (const [name, kind] of Object.entries(kinds)) assert.ok(listed.stderr.includes(`${name}: not a regular file (${kind})`), listed.stderr);
});

test('a pyproject.toml that is a FIFO is refused, not read for ever', (t) => {
  if (!requireTools(t, 'mkfifo')) return;
  const dir = tmpDir(t);
  mkfifo(join(dir, 'pyproject.toml'));
  copyFileSync(RAW_SDIST, join(dir, 'pkg-1.0.tar.gz'));
  const result = cli(['check', 'pkg-1.0.tar.gz'], dir);
  assert.equal(result.code, 2, result.stderr);
  assert.match(result.stderr, /pyproject\.toml: not a regular file/);
});

test('SIGTERM ends the process even while one of its threads is blocked opening a FIFO', async (t) => {
  if (!requireTools(t, 'mkfifo')) return;
  if (!existsSync('/proc/self/task')) return t.skip('needs /proc to see the blocked thread');
  const dir = tmpDir(t);
  const fifo = join(dir, 'nobody-writes');
  mkfifo(fifo);
  copyFileSync(RAW_SDIST, join(dir, 'pkg-1.0.tar.gz'));
  // A thread of libuv's pool stuck in open(2), as a FIFO, a dead NFS server or a device can leave one:
  // preloaded, so the CLI itself runs unchanged. Before the fix, the handler's process.exit() waited
  // for that thread for ever and only SIGKILL ended the process.
  const blocker = join(dir, 'blocker.mjs');
  writeFileSync(blocker, `import { open } from 'node:fs/promises';\nopen(${JSON.stringify(fifo)}).catch(() => undefined);\n`);
  const child = spawn(process.execPath, ['--import', blocker, CLI, 'check', ...EPOCH, 'pkg-1.0.tar.gz'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], timeout: 2 * GUARD_MS, killSignal: 'SIGKILL' });
  const exited = exitOf(child);
  const stderr = collect(child.stderr);
  try {
    // check has done its work and printed its line; the open(2) of the FIFO, started before the
    // check, keeps the process alive, with one thread waiting for the FIFO's writer.
    await untilPrinted(child.stdout, 'pkg-1.0.tar.gz');
    assert.ok(waitChannels(child.pid!).some((w) => /wait_for_partner|fifo_open/.test(w)), 'a thread is blocked in open(2) of the FIFO');
    child.kill('SIGTERM');
    const { status, signal } = await exited;
    assert.equal(signal, 'SIGTERM', `exit status ${status}, stderr: ${stderr.text()}`);
    assert.match(stderr.text(), /interrupted \(SIGTERM\)/);
    // What a shell reports for it.
    assert.equal(status, 143);
  } finally {
    child.kill('SIGKILL');
  }
});

test('an input replaced while reprodist works is left as the new one, and the run is refused', async (t) => {
  if (!requireTools(t, PYTHON)) return;
  const dir = tmpDir(t);
  const archive = bigSdist(dir);
  const newBuild = join(dir, 'new-build');
  copyFileSync(RAW_SDIST, newBuild);
  const child = spawn(process.execPath, [CLI, '--jobs', '1', ...EPOCH, archive], { stdio: ['ignore', 'ignore', 'pipe'], timeout: GUARD_MS, killSignal: 'SIGKILL' });
  const exited = exitOf(child);
  const stderr = collect(child.stderr);
  try {
    // Stopped while its output is being written: the new build lands at a known point.
    await stopWhileWriting(child, dir);
    renameSync(newBuild, archive);
    child.kill('SIGCONT');
    const { status } = await exited;
    assert.equal(status, 2, stderr.text());
    assert.match(stderr.text(), /changed while reprodist worked on it \(replaced by another file/);
    assert.equal(sha256File(archive), sha256File(RAW_SDIST), 'the new build is untouched');
    assert.deepEqual(readdirSync(dir), ['big-1.0.tar.gz'], 'no scratch left');
  } finally {
    child.kill('SIGKILL');
  }
});

test('a symlinked artefact is written through: the link stays and its target is normalized', (t) => {
  const dir = tmpDir(t);
  mkdirSync(join(dir, 'dist'));
  mkdirSync(join(dir, 'store'));
  copyFileSync(RAW_SDIST, join(dir, 'store/pkg-1.0.tar.gz'));
  symlinkSync('../store/pkg-1.0.tar.gz', join(dir, 'dist/pkg-1.0.tar.gz'));
  const result = cli([...EPOCH, 'dist'], dir);
  assert.equal(result.code, 0, result.stderr);
  assert.ok(lstatSync(join(dir, 'dist/pkg-1.0.tar.gz')).isSymbolicLink(), 'the link stays a link');
  assert.equal(readlinkSync(join(dir, 'dist/pkg-1.0.tar.gz')), '../store/pkg-1.0.tar.gz');
  assert.equal(cli(['check', ...EPOCH, 'store/pkg-1.0.tar.gz'], dir).code, 0, 'the target is in normal form');
  assert.deepEqual(readdirSync(join(dir, 'store')), ['pkg-1.0.tar.gz'], 'no scratch left beside the target');
});

test('as root, owner, group and mode of the input are kept', (t) => {
  if (process.getuid?.() !== 0) return t.skip('needs root to give a file away');
  const dir = tmpDir(t);
  const archive = join(dir, 'pkg-1.0.tar.gz');
  copyFileSync(RAW_SDIST, archive);
  chownSync(archive, 1234, 2345);
  runOk('chmod', ['640', archive]);
  const result = cli([...EPOCH, archive], dir);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /^normalized/m);
  const stats = statSync(archive);
  assert.deepEqual([stats.uid, stats.gid, stats.mode & 0o7777], [1234, 2345, 0o640]);
});

test('a hard-linked input: the name given gets the normal form, the other link keeps the old bytes, and the output says so', (t) => {
  const dir = tmpDir(t);
  const archive = join(dir, 'pkg-1.0.tar.gz');
  copyFileSync(RAW_SDIST, archive);
  linkSync(archive, join(dir, 'other-name'));
  const result = cli([...EPOCH, archive], dir);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /note: .*pkg-1\.0\.tar\.gz had 1 other hard link, which keeps the old bytes/);
  assert.equal(sha256File(join(dir, 'other-name')), sha256File(RAW_SDIST));
  assert.equal(cli(['check', ...EPOCH, archive], dir).code, 0);
});

test('`--` ends the options: the paths after it are used, even one that starts with - or names a verb', (t) => {
  const dir = tmpDir(t);
  mkdirSync(join(dir, 'dist'));
  // dist/ is normal; the file named after -- is not. Before the fix, check looked at dist/ and passed.
  copyFileSync(RAW_SDIST, join(dir, 'dist/pkg-1.0.tar.gz'));
  assert.equal(cli([...EPOCH, 'dist'], dir).code, 0);
  copyFileSync(RAW_SDIST, join(dir, 'notnormal-1.0.tar.gz'));
  copyFileSync(RAW_SDIST, join(dir, '-dash-1.0.tar.gz'));
  copyFileSync(RAW_SDIST, join(dir, 'check'));
  const check = cli(['check', ...EPOCH, '--', 'notnormal-1.0.tar.gz'], dir);
  assert.equal(check.code, 1, check.stdout + check.stderr);
  assert.match(check.stdout, /not normal notnormal-1\.0\.tar\.gz/);
  assert.doesNotMatch(check.stdout, /dist\//);
  const dash = cli([...EPOCH, '--', '-dash-1.0.tar.gz'], dir);
  assert.equal(dash.code, 0, dash.stderr);
  assert.match(dash.stdout, /normalized -dash-1\.0\.tar\.gz/);
  // After --, `check` is a path, not the verb: normalize refuses it as not an artefact by name.
  const verb = cli(['--', 'check'], dir);
  assert.equal(verb.code, 2);
  assert.match(verb.stderr, /check: not an sdist/);
  const compare = cli(['compare', '--', '-dash-1.0.tar.gz', 'dist/pkg-1.0.tar.gz'], dir);
  assert.equal(compare.code, 0, compare.stdout + compare.stderr);
});

test('`-` is refused with a message: no standard input', (t) => {
  const dir = tmpDir(t);
  mkdirSync(join(dir, 'dist'));
  copyFileSync(RAW_SDIST, join(dir, 'dist/pkg-1.0.tar.gz'));
  for (const args of [['-'], ['check', '-'], ['digest', '-'], ['check', '--', '-']]) {
    const result = cli(args, dir);
    assert.equal(result.code, 2, args.join(' '));
    assert.match(result.stderr, /-: reading from standard input .* is not supported/, args.join(' '));
    assert.equal(result.stdout, '', 'nothing was processed instead');
  }
  assert.equal(sha256File(join(dir, 'dist/pkg-1.0.tar.gz')), sha256File(RAW_SDIST), 'dist/ untouched');
});

test('--out with two inputs of one name is refused before anything is written', (t) => {
  const dir = tmpDir(t);
  mkdirSync(join(dir, 'A'));
  mkdirSync(join(dir, 'B'));
  copyFileSync(RAW_SDIST, join(dir, 'A/pkg-1.0.tar.gz'));
  copyFileSync(join(REPO_ROOT, 'fixtures/golden/sdist/setuptools.in.tar.gz'), join(dir, 'B/pkg-1.0.tar.gz'));
  const result = cli(['--out', 'out', 'A/pkg-1.0.tar.gz', 'B/pkg-1.0.tar.gz'], dir);
  assert.equal(result.code, 2);
  assert.match(result.stderr, /--out out: A\/pkg-1\.0\.tar\.gz and B\/pkg-1\.0\.tar\.gz would both be written to out\/pkg-1\.0\.tar\.gz/);
  assert.equal(existsSync(join(dir, 'out')), false, 'nothing written');
  // One of them alone is fine.
  assert.equal(cli(['--out', 'out', 'A/pkg-1.0.tar.gz'], dir).code, 0);
});

test('one file named twice (directly and through a symlink) is normalized once', (t) => {
  const dir = tmpDir(t);
  copyFileSync(RAW_SDIST, join(dir, 'pkg-1.0.tar.gz'));
  symlinkSync('pkg-1.0.tar.gz', join(dir, 'alias-1.0.tar.gz'));
  const result = cli([...EPOCH, '--jobs', '2', 'pkg-1.0.tar.gz', 'alias-1.0.tar.gz'], dir);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout.split('\n').filter((l) => l.startsWith('normalized')).length, 1, result.stdout);
  assert.ok(runCli(['check', ...EPOCH, join(dir, 'pkg-1.0.tar.gz')]).code === 0);
});
