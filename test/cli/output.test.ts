// What every verb prints, as a newcomer meets it: a closed pipe (`reprodist check | head -1`) ends
// the run quietly with its usual status, -q keeps one line per failing file, and text that comes
// from an archive (member names, diffs of members) is printed escaped, never as raw control bytes.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import { FIXTURES } from '../helpers/build.js';
import { CLI, PYTHON, REPO_ROOT, runCli, runCliAsync, runOk, tmpDir } from '../helpers/tools.js';
import { escapeLine, makeStyle, outcomeLines } from '../../src/commands/output.js';

const WORK = tmpDir(undefined, 'reprodist-output-');
const DIST = join(FIXTURES, 'dist');
const SDIST_A = join(DIST, 'reprodemo-1.0.0+flit.tar.gz');
const SDIST_B = join(DIST, 'reprodemo-1.0.0+hatchling.tar.gz');
/** A member name a hostile archive could hold: a newline and a workflow command, and a screen clear. */
const EVIL_MEMBER = 'evil-1.0/x\n::error title=pwned::injected\x1b[2J\u009b2J.txt';
const EVIL = join(WORK, 'evil-1.0.tar.gz');
const EVIL_EDITED = join(WORK, 'edited', 'evil-1.0.tar.gz');
const CORRUPT = join(WORK, 'corrupt-1.0.tar.gz');

/** Writes an sdist with Python's tarfile: the member above, holding `text`. */
function writeEvil(out: string, text: string): void {
  const script = `
import io, sys, tarfile
with tarfile.open(sys.argv[1], 'w:gz') as t:
    for name, data in [('evil-1.0/PKG-INFO', b'Name: evil\\n'), (sys.argv[2], sys.argv[3].encode())]:
        info = tarfile.TarInfo(name); info.size = len(data); info.mtime = 1234567; info.mode = 0o664
        t.addfile(info, io.BytesIO(data))
`;
  runOk(PYTHON, ['-c', script, out, EVIL_MEMBER, text]);
}

before(() => {
  writeEvil(EVIL, 'line one\n');
  runOk('mkdir', ['-p', join(WORK, 'edited')]);
  // The diff of this member's content carries an escape sequence (a window title) and a newline-led
  // workflow command in its own lines.
  writeEvil(EVIL_EDITED, 'line one\n\x1b]0;owned\x07 line two\n::warning::from a diff\n');
  writeFileSync(CORRUPT, Buffer.from('\x1f\x8b\x08\x00 this is not a gzip stream'));
});

/**
 * Runs the CLI with stdout a pipe whose reading end is already closed: its first write fails with
 * EPIPE, every time (Python makes the pipe, closes the reading end, then starts the CLI).
 */
async function runIntoClosedPipe(args: string[]): Promise<{ code: number; stderr: string }> {
  const script = `
import os, subprocess, sys
r, w = os.pipe()
os.close(r)
p = subprocess.run(sys.argv[1:], stdout=w, stderr=subprocess.PIPE, cwd=${JSON.stringify(REPO_ROOT)})
sys.stdout.write(str(p.returncode) + '\\n' + p.stderr.decode('utf-8', 'replace'))
`;
  const { stdout } = await promisify(execFile)(PYTHON, ['-c', script, process.execPath, CLI, ...args]);
  const newline = stdout.indexOf('\n');
  return { code: Number(stdout.slice(0, newline)), stderr: stdout.slice(newline + 1) };
}

/** Serves fixtures/dist over http, as a release URL. */
let base = '';
const server = createServer((request, response) => {
  const name = basename(decodeURIComponent(request.url ?? ''));
  try {
    const body = readFileSync(join(DIST, name));
    response.writeHead(200, { 'content-length': body.length }).end(body);
  } catch {
    response.writeHead(404).end();
  }
});
before(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});
after(() => server.close());

describe('a closed pipe', () => {
  const cases: [string, () => string[]][] = [
    ['check', () => ['check', DIST]],
    ['normalize --out', () => ['--out', join(WORK, 'normalized'), DIST]],
    ['compare', () => ['compare', SDIST_A, SDIST_B]],
    ['digest', () => ['digest', DIST]],
    ['--help', () => ['--help']],
    ['compare --help', () => ['compare', '--help']],
    ['verify', () => ['verify', '--against', base, join(WORK, 'local')]],
  ];
  before(() => {
    // verify's local file: the flit sdist normalized, so the served raw one differs.
    runOk('mkdir', ['-p', join(WORK, 'local')]);
    copyFileSync(SDIST_A, join(WORK, 'local', basename(SDIST_A)));
    runCli(['--epoch', '1700000000', join(WORK, 'local')]);
  });
  for (const [name, args] of cases) {
    test(`${name}: the usual exit status, nothing on stderr`, async () => {
      const usual = await runCliAsync(args());
      assert.ok(usual.stdout.length > 0, 'the verb prints something on stdout');
      const piped = await runIntoClosedPipe(args());
      assert.equal(piped.stderr, '', 'no stack trace, no message');
      assert.equal(piped.code, usual.code);
    });
  }
});

