// `reprodist compare` on real builds of the fixture project: raw builds made under different
// conditions differ only in metadata, a rebuild after changing sources is named member by member
// with a diff, normalized builds are identical; plus directory pairing, errors and the JSON form.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildProject, FIXTURES, SDIST_NAME, WHEEL_NAME } from '../helpers/build.js';
import { PYTHON, requireTools, runCli, runOk, tmpDir } from '../helpers/tools.js';
import { compare, readingOrder } from '../../src/compare/index.js';
import { SAME_CONTENT_VERDICT } from '../../src/commands/render.js';
import { makeStyle, wantsColour } from '../../src/commands/output.js';
import { MAX_EDIT_LINES, unifiedDiff } from '../../src/compare/unified-diff.js';
import type { ArtefactHandler } from '../../src/normalize/index.js';
import { sdistHandler } from '../../src/normalize/sdist/index.js';
import { wheelHandler } from '../../src/normalize/wheel/index.js';
import { compareWheelMetadata } from '../../src/normalize/wheel/metadata.js';
import { pairMembers } from '../../src/normalize/pairing.js';
import type { PairingLimits } from '../../src/normalize/paired-runs.js';
import { assembleZip, extraRecord } from '../helpers/zip-bytes.js';

const WORK = tmpDir(undefined, 'reprodist-compare-');
const RAW_A = join(WORK, 'raw-a');
const RAW_B = join(WORK, 'raw-b');
const TAMPERED = join(WORK, 'tampered');
const NORMAL_A = join(WORK, 'normal-a');
const NORMAL_B = join(WORK, 'normal-b');
const EPOCH = '1700000000';
/** Raw artefacts of three backends, committed (fixtures/dist/README.md). */
const REPO_FIXTURES = join(FIXTURES, 'dist');

let haveTools = false;

before(() => {
  haveTools = requireTools({ skip: () => undefined }, 'build', 'setuptools', 'faketime');
  if (!haveTools) return;
  buildProject({ backend: 'setuptools', outDir: RAW_A, condition: { umask: 0o022, tz: 'UTC' } });
  // A faked clock years ahead: the two gzip MTIMEs differ whenever the builds run, never by chance.
  buildProject({ backend: 'setuptools', outDir: RAW_B, condition: { umask: 0o002, tz: 'Asia/Kolkata', sourceMtime: 1_600_000_000, fakeTime: '2031-05-06 07:08:09' } });
  buildProject({
    backend: 'setuptools',
    outDir: TAMPERED,
    edit: (src) => {
      const core = join(src, 'src/reprodemo/core.py');
      writeFileSync(core, readFileSync(core, 'utf8').replace(/\n/, '\nimport os  # tampered\n'));
      chmodSync(join(src, 'src/reprodemo/scripts/run-demo.sh'), 0o644);
      writeFileSync(join(src, 'src/reprodemo/data/extra.txt'), 'not in the release\n');
    },
  });
  for (const [from, to] of [[RAW_A, NORMAL_A], [RAW_B, NORMAL_B]] as const) {
    const r = runCli(['--epoch', EPOCH, '--out', to, from]);
    assert.equal(r.code, 0, r.stderr);
  }
});

