// One result shape: each library function resolves to exactly the document its verb's --json prints,
// for the same arguments, on the bundled fixtures.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT, runCli, tmpDir } from '../helpers/tools.js';

const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { exports: { '.': { import: string } } };
const api = (await import(join(REPO_ROOT, pkg.exports['.'].import))) as typeof import('../../src/index.js');

const RAW = join(REPO_ROOT, 'fixtures', 'dist');
const EPOCH = 1700000000;

/** The CLI's --json document for `args`, and its exit code, which the document must repeat. */
function cliDocument(args: string[], cwd = REPO_ROOT): unknown {
  const r = runCli(['--json', ...args], { cwd, env: { ...process.env, SOURCE_DATE_EPOCH: '' } });
  const document = JSON.parse(r.stdout) as { exitCode: number; command: string; results: unknown[]; problems: string[] };
  assert.equal(document.exitCode, r.code, r.stderr);
  assert.deepEqual(Object.keys(document).filter((key) => ['command', 'results', 'problems', 'exitCode'].includes(key)).sort(), ['command', 'exitCode', 'problems', 'results']);
  return document;
}

/** What the library resolved to, as --json would print it (undefined fields dropped). */
function asJson(document: unknown): unknown {
  return JSON.parse(JSON.stringify(document));
}

test('check and digest: library and --json are one document, good paths and bad alike', async () => {
  const paths = [RAW, join(REPO_ROOT, 'no-such-dir'), join(REPO_ROOT, 'README.md')];
  assert.deepEqual(asJson(await api.check(paths, { epoch: EPOCH })), cliDocument(['check', '--epoch', String(EPOCH), ...paths]));
  assert.deepEqual(asJson(await api.digest(paths)), cliDocument(['digest', ...paths]));
});

test('a bad setting in [tool.reprodist] is a problem of the one document, not a throw', async (t) => {
  const dir = tmpDir(t);
  writeFileSync(join(dir, 'pyproject.toml'), '[tool.reprodist]\nlevel = 12\n');
  const fromCli = cliDocument(['check', '--epoch', String(EPOCH), RAW], dir);
  const cwd = process.cwd();
  process.chdir(dir);
  try {
    const fromLibrary = asJson(await api.check(RAW, { epoch: EPOCH })) as { exitCode: number; problems: string[] };
    assert.deepEqual(fromLibrary, fromCli);
    assert.equal(fromLibrary.exitCode, 2);
    assert.match(fromLibrary.problems[0]!, /level/);
  } finally {
    process.chdir(cwd);
  }
});

test('normalize: library and --json are one document', async (t) => {
  const dir = tmpDir(t);
  const out = join(dir, 'out');
  const fromCli = cliDocument(['--epoch', String(EPOCH), '--out', out, RAW]);
  rmSync(out, { recursive: true });
  assert.deepEqual(asJson(await api.normalize(RAW, { epoch: EPOCH, out })), fromCli);
});

test('compare and verify: library and --json are one document', async (t) => {
  const dir = tmpDir(t);
  const name = 'reprodemo-1.0.0+flit.tar.gz';
  const normalized = join(dir, 'normalized');
  await api.normalize(join(RAW, name), { epoch: EPOCH, out: normalized });
  assert.deepEqual(asJson(await api.compare(RAW, normalized)), cliDocument(['compare', RAW, normalized]));
  const local = join(dir, name);
  copyFileSync(join(RAW, name), local);
  // Nothing listens on port 9: the same unreachable source, the same document.
  const against = 'http://127.0.0.1:9/dist';
  assert.deepEqual(asJson(await api.verify({ local: [local], against: [against], timeoutMs: 5000 })), cliDocument(['verify', '--timeout', '5', '--against', against, local]));
});
