// Crash safety: SIGKILL at any moment leaves the original byte-identical and only recognisable
// scratch files, which the next run removes; Ctrl-C cleans up and ends by SIGINT (a shell reports 130).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { constants } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { CLI, PYTHON, requireTools, runCli, runOk, tmpDir } from '../helpers/tools.js';

const SCRATCH = /^\.reprodist-\d+-[0-9a-f]{8}\.(tmp|spool)$/;

function sha256(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/** An sdist big enough (about 30 MB of tar) that normalizing it takes a few seconds. */
function bigSdist(dir: string): string {
  const path = join(dir, 'big-1.0.tar.gz');
  runOk(PYTHON, ['-c', `
import glob, os, sys, tarfile
files = [f for f in sorted(glob.glob('/usr/lib/python3*/**/*.py', recursive=True)) if not os.path.islink(f)]
with tarfile.open(sys.argv[1], 'w:gz', compresslevel=1) as t:
    for i, f in enumerate(files[:4000]):
        t.add(f, 'big-1.0/%05d.py' % i)
`, path]);
  return path;
}

/** Starts the CLI on `archive`, waits until it has written scratch files, then sends `signal`. */
async function interrupt(archive: string, dir: string, signal: NodeJS.Signals): Promise<number | null> {
  const child = spawn(process.execPath, [CLI, '--jobs', '1', archive], { stdio: 'ignore' });
  // A signal's end is reported as a shell does: 128 + its number.
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code, sig) => resolve(code ?? (sig ? 128 + constants.signals[sig] : null))));
  for (let i = 0; i < 400 && !readdirSync(dir).some((n) => n.endsWith('.tmp')); i++) await sleep(25);
  await sleep(300);
  child.kill(signal);
  return exited;
}

test('SIGKILL mid-write: original intact, scratch recognisable, removed by the next run', async (t) => {
  if (!requireTools(t, PYTHON)) return;
  const dir = tmpDir(t);
  const archive = bigSdist(dir);
  const before = sha256(archive);
  await interrupt(archive, dir, 'SIGKILL');
  assert.equal(sha256(archive), before);
  const leftovers = readdirSync(dir).filter((n) => n !== 'big-1.0.tar.gz');
  assert.ok(leftovers.length > 0, 'the killed run left its scratch files');
  for (const name of leftovers) assert.match(name, SCRATCH);
  const next = runCli(['--jobs', '1', archive]);
  assert.equal(next.code, 0, next.stderr);
  assert.deepEqual(readdirSync(dir), ['big-1.0.tar.gz']);
  assert.equal(runCli(['check', archive]).code, 0);
});

test('Ctrl-C: exit 130, scratch removed, original intact', async (t) => {
  if (!requireTools(t, PYTHON)) return;
  const dir = tmpDir(t);
  const archive = bigSdist(dir);
  const before = sha256(archive);
  assert.equal(await interrupt(archive, dir, 'SIGINT'), 130);
  assert.equal(sha256(archive), before);
  assert.deepEqual(readdirSync(dir), ['big-1.0.tar.gz']);
});