describe('compare on real builds', () => {
  test('raw builds under different conditions: same content, metadata differences, exit 1', (t) => {
    if (!requireTools(t, 'build', 'setuptools')) return;
    const r = runCli(['compare', RAW_A, RAW_B]);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.equal(r.stderr, '');
    assert.doesNotMatch(r.stdout, /\x1b\[/, 'no colour when piped');
    assert.match(r.stdout, new RegExp(`^differs +${SDIST_NAME.replace(/\./g, '\\.')}$`, 'm'));
    assert.match(r.stdout, new RegExp(`^differs +${WHEEL_NAME.replace(/\./g, '\\.')}$`, 'm'));
    assert.equal(r.stdout.split(SAME_CONTENT_VERDICT).length - 1, 2, 'the verdict for both pairs');
    assert.doesNotMatch(r.stdout, /content differs/);
    // The verdict comes first, then the metadata, grouped.
    const sdistPart = r.stdout.slice(r.stdout.indexOf(`differs    ${SDIST_NAME}`));
    assert.ok(sdistPart.indexOf(SAME_CONTENT_VERDICT) < sdistPart.indexOf('  gzip'));
    assert.match(sdistPart, /^ +gzip\n +MTIME: \d+/m);
    assert.match(sdistPart, /^ +tar \(\d+ members in both\)\n/m);
    assert.match(sdistPart, /^ +mtime \[\d+\]: reprodemo-1\.0\.0/m);
    assert.match(sdistPart, /^ +mode \[\d+\]: .*\(644 → 664\)/m);
    assert.match(r.stdout, /^ +zip \(\d+ members in both\)\n/m);
    assert.match(r.stdout, /^ +date\/time \[\d+\]: reprodemo\//m);
    assert.match(r.stdout, /^ +external attributes \[\d+\]: .*\(100644 → 100664\)/m);
  });

  test('--json: the documented fields, verdicts and metadata by field', (t) => {
    if (!requireTools(t, 'build', 'setuptools')) return;
    const r = runCli(['compare', '--json', RAW_A, RAW_B]);
    assert.equal(r.code, 1, r.stderr);
    const doc = JSON.parse(r.stdout);
    assert.equal(doc.command, 'compare');
    assert.equal(doc.exitCode, 1);
    assert.deepEqual([doc.onlyInA, doc.onlyInB, doc.problems], [[], [], []]);
    const byName = new Map(doc.results.map((p: { name: string }) => [p.name, p]));
    const sdist = byName.get(SDIST_NAME) as Record<string, any>;
    const wheel = byName.get(WHEEL_NAME) as Record<string, any>;
    assert.deepEqual([sdist.kind, sdist.status, sdist.verdict, sdist.members], ['sdist', 'differs', 'same-content', []]);
    assert.deepEqual([wheel.kind, wheel.status, wheel.verdict, wheel.members], ['wheel', 'differs', 'same-content', []]);
    assert.match(sdist.sha256.a, /^[0-9a-f]{64}$/);
    assert.notEqual(sdist.sha256.a, sdist.sha256.b);
    const fields = (pair: Record<string, any>) => pair.metadata.map((c: { field: string }) => c.field);
    assert.ok(fields(sdist).includes('tar mtime'), fields(sdist).join(', '));
    assert.ok(fields(sdist).includes('tar mode'));
    assert.ok(fields(wheel).includes('zip date/time'), fields(wheel).join(', '));
    for (const change of [...sdist.metadata, ...wheel.metadata]) {
      assert.ok(change.examples.length <= 3 && change.count >= change.examples.length, JSON.stringify(change));
    }
  });

  test('normalized builds are byte-identical: exit 0', (t) => {
    if (!requireTools(t, 'build', 'setuptools')) return;
    const r = runCli(['compare', NORMAL_A, NORMAL_B]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, new RegExp(`^identical +${SDIST_NAME.replace(/\./g, '\\.')}$`, 'm'));
    assert.match(r.stdout, new RegExp(`^identical +${WHEEL_NAME.replace(/\./g, '\\.')}$`, 'm'));
    // And the raw and normalized forms of one build hold the same content.
    const same = runCli(['compare', join(RAW_A, SDIST_NAME), join(NORMAL_A, SDIST_NAME)]);
    assert.equal(same.code, 1);
    assert.match(same.stdout, new RegExp(SAME_CONTENT_VERDICT.replace(/[()]/g, '\\$&')));
  });

  test('a rebuild after changing sources: members named, with a diff of the text', (t) => {
    if (!requireTools(t, 'build', 'setuptools')) return;
    const r = runCli(['compare', join(RAW_A, SDIST_NAME), join(TAMPERED, SDIST_NAME)]);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /^  content differs: \d+ members$/m);
    assert.doesNotMatch(r.stdout, new RegExp(SAME_CONTENT_VERDICT.replace(/[()]/g, '\\$&')));
    assert.match(r.stdout, /^ +added \(only in B\): reprodemo-1\.0\.0\/src\/reprodemo\/data\/extra\.txt$/m);
    // The edited source first, then the egg-info file setuptools derived from the sources.
    assert.match(r.stdout, /^ +changed \[2\]: reprodemo-1\.0\.0\/src\/reprodemo\/core\.py \(text, \d+ → \d+ bytes\), reprodemo-1\.0\.0\/src\/reprodemo\.egg-info\/SOURCES\.txt /m);
    assert.match(r.stdout, /^ +exec bit: reprodemo-1\.0\.0\/src\/reprodemo\/scripts\/run-demo\.sh \(A yes → B no\)$/m);
    // The lists come first, then the diffs.
    assert.ok(r.stdout.indexOf('exec bit:') < r.stdout.indexOf('--- A/'));
    assert.match(r.stdout, /^ +--- A\/reprodemo-1\.0\.0\/src\/reprodemo\/core\.py$/m);
    assert.match(r.stdout, /^ +\+\+\+ B\/reprodemo-1\.0\.0\/src\/reprodemo\/core\.py$/m);
    assert.match(r.stdout, /^ +@@ -\d+,\d+ \+\d+,\d+ @@$/m);
    assert.match(r.stdout, /^ +\+import os {2}# tampered$/m);
    // Metadata still follows, after the members.
    assert.ok(r.stdout.indexOf('# tampered') < r.stdout.indexOf('metadata (A → B)'));

    const wheel = runCli(['compare', '--json', join(RAW_A, WHEEL_NAME), join(TAMPERED, WHEEL_NAME)]);
    assert.equal(wheel.code, 1);
    const pair = JSON.parse(wheel.stdout).results[0];
    assert.equal(pair.verdict, 'content-differs');
    const core = pair.members.find((m: { name: string; difference: string }) => m.name === 'reprodemo/core.py' && m.difference === 'content');
    assert.ok(core, JSON.stringify(pair.members));
    assert.equal(core.text, true);
    assert.ok(core.diff.includes('+import os  # tampered'), core.diff.join('\n'));
    assert.ok(core.diff.length <= 41);
    assert.ok(pair.members.some((m: { name: string; difference: string; b?: string }) => m.name === 'reprodemo/data/extra.txt' && m.difference === 'only-in-b' && m.b === 'file'));
    assert.ok(pair.members.some((m: { name: string; difference: string; a?: string; b?: string }) => m.name === 'reprodemo/scripts/run-demo.sh' && m.difference === 'executable' && m.a === 'yes' && m.b === 'no'));
    // RECORD differs too (it hashes core.py); it is not text-diffed beyond the limit of diffs.
    assert.ok(pair.members.some((m: { name: string }) => /\.dist-info\/RECORD$/.test(m.name)));
  });

  test('directories: paired by file name, one-sided files listed, exit 1', (t) => {
    if (!requireTools(t, 'build', 'setuptools')) return;
    const dir = tmpDir(t);
    const left = join(dir, 'left');
    const right = join(dir, 'right');
    mkdirSync(left);
    mkdirSync(right);
    copyFileSync(join(NORMAL_A, SDIST_NAME), join(left, SDIST_NAME));
    copyFileSync(join(NORMAL_A, WHEEL_NAME), join(left, WHEEL_NAME));
    copyFileSync(join(NORMAL_B, SDIST_NAME), join(right, SDIST_NAME));
    copyFileSync(join(NORMAL_B, SDIST_NAME), join(right, 'other-2.0.tar.gz'));
    writeFileSync(join(right, 'notes.txt'), 'not an artefact, not listed\n');
    const r = runCli(['compare', left, right]);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stdout, new RegExp(`^A = ${left}, B = ${right}$`, 'm'));
    assert.match(r.stdout, new RegExp(`^identical +${SDIST_NAME.replace(/\./g, '\\.')}$`, 'm'));
    assert.match(r.stdout, new RegExp(`^only in A +${WHEEL_NAME.replace(/\./g, '\\.')}$`, 'm'));
    assert.match(r.stdout, /^only in B +other-2\.0\.tar\.gz$/m);
    assert.doesNotMatch(r.stdout, /notes\.txt/);
    const doc = JSON.parse(runCli(['compare', '--json', left, right]).stdout);
    assert.deepEqual([doc.onlyInA, doc.onlyInB, doc.results.length], [[WHEEL_NAME], ['other-2.0.tar.gz'], 1]);
    // A file against a directory: the file of that name in the directory.
    const one = runCli(['compare', join(left, SDIST_NAME), right]);
    assert.equal(one.code, 0, one.stdout + one.stderr);
  });
});

describe('compare: errors are one line, exit 2', () => {
  function assertOneLineError(args: string[], pattern: RegExp): void {
    const r = runCli(['compare', ...args]);
    assert.equal(r.code, 2, `exit code: ${r.stdout}${r.stderr}`);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, `one line on stderr, got: ${r.stderr}`);
    assert.match(lines[0]!, pattern);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  }

  test('missing file, not an artefact, corrupt, two kinds, missing argument', (t) => {
    const dir = tmpDir(t);
    const sdist = join(REPO_FIXTURES, 'reprodemo-1.0.0+flit.tar.gz');
    const wheel = join(REPO_FIXTURES, 'reprodemo-1.0.0+flit-py3-none-any.whl');
    assertOneLineError([sdist, join(dir, 'nope.tar.gz')], /nope\.tar\.gz: no such file or directory/);
    const text = join(dir, 'notes.txt');
    writeFileSync(text, 'hello\n');
    assertOneLineError([text, text], /notes\.txt: not an sdist \(\.tar\.gz\) or a wheel \(\.whl\)/);
    const truncated = join(dir, 'reprodemo-1.0.0+flit.tar.gz');
    writeFileSync(truncated, readFileSync(sdist).subarray(0, 300));
    assertOneLineError([sdist, truncated], /^refused +reprodemo-1\.0\.0\+flit\.tar\.gz: .*reprodemo-1\.0\.0\+flit\.tar\.gz: gzip: .*truncated/);
    const garbage = join(dir, 'garbage-1.0.tar.gz');
    writeFileSync(garbage, 'not gzip at all');
    assertOneLineError([sdist, garbage], /garbage-1\.0\.tar\.gz: gzip: not a gzip file/);
    // Two copies of one corrupt file: equal bytes, but not an artefact, so an error, not `identical`.
    assertOneLineError([truncated, truncated], /^refused +reprodemo-1\.0\.0\+flit\.tar\.gz: .*gzip: .*truncated/);
    assertOneLineError([garbage, garbage], /garbage-1\.0\.tar\.gz: gzip: not a gzip file/);
    assertOneLineError([sdist, wheel], /is an sdist and .* a wheel/);
    assertOneLineError([sdist], /Not enough non-option arguments|see reprodist --help/);
  });

  test('a corrupt member on one side of a directory pair does not hide the others', (t) => {
    const dir = tmpDir(t);
    const left = join(dir, 'l');
    const right = join(dir, 'r');
    mkdirSync(left);
    mkdirSync(right);
    for (const side of [left, right]) copyFileSync(join(REPO_FIXTURES, 'reprodemo-1.0.0+flit-py3-none-any.whl'), join(side, 'reprodemo-1.0.0+flit-py3-none-any.whl'));
    copyFileSync(join(REPO_FIXTURES, 'reprodemo-1.0.0+flit.tar.gz'), join(left, 'reprodemo-1.0.0+flit.tar.gz'));
    writeFileSync(join(right, 'reprodemo-1.0.0+flit.tar.gz'), 'broken');
    const r = runCli(['compare', left, right]);
    assert.equal(r.code, 2);
    assert.match(r.stdout, /^identical +reprodemo-1\.0\.0\+flit-py3-none-any\.whl$/m);
    // The pair's name, then which side's file is refused, and why.
    assert.match(r.stderr, /^refused +reprodemo-1\.0\.0\+flit\.tar\.gz: \S*\/r\/reprodemo-1\.0\.0\+flit\.tar\.gz: gzip: file is 6 bytes/m);
  });
});

