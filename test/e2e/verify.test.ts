// `reprodist verify` against a real HTTP server on 127.0.0.1 (started here, on port 0) that serves
// release files and a PyPI-style JSON document, and against a rebuild from a clean clone of a
// temporary git repository holding the fixture project.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, cpSync, existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { basename, join } from 'node:path';
import { BACKENDS_DIR, PROJECT_DIR, SDIST_NAME, WHEEL_NAME, buildProject, makeCheckout } from '../helpers/build.js';
import { PYTHON, REPO_ROOT, requireTools, runCli, runCliAsync, runOk, sha256File, tmpDir } from '../helpers/tools.js';
import type { RunResult } from '../helpers/tools.js';
import { verify } from '../../src/verify/index.js';

const WORK = tmpDir(undefined, 'reprodist-verify-test-');
/** The "release": normalized setuptools artefacts, and the same after a source change. */
const RELEASE = join(WORK, 'release');
const TAMPERED = join(WORK, 'tampered');
const EPOCH = '1700000000';
const BUILD_COMMAND = `${PYTHON} -m build --no-isolation --skip-dependency-check`;

let server: Server;
let base = '';
let haveTools = false;

/** The PyPI JSON API document for the release, with a wrong sha256 for the sdist when `wrongSdistHash`. */
function releaseJson(wrongSdistHash: boolean): string {
  const urls = [SDIST_NAME, WHEEL_NAME].map((filename) => ({
    filename,
    url: `${base}/files/${filename}`,
    digests: { sha256: filename === SDIST_NAME && wrongSdistHash ? '0'.repeat(64) : sha256File(join(RELEASE, filename)) },
  }));
  // A wheel for another platform that no local file matches: listed, not a failure.
  urls.push({ filename: 'reprodemo-1.0.0-cp311-cp311-manylinux_2_17_x86_64.whl', url: `${base}/files/other.whl`, digests: { sha256: '1'.repeat(64) } });
  return JSON.stringify({ info: { name: 'reprodemo', version: '1.0.0' }, urls });
}

