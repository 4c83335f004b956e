// compare on two releases of the fixture project: 1.0.0, and 1.0.1 with one source file edited.
// Files pair by project and kind, members by role (top directory, .dist-info/), the version change
// leads, and the first ten lines say which members changed and how; every list is summarized, with
// --verbose for all of it and --json holding it all.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { buildProject, PROJECT_NAME } from '../helpers/build.js';
import { PYTHON, requireTools, runCli, runOk, tmpDir } from '../helpers/tools.js';
import { normalizeProjectName, pairMembers, parseArtefactName } from '../../src/normalize/index.js';
import { sdistHandler } from '../../src/normalize/sdist/index.js';
import { wheelHandler } from '../../src/normalize/wheel/index.js';

const WORK = tmpDir(undefined, 'reprodist-releases-');
const OLD = join(WORK, 'release-1.0.0');
const NEW = join(WORK, 'release-1.0.1');
const OLD_SDIST = `${PROJECT_NAME}-1.0.0.tar.gz`;
const NEW_SDIST = `${PROJECT_NAME}-1.0.1.tar.gz`;
const OLD_WHEEL = `${PROJECT_NAME}-1.0.0-py3-none-any.whl`;
const NEW_WHEEL = `${PROJECT_NAME}-1.0.1-py3-none-any.whl`;
const EDITED_LINE = 'EDITED_IN_1_0_1 = True';

let built = false;

before(() => {
  if (!requireTools({ skip: () => undefined }, 'build', 'setuptools')) return;
  buildProject({ backend: 'setuptools', outDir: OLD });
  buildProject({
    backend: 'setuptools',
    outDir: NEW,
    version: '1.0.1',
    edit: (src) => {
      const core = join(src, 'src/reprodemo/core.py');
      writeFileSync(core, `${readFileSync(core, 'utf8')}\n${EDITED_LINE}\n`);
      // Files that sort before src/ change too, as a release's tooling and tests do: the module's
      // diff must still come right after the core metadata's.
      for (const [file, line] of [['LICENSE', 'Also under the same terms.'], ['tests/test_core.py', '# 1.0.1']]) {
        writeFileSync(join(src, file), `${readFileSync(join(src, file), 'utf8')}${line}\n`);
      }
    },
  });
  built = true;
});

/** The first ten lines of `compare`'s output for one pair. */
function firstTenLines(a: string, b: string): string[] {
  const r = runCli(['compare', a, b]);
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.equal(r.stderr, '');
  return r.stdout.split('\n').slice(0, 10);
}