describe('compare: metadata is summarized, not listed', () => {
  test('2000 members whose mtimes and owners all differ: counts and three examples, all with --verbose and --json', (t) => {
    if (!requireTools(t, 'py:tarfile')) return;
    const dir = tmpDir(t);
    const script = `
import io, sys, tarfile
for path, mtime, uid in ((sys.argv[1], 1600000000, 0), (sys.argv[2], 1700000000, 1000)):
    with tarfile.open(path, 'w:gz', format=tarfile.PAX_FORMAT) as t:
        for i in range(2000):
            info = tarfile.TarInfo(f'many-1.0/f{i:04}.txt')
            data = f'{i}\\n'.encode()
            info.size, info.mtime, info.uid, info.uname = len(data), mtime, uid, 'u' if uid else ''
            t.addfile(info, io.BytesIO(data))
`;
    mkdirSync(join(dir, 'a'));
    mkdirSync(join(dir, 'b'));
    runOk(PYTHON, ['-c', script, join(dir, 'a', 'many-1.0.tar.gz'), join(dir, 'b', 'many-1.0.tar.gz')]);
    const r = runCli(['compare', join(dir, 'a', 'many-1.0.tar.gz'), join(dir, 'b', 'many-1.0.tar.gz')]);
    assert.equal(r.code, 1, r.stderr);
    assert.ok(r.stdout.split('\n').length < 20, r.stdout);
    assert.match(r.stdout, /^ +tar \(2000 members in both\)$/m);
    assert.match(r.stdout, /^ +mtime \[2000\]: many-1\.0\/f0000\.txt \(1600000000 → 1700000000\), many-1\.0\/f0001\.txt .*, \.\.\. \(1997 more; --verbose lists all\)$/m);
    assert.match(r.stdout, /^ +owner \[2000\]: many-1\.0\/f0000\.txt \(0:0 → u\(1000\):0\)/m);
    const verbose = runCli(['compare', '--verbose', join(dir, 'a', 'many-1.0.tar.gz'), join(dir, 'b', 'many-1.0.tar.gz')]);
    assert.match(verbose.stdout, /^ +mtime \[2000\]:\n( +many-1\.0\/f\d{4}\.txt \(1600000000 → 1700000000\)\n){2000} +owner \[2000\]:$/m);
    const doc = JSON.parse(runCli(['compare', '--json', join(dir, 'a', 'many-1.0.tar.gz'), join(dir, 'b', 'many-1.0.tar.gz')]).stdout);
    const owner = doc.results[0].metadata.find((c: { field: string }) => c.field === 'tar owner');
    assert.equal(owner.all.length, 2000);
    assert.equal(owner.all[1999], 'many-1.0/f1999.txt (0:0 → u(1000):0)');
  });
});