before(async () => {
  haveTools = requireTools({ skip: () => undefined }, 'build', 'setuptools');
  if (haveTools) {
    const raw = join(WORK, 'raw');
    buildProject({ backend: 'setuptools', outDir: raw });
    assert.equal(runCli(['--epoch', EPOCH, '--out', RELEASE, raw]).code, 0);
    const src = join(WORK, 'tampered-src');
    makeCheckout('setuptools', src);
    const core = join(src, 'src/reprodemo/core.py');
    writeFileSync(core, `${readFileSync(core, 'utf8')}\nBACKDOOR = True\n`);
    runOk(PYTHON, ['-m', 'build', '--no-isolation', '--skip-dependency-check', '--outdir', join(WORK, 'tampered-raw'), src], { cwd: WORK });
    assert.equal(runCli(['--epoch', EPOCH, '--out', TAMPERED, join(WORK, 'tampered-raw')]).code, 0);
  }
  server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://x');
    const [, area, ...rest] = url.pathname.split('/');
    const name = decodeURIComponent(rest.join('/'));
    const serve = (dir: string) => {
      const path = join(dir, basename(name));
      if (!existsSync(path)) return void response.writeHead(404).end('not found');
      // As misconfigured servers do: fetch-style clients would inflate the .tar.gz; verify must not.
      const headers = name.endsWith('.tar.gz') ? { 'content-encoding': 'gzip', 'content-type': 'application/x-tar' } : { 'content-type': 'application/zip' };
      const data = readFileSync(path);
      // /files/ says how long the body is; /tampered/ sends it chunked, without a length.
      response.writeHead(200, area === 'files' ? { ...headers, 'content-length': data.length } : headers).end(data);
    };
    if (area === 'files') return serve(RELEASE);
    if (area === 'tampered') return serve(TAMPERED);
    if (area === 'redirect') return void response.writeHead(302, { location: `/files/${rest.join('/')}` }).end();
    if (area === 'hang') return; // never answers
    if (url.pathname === '/pypi/reprodemo/1.0.0/json') return void response.writeHead(200, { 'content-type': 'application/json' }).end(releaseJson(false));
    if (url.pathname === '/bad/pypi/reprodemo/1.0.0/json') return void response.writeHead(200, { 'content-type': 'application/json' }).end(releaseJson(true));
    response.writeHead(404).end('not found');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

/** A port nothing listens on: one the OS just gave out and took back. */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/** verify with the release's local copies, and a TMPDIR of its own so that leftovers show. */
async function verifyCli(t: { after?: (fn: () => void) => void }, args: string[]): Promise<RunResult & { leftovers: string[] }> {
  const tmp = tmpDir(t);
  const result = await runCliAsync(['verify', ...args, join(RELEASE, SDIST_NAME), join(RELEASE, WHEEL_NAME)], { env: { ...process.env, TMPDIR: tmp } });
  return { ...result, leftovers: readdirSync(tmp) };
}

function statusLines(output: string, status: string): string[] {
  return output.split('\n').filter((line) => new RegExp(`^  ${status} `).test(line));
}

describe('verify --against URL', () => {
  test('identical: exit 0, raw bytes kept whatever Content-Encoding says, nothing left behind', async (t) => {
    if (!requireTools(t, 'build', 'setuptools')) return;
    const r = await verifyCli(t, ['--against', `${base}/files/`]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.equal(r.stderr, '', 'no progress when stderr is not a terminal');
    assert.match(r.stdout, new RegExp(`^${base}/files/\n`));
    assert.equal(statusLines(r.stdout, 'identical').length, 2, r.stdout);
    assert.deepEqual(r.leftovers, []);
  });

  test('redirects are followed', async (t) => {
    if (!requireTools(t, 'build', 'setuptools')) return;
    const r = await verifyCli(t, ['--against', `${base}/redirect`]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
  });

  test('tampered: exit 1, explained as compare explains it', async (t) => {
    if (!requireTools(t, 'build', 'setuptools')) return;
    const r = await verifyCli(t, ['--against', `${base}/tampered`]);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.equal(statusLines(r.stdout, 'differs').length, 2, r.stdout);
    assert.match(r.stdout, /^ +content differs: \d+ members?$/m);
    assert.match(r.stdout, /^ +changed( \[\d+\])?: (.*, )?reprodemo-1\.0\.0\/src\/reprodemo\/core\.py \(text, \d+ → \d+ bytes\)/m);
    assert.match(r.stdout, /^ +\+BACKDOOR = True$/m);
    assert.match(r.stdout, /^ +--- local\/reprodemo\/core\.py$/m);
    assert.match(r.stdout, /^ +\+\+\+ remote\/reprodemo\/core\.py$/m);
    assert.match(r.stdout, /^ +metadata \(local → remote\):$/m);

    const json = JSON.parse((await runCliAsync(['verify', '--json', '--against', `${base}/tampered`, join(RELEASE, SDIST_NAME)])).stdout);
    assert.equal(json.command, 'verify');
    assert.equal(json.exitCode, 1);
    const [check] = json.results;
    assert.equal(check.status, 'differs');
    assert.equal(check.url, `${base}/tampered/${SDIST_NAME}`);
    assert.equal(check.comparison.verdict, 'content-differs');
    assert.equal(check.comparison.b, `${base}/tampered/${SDIST_NAME}`);
  });

  test('missing (404): exit 2, one line per file on stderr', async (t) => {
    if (!requireTools(t, 'build', 'setuptools')) return;
    const r = await verifyCli(t, ['--against', `${base}/empty`]);
    assert.equal(r.code, 2, r.stdout + r.stderr);
    const lines = r.stderr.trimEnd().split('\n');
    assert.equal(lines.length, 2, r.stderr);
    for (const line of lines) assert.match(line, /^  missing +\S+: http:\/\/127\.0\.0\.1:\d+\/empty\/\S+: HTTP 404 Not Found$/);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  });

  test('unreachable (closed port) and silent (timeout): exit 2', async (t) => {
    if (!requireTools(t, 'build', 'setuptools')) return;
    const closed = await verifyCli(t, ['--against', `http://127.0.0.1:${await closedPort()}/files`]);
    assert.equal(closed.code, 2);
    assert.equal(statusLines(closed.stderr, 'unreachable').length, 2, closed.stderr);
    assert.match(closed.stderr, /connection refused$/m);
    const silent = await verifyCli(t, ['--timeout', '0.5', '--against', `${base}/hang`]);
    assert.equal(silent.code, 2);
    assert.match(silent.stderr, /^ {2}unreachable +\S+: \S+\/hang\/\S+: nothing received for 0\.5 s$/m);
    assert.deepEqual(silent.leftovers, []);
  });

  test('over the size limit: exit 2, no partial file', async (t) => {
    if (!requireTools(t, 'build', 'setuptools')) return;
    // Refused from Content-Length before anything is written...
    const announced = await verifyCli(t, ['--max-size', '1KiB', '--against', `${base}/files`]);
    assert.equal(announced.code, 2);
    assert.match(announced.stderr, /^ {2}error +\S+: \S+: \d+ bytes is more than the limit of 1024 bytes$/m);
    assert.deepEqual(announced.leftovers, []);
    // ...or stopped while downloading when there is none, and the partial file removed.
    const chunked = await verifyCli(t, ['--max-size', '1KiB', '--against', `${base}/tampered`]);
    assert.equal(chunked.code, 2);
    assert.match(chunked.stderr, /^ {2}error +\S+: \S+: more than the limit of 1024 bytes$/m);
    assert.deepEqual(chunked.leftovers, []);
  });

  test('usage errors: no source, bad --pypi, bad --max-size', async () => {
    for (const [args, pattern] of [
      [[], /nothing to verify against/],
      [['--pypi', 'reprodemo>=1'], /--pypi: "reprodemo>=1" is not NAME==VERSION/],
      [['--max-size', 'lots', '--against', base], /--max-size: "lots" is not a byte count above 0/],
    ] as const) {
      const r = await runCliAsync(['verify', ...args, join(REPO_ROOT, 'fixtures', 'dist')]);
      assert.equal(r.code, 2, r.stdout + r.stderr);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
      assert.match(r.stderr, pattern);
    }
  });
});

describe('verify --pypi NAME==VERSION', () => {
  test('files listed by the JSON API, checked against its sha256: exit 0', async (t) => {
    if (!requireTools(t, 'build', 'setuptools')) return;
    const r = await verifyCli(t, ['--pypi', 'reprodemo==1.0.0', '--index-url', base]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /^pypi reprodemo==1\.0\.0$/m);
    assert.equal(statusLines(r.stdout, 'identical').length, 2, r.stdout);
    assert.match(r.stdout, /not checked \(no local file of that name\): reprodemo-1\.0\.0-cp311-cp311-manylinux_2_17_x86_64\.whl/);
  });

  test('a sha256 that is not what the index states: exit 2, not compared', async (t) => {
    if (!requireTools(t, 'build', 'setuptools')) return;
    const r = await verifyCli(t, ['--pypi', 'reprodemo==1.0.0', '--index-url', `${base}/bad/`]);
    assert.equal(r.code, 2, r.stdout + r.stderr);
    assert.match(r.stderr, new RegExp(`^  digest-mismatch ${SDIST_NAME.replace(/\./g, '\\.')}: \\S+: sha256 [0-9a-f]{64} is not the 0{64} the index states$`, 'm'));
    assert.equal(statusLines(r.stdout, 'identical').length, 1, 'the wheel still checks out');
  });

  test('a release the index does not have, an unreachable index: exit 2', async (t) => {
    if (!requireTools(t, 'build', 'setuptools')) return;
    const none = await verifyCli(t, ['--pypi', 'reprodemo==9.9', '--index-url', base]);
    assert.equal(none.code, 2);
    assert.equal(statusLines(none.stderr, 'missing').length, 2, none.stderr);
    assert.match(none.stderr, /no release reprodemo 9\.9 on this index/);
    const down = await verifyCli(t, ['--pypi', 'reprodemo==1.0.0', '--index-url', `http://127.0.0.1:${await closedPort()}`]);
    assert.equal(down.code, 2);
    assert.equal(statusLines(down.stderr, 'unreachable').length, 2, down.stderr);
  });

  test('as a library: structured result, several sources at once', async (t) => {
    if (!requireTools(t, 'build', 'setuptools')) return;
    const result = await verify({ local: [RELEASE], against: [`${base}/files`, `${base}/tampered`], pypi: ['reprodemo==1.0.0'], indexUrl: base });
    assert.equal(result.exitCode, 1);
    assert.deepEqual(result.sources.map((s) => [s.kind, s.source]), [['url', `${base}/files`], ['url', `${base}/tampered`], ['pypi', 'pypi reprodemo==1.0.0']]);
    assert.deepEqual(result.results.map((c) => c.status), ['identical', 'identical', 'differs', 'differs', 'identical', 'identical']);
  });
});

describe('verify --build', () => {
  /** A git repository holding the fixture project with the hatchling configuration, one commit. */
  function makeRepository(dir: string): string {
    const repo = join(dir, 'repo');
    cpSync(PROJECT_DIR, repo, { recursive: true });
    copyFileSync(join(BACKENDS_DIR, 'hatchling', 'pyproject.toml'), join(repo, 'pyproject.toml'));
    writeFileSync(join(repo, '.gitignore'), 'dist/\n__pycache__/\n');
    const env = { ...process.env, GIT_AUTHOR_DATE: '@1700000000 +0000', GIT_COMMITTER_DATE: '@1700000000 +0000' };
    const git = (...args: string[]) => runOk('git', ['-c', 'user.name=Test', '-c', 'user.email=test@example.invalid', '-c', 'init.defaultBranch=main', ...args], { cwd: repo, env });
    git('init', '-q');
    git('add', '-A');
    git('commit', '-q', '-m', 'release 1.0.0');
    return repo;
  }

  /** Builds dist/ in the working tree and normalizes it with the commit time, as a release job would. */
  function buildLocally(repo: string): void {
    rmSync(join(repo, 'dist'), { recursive: true, force: true });
    runOk('/bin/sh', ['-c', BUILD_COMMAND], { cwd: repo, env: { ...process.env, SOURCE_DATE_EPOCH: '1700000000' } });
    const r = runCli(['--epoch', 'git', 'dist'], { cwd: repo });
    assert.equal(r.code, 0, r.stderr);
  }

  test('a clean clone of HEAD rebuilds the same bytes; an uncommitted change is caught', async (t) => {
    if (!requireTools(t, 'git', 'build', 'hatchling')) return;
    const repo = makeRepository(tmpDir(t));
    buildLocally(repo);
    const same = await runCliAsync(['verify', '--build', '--build-command', BUILD_COMMAND], { cwd: repo });
    assert.equal(same.code, 0, same.stdout + same.stderr);
    const head = runOk('git', ['rev-parse', 'HEAD'], { cwd: repo }).trim();
    assert.match(same.stdout, new RegExp(`^build \\(clean clone of ${head.slice(0, 12)}, SOURCE_DATE_EPOCH=1700000000, normalized with epoch 1700000000\\)$`, 'm'));
    assert.equal(statusLines(same.stdout, 'identical').length, 2, same.stdout);

    // The release was built from a working tree with a change that was never committed.
    const core = join(repo, 'src/reprodemo/core.py');
    writeFileSync(core, `${readFileSync(core, 'utf8')}\nUNCOMMITTED = 1\n`);
    buildLocally(repo);
    const caught = await runCliAsync(['verify', '--build', '--build-command', BUILD_COMMAND], { cwd: repo });
    assert.equal(caught.code, 1, caught.stdout + caught.stderr);
    assert.match(caught.stdout, /^ +changed( \[\d+\])?: (.*, )?reprodemo-1\.0\.0\/src\/reprodemo\/core\.py /m);
    assert.match(caught.stdout, /^ +-UNCOMMITTED = 1$/m);
    assert.match(caught.stdout, /metadata|content differs/);

    // A build command that fails: exit 2, one line per local file saying why.
    const failed = await runCliAsync(['verify', '--build', '--build-command', 'echo cannot build >&2; exit 3'], { cwd: repo });
    assert.equal(failed.code, 2);
    const lines = failed.stderr.trimEnd().split('\n');
    assert.equal(lines.length, 2, failed.stderr);
    for (const line of lines) assert.match(line, /^ {2}error +\S+: --build: "echo cannot build >&2; exit 3" failed \(exit 3\): cannot build$/);
  });

  test('outside a git repository: exit 2, one line', async (t) => {
    if (!requireTools(t, 'git')) return;
    const dir = tmpDir(t);
    cpSync(join(REPO_ROOT, 'fixtures', 'dist'), join(dir, 'dist'), { recursive: true });
    const r = await runCliAsync(['verify', '--build'], { cwd: dir });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--build: \S+ is not inside a git working tree/);
  });
});