describe('--quiet: one line per failing file', () => {
  test('check -q names the file that is not normal, and only it', () => {
    const r = runCli(['check', '-q', EVIL, SDIST_A]);
    assert.equal(r.code, 1);
    assert.deepEqual(r.stdout.trimEnd().split('\n').sort(), [`not normal ${EVIL}`, `not normal ${SDIST_A}`].sort());
    assert.equal(r.stderr, '');
  });

  test('check -q on normal files prints nothing', () => {
    const normal = join(WORK, 'local', basename(SDIST_A));
    const r = runCli(['check', '-q', '--epoch', '1700000000', normal]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout + r.stderr, '');
  });

  test('compare -q: one line per pair that differs, one per failure', () => {
    const r = runCli(['compare', '-q', SDIST_A, SDIST_B]);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /^differs +reprodemo-1\.0\.0\+flit\.tar\.gz \| reprodemo-1\.0\.0\+hatchling\.tar\.gz\n$/);
    const failed = runCli(['compare', '-q', CORRUPT, CORRUPT]);
    assert.equal(failed.code, 2);
    assert.equal(failed.stdout, '');
    assert.equal(failed.stderr.trimEnd().split('\n').length, 1, failed.stderr);
  });

  test('digest -q: the digests and the failures', () => {
    const r = runCli(['digest', '-q', SDIST_A, CORRUPT]);
    assert.equal(r.code, 2);
    assert.match(r.stdout, /^[0-9a-f]{64} {2}\S+flit\.tar\.gz\n$/);
    assert.equal(r.stderr.trimEnd().split('\n').length, 1, r.stderr);
  });

  test('verify -q: the file that differs, on one line', async () => {
    const r = await runCliAsync(['verify', '-q', '--against', base, join(WORK, 'local')]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /^ *differs +reprodemo-1\.0\.0\+flit\.tar\.gz\n$/);
  });
});

describe('text from archives is escaped', () => {
  test('escapeLine: control characters spelled out, colours kept only when asked', () => {
    assert.equal(escapeLine('a\nb\tc\r\x1b[2J\x07\x7f\u2028'), 'a\\nb\\tc\\r\\x1b[2J\\x07\\x7f\\u2028');
    assert.equal(escapeLine('evil\u202egnp.py é'), 'evil\\u202egnp.py é', 'a right-to-left override is spelled out; other text is not');
    const red = makeStyle(true).red('x');
    assert.equal(escapeLine(`${red}\x1b]0;t\x07`, true), `${red}\\x1b]0;t\\x07`);
    assert.equal(escapeLine(red), '\\x1b[31mx\\x1b[0m');
    const outcome = { exitCode: 1, json: {}, text: [{ stream: 'out' as const, wrong: true, lines: ['bad\nname', 'detail'] }] };
    assert.deepEqual([...outcomeLines(outcome, true)], [{ stream: 'out', text: 'bad\\nname' }]);
  });

  test('check: a member name with a newline and a workflow command stays on its line', () => {
    const r = runCli(['check', EVIL]);
    assert.equal(r.code, 1, r.stderr);
    assert.doesNotMatch(r.stdout + r.stderr, /\x1b/, 'no escape byte reaches the terminal');
    assert.doesNotMatch(r.stdout + r.stderr, /^::/m, 'no line starts a workflow command');
    assert.ok(r.stdout.includes('x\\n::error title=pwned::injected\\x1b[2J\\x9b2J.txt'), r.stdout);
  });

  test('compare: member names and the lines of a diff, escaped', () => {
    const r = runCli(['compare', EVIL, EVIL_EDITED]);
    assert.equal(r.code, 1, r.stderr);
    assert.doesNotMatch(r.stdout + r.stderr, /[\x00-\x09\x0b-\x1f\x7f]/, 'no control byte but the line ends');
    assert.doesNotMatch(r.stdout + r.stderr, /^::/m);
    assert.match(r.stdout, /\+\\x1b\]0;owned\\x07 line two/);
    assert.match(r.stdout, /\+::warning::from a diff/, 'a diff line starts with its + or -');
  });

  test('--json keeps the name as it is, JSON-escaped', () => {
    const r = runCli(['check', '--json', EVIL]);
    const report = JSON.parse(r.stdout) as { results: { changes: { examples: string[] }[] }[] };
    assert.ok(report.results[0]!.changes.some((c) => c.examples.some((e) => e.includes('\n::error title=pwned::injected\x1b[2J\u009b2J'))));
    assert.doesNotMatch(r.stdout, /[\x00-\x09\x0b-\x1f\x7f-\x9f]/, 'no raw control character, C1 included');
  });
});