describe('compare as a library, and its parts', () => {
  test('compare() returns the structured result and prints nothing', async () => {
    const result = await compare(join(REPO_FIXTURES, 'reprodemo-1.0.0+flit.tar.gz'), join(REPO_FIXTURES, 'reprodemo-1.0.0+hatchling.tar.gz'));
    assert.equal(result.exitCode, 1);
    const [pair] = result.results;
    assert.equal(pair!.name, 'reprodemo-1.0.0+flit.tar.gz | reprodemo-1.0.0+hatchling.tar.gz');
    assert.equal(pair!.verdict, 'content-differs');
    const missing = await compare('/nonexistent/a.whl', '/nonexistent/b.whl');
    assert.equal(missing.exitCode, 2);
    assert.equal(missing.problems.length, 2);
  });

  test('colour only on a terminal without NO_COLOR', () => {
    assert.equal(wantsColour({ isTTY: true }, {}), true);
    assert.equal(wantsColour({ isTTY: false }, {}), false);
    assert.equal(wantsColour({}, {}), false);
    assert.equal(wantsColour({ isTTY: true }, { NO_COLOR: '1' }), false);
    assert.equal(wantsColour({ isTTY: true }, { NO_COLOR: '' }), true);
    assert.equal(makeStyle(false).red('x'), 'x');
    assert.equal(makeStyle(true).red('x'), '\x1b[31mx\x1b[0m');
  });

  test('unified diff: hunks, context, line numbers, missing final newline, cut', () => {
    assert.deepEqual(unifiedDiff('a\nb\n', 'a\nb\n', 'A', 'B'), []);
    const lines = Array.from({ length: 20 }, (_, i) => `line ${i + 1}`);
    const changed = [...lines];
    changed[9] = 'CHANGED';
    assert.deepEqual(unifiedDiff(`${lines.join('\n')}\n`, `${changed.join('\n')}\n`, 'A/f', 'B/f'), [
      '--- A/f', '+++ B/f', '@@ -7,7 +7,7 @@', ' line 7', ' line 8', ' line 9', '-line 10', '+CHANGED', ' line 11', ' line 12', ' line 13',
    ]);
    assert.deepEqual(unifiedDiff('', 'new\n', 'A', 'B'), ['--- A', '+++ B', '@@ -0,0 +1 @@', '+new']);
    assert.deepEqual(unifiedDiff('x\ny', 'x\ny\n', 'A', 'B'), ['--- A', '+++ B', '@@ -1,2 +1,2 @@', ' x', '-y', '\\ No newline at end of file', '+y']);
    const many = unifiedDiff(lines.join('\n'), lines.map((l) => `${l}!`).join('\n'), 'A', 'B', { maxLines: 10 });
    assert.equal(many.length, 11);
    assert.equal(many[10], '... (diff cut at 10 lines)');
  });

  test('unified diff: changes far apart in a long text are small hunks; past the edit bound, no line diff', () => {
    const long = Array.from({ length: 30_000 }, (_, i) => `line ${i + 1}`);
    const edited = [...long];
    edited[1] = 'first edit';
    edited[28_999] = 'second edit';
    assert.deepEqual(unifiedDiff(`${long.join('\n')}\n`, `${edited.join('\n')}\n`, 'A', 'B', { maxLines: 100 }), [
      '--- A', '+++ B',
      '@@ -1,5 +1,5 @@', ' line 1', '-line 2', '+first edit', ' line 3', ' line 4', ' line 5',
      '@@ -28997,7 +28997,7 @@', ' line 28997', ' line 28998', ' line 28999', '-line 29000', '+second edit', ' line 29001', ' line 29002', ' line 29003',
    ]);
    const other = long.map((line) => `${line} changed`);
    assert.deepEqual(unifiedDiff(long.join('\n'), other.join('\n'), 'A', 'B'), ['--- A', '+++ B', `... (more than ${MAX_EDIT_LINES} lines differ: no line diff)`]);
  });
});