describe('compare on two releases', () => {
  test('sdists: the first ten lines name the version change, the changed members and the edit', (t) => {
    if (!built && !requireTools(t, 'build', 'setuptools')) return;
    const lines = firstTenLines(join(OLD, OLD_SDIST), join(NEW, NEW_SDIST));
    const head = lines.join('\n');
    // Which file is A, the pair, and at once the version change.
    assert.match(lines[0]!, /^A = .*reprodemo-1\.0\.0\.tar\.gz, B = .*reprodemo-1\.0\.1\.tar\.gz$/);
    assert.match(lines[1]!, /^differs +reprodemo-1\.0\.0\.tar\.gz \| reprodemo-1\.0\.1\.tar\.gz$/);
    assert.match(lines[2]!, /^ +version: 1\.0\.0 → 1\.0\.1$/);
    assert.match(head, /members paired by role: reprodemo-1\.0\.0\/ = reprodemo-1\.0\.1\//);
    // Not "only in A" and "only in B" for every member: the top directories pair.
    assert.doesNotMatch(head, /only in/);
    // PKG-INFO first, then the edited file; the members where only the version string changed last.
    assert.match(head, /^ +changed \[\d+\]: reprodemo-1\.0\.0\/PKG-INFO \(text, only the version differs\), reprodemo-1\.0\.0\/src\/reprodemo\/core\.py \(text, \d+ → \d+ bytes\), /m);
    // The core metadata's diff comes first, and says what the version line says.
    assert.match(head, /^ +--- A\/reprodemo-1\.0\.0\/PKG-INFO$/m);
    assert.match(head, /^ +\+\+\+ B\/reprodemo-1\.0\.1\/PKG-INFO$/m);
    const full = runCli(['compare', join(OLD, OLD_SDIST), join(NEW, NEW_SDIST)]).stdout;
    assert.match(full, /^ +-Version: 1\.0\.0\n +\+Version: 1\.0\.1$/m);
    assert.match(full, new RegExp(`^ +\\+${EDITED_LINE}$`, 'm'));
    // A member where only the version string changed gets no diff of its own.
    assert.doesNotMatch(full, /--- A\/reprodemo-1\.0\.0\/pyproject\.toml/);
    // The importable package before the tooling and tests that sort before it: with room for two
    // diffs, the second is the module's.
    const two = runCli(['compare', '--diffs', '2', join(OLD, OLD_SDIST), join(NEW, NEW_SDIST)]).stdout;
    assert.deepEqual([...two.matchAll(/^ +--- A\/(\S+)$/gm)].map((m) => m[1]), ['reprodemo-1.0.0/PKG-INFO', 'reprodemo-1.0.0/src/reprodemo/core.py'], two);
  });

  test('wheels: .dist-info/ pairs by role, and the edit is in the first ten lines', (t) => {
    if (!built && !requireTools(t, 'build', 'setuptools')) return;
    const lines = firstTenLines(join(OLD, OLD_WHEEL), join(NEW, NEW_WHEEL));
    const head = lines.join('\n');
    assert.match(lines[2]!, /^ +version: 1\.0\.0 → 1\.0\.1$/);
    assert.match(head, /members paired by role: reprodemo-1\.0\.0\.dist-info\/ = reprodemo-1\.0\.1\.dist-info\//);
    assert.doesNotMatch(head, /only in/);
    assert.match(head, /^ +changed \[\d+\]: reprodemo-1\.0\.0\.dist-info\/METADATA \(text, only the version differs\), .*reprodemo\/core\.py \(text, \d+ → \d+ bytes\)/m);
    // The full output holds the diff of the edited file, after METADATA's.
    const r = runCli(['compare', join(OLD, OLD_WHEEL), join(NEW, NEW_WHEEL)]);
    // METADATA's diff first, then the edited file's, then the RECORD's, which follows from it.
    assert.ok(r.stdout.indexOf('--- A/reprodemo-1.0.0.dist-info/METADATA') < r.stdout.indexOf('--- A/reprodemo/core.py'), r.stdout);
    assert.ok(r.stdout.indexOf('--- A/reprodemo/core.py') < r.stdout.indexOf('--- A/reprodemo-1.0.0.dist-info/RECORD'), r.stdout);
    assert.match(r.stdout, new RegExp(`^ +\\+${EDITED_LINE}$`, 'm'));
    // The zip metadata pairs the same way: dates of the renamed members are compared, none is one-sided.
    assert.match(r.stdout, /^ +zip \((\d+) members in both\)$/m);
    assert.doesNotMatch(r.stdout, /directory entries.*only in/);
  });

  test('directories of two releases: files pair by project and kind, and say so', (t) => {
    if (!built && !requireTools(t, 'build', 'setuptools')) return;
    const r = runCli(['compare', OLD, NEW]);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.doesNotMatch(r.stdout, /^only in/m);
    assert.match(r.stdout, /^differs +reprodemo-1\.0\.0\.tar\.gz \| reprodemo-1\.0\.1\.tar\.gz$/m);
    assert.match(r.stdout, /^differs +reprodemo-1\.0\.0-py3-none-any\.whl \| reprodemo-1\.0\.1-py3-none-any\.whl$/m);
    assert.equal(r.stdout.match(/^ +paired by project and kind/gm)?.length, 2, r.stdout);
    const doc = JSON.parse(runCli(['compare', '--json', OLD, NEW]).stdout);
    assert.deepEqual([doc.onlyInA, doc.onlyInB], [[], []]);
    for (const pair of doc.results) {
      assert.equal(pair.pairedBy, 'project');
      assert.deepEqual(pair.version, { a: '1.0.0', b: '1.0.1' });
    }
    const wheel = doc.results.find((p: { kind: string }) => p.kind === 'wheel');
    assert.deepEqual(wheel.renamedRoots, [{ a: 'reprodemo-1.0.0.dist-info', b: 'reprodemo-1.0.1.dist-info', version: { a: '1.0.0', b: '1.0.1' } }]);
    // The zip metadata pairs the renamed .dist-info/ members too: every entry is in both.
    const entries = Number(runOk(PYTHON, ['-c', 'import sys, zipfile; print(len(zipfile.ZipFile(sys.argv[1]).namelist()))', join(OLD, OLD_WHEEL)]));
    assert.equal(wheel.commonMembers, entries);
    const metadata = wheel.members.find((m: { name: string }) => m.name === 'reprodemo-1.0.0.dist-info/METADATA');
    assert.equal(metadata.nameB, 'reprodemo-1.0.1.dist-info/METADATA');
    assert.match(metadata.sha256.a, /^[0-9a-f]{64}$/);
    assert.notEqual(metadata.sha256.a, metadata.sha256.b);
  });

  test('a wheel of other tags, or a second release of one project, is not paired by guess', (t) => {
    if (!built && !requireTools(t, 'build', 'setuptools')) return;
    const dir = tmpDir(t);
    const [left, right] = [join(dir, 'left'), join(dir, 'right')];
    const copies: [from: string, to: string][] = [
      [join(OLD, OLD_WHEEL), join(left, OLD_WHEEL)],
      [join(OLD, OLD_SDIST), join(left, OLD_SDIST)],
      [join(NEW, NEW_WHEEL), join(right, `${PROJECT_NAME}-1.0.1-cp312-cp312-manylinux_2_17_x86_64.whl`)],
      [join(NEW, NEW_SDIST), join(right, NEW_SDIST)],
      [join(NEW, NEW_SDIST), join(right, `${PROJECT_NAME}-1.0.2.tar.gz`)],
    ];
    for (const [from, to] of copies) {
      mkdirSync(dirname(to), { recursive: true });
      copyFileSync(from, to);
    }
    const doc = JSON.parse(runCli(['compare', '--json', left, right]).stdout);
    assert.deepEqual(doc.results, []);
    assert.deepEqual(doc.onlyInA, [OLD_WHEEL, OLD_SDIST]);
    assert.equal(doc.onlyInB.length, 3);
  });
});

describe('every list summarized one way', () => {
  test('compare: three examples and a count, --verbose (-v) for all, --json holds all', (t) => {
    if (!built && !requireTools(t, 'build', 'setuptools')) return;
    const a = join(OLD, OLD_SDIST);
    const b = join(NEW, NEW_SDIST);
    const doc = JSON.parse(runCli(['compare', '--json', a, b]).stdout);
    const mtime = doc.results[0].metadata.find((c: { field: string }) => c.field === 'tar mtime');
    assert.ok(mtime && mtime.count > 3, JSON.stringify(doc.results[0].metadata));
    assert.equal(mtime.all.length, mtime.count);
    assert.deepEqual(mtime.examples, mtime.all.slice(0, 3));

    const short = runCli(['compare', a, b]).stdout;
    assert.match(short, new RegExp(`^ +mtime \\[${mtime.count}\\]: ${escape(mtime.all[0])}, ${escape(mtime.all[1])}, ${escape(mtime.all[2])}, \\.\\.\\. \\(${mtime.count - 3} more; --verbose lists all\\)$`, 'm'));
    assert.doesNotMatch(short, new RegExp(escape(mtime.all.at(-1))));
    for (const flag of ['--verbose', '-v']) {
      const long = runCli(['compare', flag, a, b]).stdout;
      assert.match(long, new RegExp(`^ +mtime \\[${mtime.count}\\]:$`, 'm'));
      for (const example of mtime.all) assert.match(long, new RegExp(`^ +${escape(example)}$`, 'm'));
    }
  });

  test('check: a RECORD with many mismatches is a count and three, not a line each', (t) => {
    if (!requireTools(t, PYTHON)) return;
    const dir = tmpDir(t);
    const wheel = join(dir, 'many-1.0-py3-none-any.whl');
    runOk(PYTHON, ['-c', `
import sys, zipfile
with zipfile.ZipFile(sys.argv[1], 'w') as z:
    for i in range(40):
        z.writestr(f'many/m{i:02}.py', 'x = 1\\n')
    z.writestr('many-1.0.dist-info/METADATA', 'Metadata-Version: 2.1\\nName: many\\nVersion: 1.0\\n')
    z.writestr('many-1.0.dist-info/RECORD', '')
`, wheel]);
    const r = runCli(['check', wheel]);
    assert.equal(r.code, 1, r.stderr);
    const problemLines = r.stdout.split('\n').filter((line) => line.includes('RECORD does not list'));
    assert.equal(problemLines.length, 1, r.stdout);
    assert.match(problemLines[0]!, /problem \[41\]: RECORD does not list many\/m00\.py, RECORD does not list many\/m01\.py, RECORD does not list many\/m02\.py, \.\.\. \(38 more; --verbose lists all\)$/);
    const verbose = runCli(['check', '-v', wheel]);
    assert.match(verbose.stdout, /problem \[41\]:$/m);
    assert.equal(verbose.stdout.split('\n').filter((line) => /^ +RECORD does not list /.test(line)).length, 41);
    const doc = JSON.parse(runCli(['check', '--json', wheel]).stdout);
    assert.equal(doc.results[0].problems.length, 41);
  });

  test('-v goes before or after the verb; an option of normalize before another verb is refused, not read as normalize of the verb and its operands', (t) => {
    const dir = tmpDir(t);
    const sdist = join(dir, OLD_SDIST);
    writeFileSync(sdist, 'not touched');
    const before = runCli(['-v', 'check', sdist], { cwd: dir });
    const after = runCli(['check', '-v', sdist], { cwd: dir });
    assert.equal(before.code, 2);
    assert.equal(before.stderr, after.stderr);
    const r = runCli(['--epoch', '0', 'compare', sdist, sdist], { cwd: dir });
    assert.equal(r.code, 2);
    assert.equal(r.stderr, 'reprodist: --epoch acts only on normalize, check and verify, not on compare (see reprodist compare --help)\n');
    assert.equal(readFileSync(sdist, 'utf8'), 'not touched');
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

describe('what pairs: names by the PyPA rules, members by role', () => {
  test('file names: PEP 503 project names, the version after the last dash, wheel tags after a build tag', () => {
    assert.deepEqual(parseArtefactName('Foo_Bar.baz-1.0.tar.gz'), { kind: 'sdist', project: 'foo-bar-baz', version: '1.0' });
    assert.deepEqual(parseArtefactName('python-dateutil-2.9.0.post0.tar.gz'), { kind: 'sdist', project: 'python-dateutil', version: '2.9.0.post0' });
    assert.deepEqual(parseArtefactName('foo_bar-1.1-1b-cp312-cp312-manylinux_2_17_x86_64.whl'), { kind: 'wheel', project: 'foo-bar', version: '1.1', tags: 'cp312-cp312-manylinux_2_17_x86_64' });
    assert.deepEqual(parseArtefactName('pluggy-1.6.1.dev0+g2f4fe15.tar.gz')?.version, '1.6.1.dev0+g2f4fe15');
    for (const name of ['x.whl', 'a-b-c.whl', 'nodash.tar.gz', 'pkg-.tar.gz', 'pkg-1.0.zip']) assert.equal(parseArtefactName(name), undefined, name);
    assert.equal(normalizeProjectName('Zope.Interface__x'), 'zope-interface-x');
  });

  test('members: the one top directory, the one .dist-info/ and .data/; two of a kind pair as they are', () => {
    const sdist = pairMembers(sdistHandler.roots, ['pkg-1.0', 'pkg-1.0/PKG-INFO'], ['pkg-1.1', 'pkg-1.1/PKG-INFO', 'pkg-1.1/new.py']);
    assert.deepEqual(sdist.renamedRoots, [{ a: 'pkg-1.0', b: 'pkg-1.1', version: { a: '1.0', b: '1.1' } }]);
    assert.equal(sdist.toA('pkg-1.1/new.py'), 'pkg-1.0/new.py');
    assert.equal(sdist.toB('pkg-1.0'), 'pkg-1.1');
    const wheel = pairMembers(wheelHandler.roots, ['pkg/__init__.py', 'pkg-1.0.dist-info/METADATA', 'pkg-1.0.data/scripts/run'], ['pkg/__init__.py', 'pkg-1.1.dist-info/METADATA', 'pkg-1.1.data/scripts/run']);
    assert.deepEqual(wheel.renamedRoots, [
      { a: 'pkg-1.0.dist-info', b: 'pkg-1.1.dist-info', version: { a: '1.0', b: '1.1' } },
      { a: 'pkg-1.0.data', b: 'pkg-1.1.data', version: { a: '1.0', b: '1.1' } },
    ]);
    assert.equal(wheel.toA('pkg-1.1.data/scripts/run'), 'pkg-1.0.data/scripts/run');
    assert.equal(wheel.toA('pkg/__init__.py'), 'pkg/__init__.py');
    assert.deepEqual(pairMembers(sdistHandler.roots, ['a-1.0/x', 'b-1.0/x'], ['a-1.1/x']).renamedRoots, []);
    assert.deepEqual(pairMembers(wheelHandler.roots, ['a-1.0.dist-info/M', 'b-1.0.dist-info/M'], ['a-1.1.dist-info/M']).renamedRoots, []);
  });
});
