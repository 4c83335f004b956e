// Crash safety: SIGKILL at any moment leaves the original byte-identical and only recognisable
// scratch files, which the next run removes; Ctrl-C cleans up and ends by SIGINT (a shell reports 130).
// The run is stopped (SIGSTOP) as soon as its temp output holds data, then signalled: the signal
// lands mid-write by construction, not after a guessed delay.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { bigSdist } from '../helpers/artefacts.js';
import { exitOf, stopWhileWriting } from '../helpers/child.js';
import { CLI, PYTHON, requireTools, runCli, sha256File, tmpDir } from '../helpers/tools.js';

const SCRATCH = /^\.reprodist-\d+-[0-9a-f]{8}\.(tmp|spool)$/;

/** Starts the CLI on `archive`, stops it once its temp output holds data, sends `signal`; its exit status. */
async function interrupt(archive: string, dir: string, signal: NodeJS.Signals): Promise<number> {
  const child = spawn(process.execPath, [CLI, '--jobs', '1', archive], { stdio: 'ignore' });
  const exited = exitOf(child);
  try {
    const temp = await stopWhileWriting(child, dir);
    assert.match(temp, SCRATCH);
    child.kill(signal);
    child.kill('SIGCONT');
    return (await exited).status;
  } finally {
    child.kill('SIGKILL');
  }
}

test('SIGKILL mid-write: original intact, scratch recognisable, removed by the next run', async (t) => {
  if (!requireTools(t, PYTHON)) return;
  const dir = tmpDir(t);
  const archive = bigSdist(dir);
  const before = sha256File(archive);
  assert.equal(await interrupt(archive, dir, 'SIGKILL'), 137);
  assert.equal(sha256File(archive), before);
  const leftovers = readdirSync(dir).filter((n) => n !== 'big-1.0.tar.gz');
  assert.ok(leftovers.some((n) => n.endsWith('.tmp')), `the killed run left its temp output: ${leftovers.join(', ')}`);
  for (const name of leftovers) assert.match(name, SCRATCH);
  const next = runCli(['--jobs', '1', archive]);
  assert.equal(next.code, 0, next.stderr);
  assert.deepEqual(readdirSync(dir), ['big-1.0.tar.gz']);
  assert.equal(runCli(['check', archive]).code, 0);
});

test('Ctrl-C mid-write: exit 130, scratch removed, original intact', async (t) => {
  if (!requireTools(t, PYTHON)) return;
  const dir = tmpDir(t);
  const archive = bigSdist(dir);
  const before = sha256File(archive);
  assert.equal(await interrupt(archive, dir, 'SIGINT'), 130);
  assert.equal(sha256File(archive), before);
  assert.deepEqual(readdirSync(dir), ['big-1.0.tar.gz']);
});