test('reading order: core metadata, then the importable package, then other files, then files derived from them, then version-only changes', () => {
  const sdistNames = [
    'pkg-1.0/README.md',
    'pkg-1.0/docs/index.rst',
    'pkg-1.0/src/pkg.egg-info/PKG-INFO',
    'pkg-1.0/src/pkg.egg-info/SOURCES.txt',
    'pkg-1.0/src/pkg/__init__.py',
    'pkg-1.0/src/pkg/core.py',
    'pkg-1.0/tests/__init__.py',
    'pkg-1.0/tests/test_core.py',
    'pkg-1.0/PKG-INFO',
  ];
  const inOrder = (handler: ArtefactHandler, names: string[], versionOnly: string) => {
    const role = handler.memberRoles(names);
    const members = names.map((name) => ({ name, difference: 'content' as const, role: role(name), ...(name === versionOnly ? { versionOnly: true } : {}) }));
    return readingOrder(members).map((m) => m.name);
  };
  assert.deepEqual(inOrder(sdistHandler, sdistNames, 'pkg-1.0/src/pkg/__init__.py'), [
    'pkg-1.0/PKG-INFO',
    'pkg-1.0/src/pkg/core.py',
    'pkg-1.0/README.md',
    'pkg-1.0/docs/index.rst',
    'pkg-1.0/tests/__init__.py',
    'pkg-1.0/tests/test_core.py',
    'pkg-1.0/src/pkg.egg-info/PKG-INFO',
    'pkg-1.0/src/pkg.egg-info/SOURCES.txt',
    'pkg-1.0/src/pkg/__init__.py',
  ]);
  // A flat layout: the package is the directory with an __init__.py, and a lone module counts too.
  assert.deepEqual(inOrder(sdistHandler, ['p-1/setup.py', 'p-1/CHANGES.rst', 'p-1/mod.py', 'p-1/pkg/__init__.py', 'p-1/pkg/a.py', 'p-1/PKG-INFO'], ''), [
    'p-1/PKG-INFO',
    'p-1/mod.py',
    'p-1/pkg/__init__.py',
    'p-1/pkg/a.py',
    'p-1/setup.py',
    'p-1/CHANGES.rst',
  ]);
  assert.deepEqual(inOrder(wheelHandler, ['pkg-1.0.dist-info/RECORD', 'pkg-1.0.dist-info/entry_points.txt', 'pkg/core.py', 'pkg-1.0.data/scripts/run', 'pkg-1.0.dist-info/METADATA'], ''), [
    'pkg-1.0.dist-info/METADATA',
    'pkg/core.py',
    'pkg-1.0.dist-info/entry_points.txt',
    'pkg-1.0.data/scripts/run',
    'pkg-1.0.dist-info/RECORD',
  ]);
});

test("a wheel's metadata, paired through runs of any size, is what one batch gives", async () => {
  // Two backends' wheels of one project: their .dist-info directories pair by role, most fields and the order differ.
  const a = join(REPO_FIXTURES, 'reprodemo-1.0.0+flit-py3-none-any.whl');
  const b = join(REPO_FIXTURES, 'reprodemo-1.0.0+hatchling-py3-none-any.whl');
  const names = async (file: string) => {
    const view = await wheelHandler.readContent(file);
    return [...view].map((record) => record.name);
  };
  const pairing = pairMembers(wheelHandler.roots, await names(a), await names(b));
  assert.equal(pairing.renamedRoots.length, 1);
  const outcome = async (limits?: PairingLimits) => {
    const { changes, commonMembers } = await compareWheelMetadata(a, b, true, pairing, limits);
    return { commonMembers, changes: changes.map((c) => `${c.field} ${c.count}: ${c.all.join(' | ')}`) };
  };
  const one = await outcome();
  assert.ok(one.commonMembers! > 10, `${one.commonMembers} members in common`);
  assert.ok(one.changes.some((change) => change.startsWith('zip member order')), one.changes.join('\n'));
  // Members under the paired .dist-info are compared, under A's names.
  assert.match(one.changes.find((change) => change.startsWith('zip date/time'))!, /\| reprodemo-1\.0\.0\+flit\.dist-info\/METADATA \(2016-01-01/);
  for (const rowsPerRun of [1, 2, 3]) assert.deepEqual(await outcome({ rowsPerRun, batchBytes: 1 << 20 }), one, `${rowsPerRun} a run`);
  assert.deepEqual(await outcome({ rowsPerRun: 1000, batchBytes: 64 }), one, 'runs of 64 bytes');
});

test("a wheel's extra fields and comments are paired by their bytes, short or long, and only their difference is noted", async () => {
  const dir = tmpDir(undefined, 'reprodist-compare-extra-');
  const wheel = (side: string, fill: string) => {
    const path = join(dir, `${side}.whl`);
    const byte = (n: number) => Buffer.alloc(n, fill);
    writeFileSync(path, assembleZip({
      members: [
        // Extra data of 40 and 4 bytes, and comments of 100 and 1 byte: hashed past 32 bytes, hex below.
        { name: 'p/long.py', content: Buffer.from('l'), centralExtra: extraRecord(0xcafe, byte(40)), comment: byte(100) },
        { name: 'p/short.py', content: Buffer.from('s'), localExtra: extraRecord(0xcafe, byte(4)), comment: byte(1) },
        { name: 'p/same.py', content: Buffer.from('x'), centralExtra: extraRecord(0xcafe, Buffer.alloc(40, 'z')), comment: Buffer.alloc(100, 'z') },
      ],
    }).bytes);
    return path;
  };
  const a = wheel('a', 'a');
  const b = wheel('b', 'b');
  const names = ['p/long.py', 'p/short.py', 'p/same.py'];
  const { changes } = await compareWheelMetadata(a, b, true, pairMembers(wheelHandler.roots, names, names));
  const noted = Object.fromEntries(changes.map((c) => [c.field, c.all]));
  assert.deepEqual(noted['zip extra fields'], ['p/long.py (local (none), central 0xcafe: data differs)', 'p/short.py (local 0xcafe, central (none): data differs)']);
  assert.deepEqual(noted['zip member comments'], ['p/long.py', 'p/short.py']);
});
