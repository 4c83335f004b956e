// [tool.reprodist] in pyproject.toml and its precedence: flags > SOURCE_DATE_EPOCH > file > defaults.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, PYTHON, REPO_ROOT, envWithout, requireTools, run, runOk, tmpDir } from '../helpers/tools.js';

const FIXTURE = join(REPO_ROOT, 'fixtures', 'dist', 'reprodemo-1.0.0+flit.tar.gz');

/** A project dir with pyproject.toml and dist/ holding a raw sdist; returns its path. */
function project(t: Parameters<typeof tmpDir>[0], toml: string): string {
  const dir = tmpDir(t);
  writeFileSync(join(dir, 'pyproject.toml'), `[project]\nname = "x"\n\n${toml}`);
  mkdirSync(join(dir, 'dist'));
  copyFileSync(FIXTURE, join(dir, 'dist', 'x-1.0.tar.gz'));
  return dir;
}

function firstMtime(archive: string): number {
  return Number(runOk(PYTHON, ['-c', 'import sys, tarfile; print(tarfile.open(sys.argv[1]).getmembers()[0].mtime)', archive]).trim());
}

function reprodist(cwd: string, args: string[], env: NodeJS.ProcessEnv = envWithout()) {
  return run(process.execPath, [CLI, ...args], { cwd, env });
}

test('the file sets the epoch; SOURCE_DATE_EPOCH beats it; --epoch beats both', (t) => {
  if (!requireTools(t, PYTHON)) return;
  const dir = project(t, '[tool.reprodist]\nepoch = 1650000000\nlevel = 6\n');
  const archive = join(dir, 'dist', 'x-1.0.tar.gz');
  assert.equal(reprodist(join(dir, 'dist'), []).code, 2, 'a subdirectory has no dist/ of its own');
  assert.equal(reprodist(dir, []).code, 0);
  assert.equal(firstMtime(archive), 1650000000);
  assert.equal(reprodist(dir, [], envWithout({ SOURCE_DATE_EPOCH: '1660000000' })).code, 0);
  assert.equal(firstMtime(archive), 1660000000);
  assert.equal(reprodist(dir, ['--epoch', '1670000000'], envWithout({ SOURCE_DATE_EPOCH: '1660000000' })).code, 0);
  assert.equal(firstMtime(archive), 1670000000);
  // level 6 from the file: the gzip XFL byte is 0 (it is 2 at level 9).
  const check = reprodist(dir, ['check', '--epoch', '1670000000', '--level', '9']);
  assert.equal(check.code, 1);
  assert.match(check.stdout, /gzip XFL: 0/);
});

test('paths come from the file, relative to it, and are found from a subdirectory', (t) => {
  if (!requireTools(t, PYTHON)) return;
  const dir = project(t, '[tool.reprodist]\npaths = ["dist"]\nepoch = 1650000000\n');
  mkdirSync(join(dir, 'src'));
  const result = reprodist(join(dir, 'src'), []);
  assert.equal(result.code, 0);
  // Printed as a user would write it from there, not as an absolute path.
  assert.match(result.stdout, /^normalized +\.\.\/dist\/x-1\.0\.tar\.gz$/m);
  assert.equal(firstMtime(join(dir, 'dist', 'x-1.0.tar.gz')), 1650000000);
});

test('epoch = "git" takes the commit time of HEAD', (t) => {
  if (!requireTools(t, PYTHON, 'git')) return;
  const dir = project(t, '[tool.reprodist]\nepoch = "git"\n');
  const env = envWithout({ GIT_COMMITTER_DATE: '@1640000000 +0000', GIT_AUTHOR_DATE: '@1640000000 +0000', GIT_AUTHOR_NAME: 'a', GIT_AUTHOR_EMAIL: 'a@b', GIT_COMMITTER_NAME: 'a', GIT_COMMITTER_EMAIL: 'a@b' });
  runOk('git', ['init', '-q', dir]);
  runOk('git', ['-C', dir, 'commit', '-q', '--allow-empty', '-m', 'x'], { env });
  assert.equal(reprodist(dir, []).code, 0);
  assert.equal(firstMtime(join(dir, 'dist', 'x-1.0.tar.gz')), 1640000000);
});

test('unknown keys and bad values are one-line errors naming the file, the key, the value and what is allowed, exit 2', (t) => {
  const epochs = 'git or whole seconds since 1970 from 315532800 (1980-01-01) to 4354819198 (2107-12-31)';
  for (const [toml, message] of [
    ['epoc = 1', 'unknown key "epoc" in [tool.reprodist] (known: epoch, mtime, level, paths, jobs, keep-compression, backend, backend-path)'],
    ['level = "nine"', '[tool.reprodist] level: "nine" is not a whole number from 1 to 9'],
    ['level = 12', '[tool.reprodist] level: 12 is not a whole number from 1 to 9'],
    ['level = 6.5', '[tool.reprodist] level: 6.5 is not a whole number from 1 to 9'],
    ['jobs = 0', '[tool.reprodist] jobs: 0 is not a whole number of at least 1'],
    ['epoch = 12', `[tool.reprodist] epoch: 12 is not ${epochs}`],
    ['epoch = "1700000000"', `[tool.reprodist] epoch: "1700000000" is not ${epochs}`],
    ['mtime = "now"', '[tool.reprodist] mtime: "now" is not one of epoch, clamp'],
    ['keep-compression = "yes"', '[tool.reprodist] keep-compression: "yes" is not true or false'],
    ['paths = "dist"', '[tool.reprodist] paths: "dist" is not a list of strings'],
  ] as const) {
    const dir = project(t, `[tool.reprodist]\n${toml}\n`);
    const result = reprodist(dir, []);
    assert.equal(result.code, 2, toml);
    assert.equal(result.stderr, `reprodist: ${join(dir, 'pyproject.toml')}: ${message}\n`);
  }
});

test('--keep-compression acts on normalize and check only: other verbs refuse it, and hide it from their help', (t) => {
  const dir = project(t, '[tool.reprodist]\nkeep-compression = true\n');
  const sdist = join(dir, 'dist', 'x-1.0.tar.gz');
  for (const flag of ['--keep-compression', '--no-keep-compression']) {
    // Before or after the verb, for the verbs it acts on.
    for (const args of [[flag, 'check', sdist], ['check', flag, sdist], [flag, '--out', join(dir, 'out'), sdist]]) {
      const r = reprodist(dir, args);
      assert.notEqual(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    }
    for (const args of [[flag, 'digest', sdist], ['digest', flag, sdist], ['compare', flag, sdist, sdist], [flag, 'verify', '--against', 'http://127.0.0.1:9/', sdist]]) {
      const r = reprodist(dir, args);
      assert.equal(r.code, 2, args.join(' '));
      assert.equal(r.stdout, '');
      assert.match(r.stderr, new RegExp(`^reprodist: ${flag} acts only on normalize and check, not on (digest|compare|verify) \\(see reprodist \\w+ --help\\)\\n$`));
    }
  }
  // The config's keep-compression does not trouble the verbs it does not act on.
  assert.equal(reprodist(dir, ['digest', sdist]).code, 0);
  for (const verb of ['compare', 'digest', 'verify']) assert.doesNotMatch(reprodist(dir, [verb, '--help']).stdout, /keep-compression/, verb);
  assert.match(reprodist(dir, ['check', '--help']).stdout, /--no-keep-compression overrides/);
});

test('SOURCE_DATE_EPOCH must be whole seconds: "git" there is refused', (t) => {
  const dir = project(t, '');
  for (const value of ['git', '1.5', 'yesterday']) {
    const r = reprodist(dir, ['check'], envWithout({ SOURCE_DATE_EPOCH: value }));
    assert.equal(r.code, 2, value);
    assert.equal(r.stderr, `reprodist: SOURCE_DATE_EPOCH: ${JSON.stringify(value)} is not whole seconds since 1970 from 315532800 (1980-01-01) to 4354819198 (2107-12-31)\n`);
  }
});

test("--epoch git that git cannot answer says git's own reason", (t) => {
  if (!requireTools(t, 'git')) return;
  const dir = project(t, '');
  // No repository here or above (the ceiling stops git at the temporary directory's parent).
  const env = envWithout({ GIT_CEILING_DIRECTORIES: join(dir, '..'), GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' });
  const r = reprodist(dir, ['check', '--epoch', 'git'], env);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /^reprodist: .*not a git repository/);
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  if (process.getuid?.() !== 0) return;
  // A repository git calls "dubious" (another owner): git's reason, not "not a git checkout".
  runOk('git', ['init', '-q', dir]);
  runOk('chown', ['-R', '65534:65534', join(dir, '.git')]);
  runOk('chown', ['65534:65534', dir]);
  const dubious = reprodist(dir, ['check', '--epoch', 'git'], env);
  assert.equal(dubious.code, 2);
  assert.match(dubious.stderr, /dubious ownership/);
});

test('digest and verify read [tool.reprodist] paths, as normalize and check do', (t) => {
  const dir = project(t, '[tool.reprodist]\npaths = ["out"]\n');
  mkdirSync(join(dir, 'out'));
  copyFileSync(FIXTURE, join(dir, 'out', 'y-2.0.tar.gz'));
  mkdirSync(join(dir, 'sub'));
  const digest = reprodist(join(dir, 'sub'), ['digest']);
  assert.equal(digest.code, 0, digest.stderr);
  assert.match(digest.stdout, /^[0-9a-f]{64} {2}\S*out\/y-2\.0\.tar\.gz\n$/, 'out/, not dist/');
  // Nothing listens on port 9: the check fails, but it is out/'s file that verify took.
  const verify = reprodist(join(dir, 'sub'), ['verify', '--json', '--timeout', '5', '--against', 'http://127.0.0.1:9/x']);
  const report = JSON.parse(verify.stdout) as { results: { name: string }[] };
  assert.deepEqual(report.results.map((c) => c.name), ['y-2.0.tar.gz']);
});

test('verify takes --epoch, --mtime and --level only with --build, the rebuild they act on', (t) => {
  const dir = project(t, '');
  for (const args of [['--epoch', '1700000000'], ['--mtime', 'clamp'], ['--level', '9']]) {
    const r = reprodist(dir, ['verify', ...args, '--against', 'http://127.0.0.1:9/x']);
    assert.equal(r.code, 2, args.join(' '));
    assert.equal(r.stderr, `reprodist: ${args[0]} acts only with --build (how the rebuild is normalized); downloads are compared as they are\n`);
  }
});

test('verify --build settles the rebuild as reprodist in the clone would: the commit time over the file, --epoch (git too) over both', (t) => {
  if (!requireTools(t, PYTHON, 'git')) return;
  const dir = project(t, '[tool.reprodist]\nepoch = 1650000000\nmtime = "clamp"\n');
  // The "build" copies a committed raw sdist into dist/; what the rebuild does with it is the settings.
  mkdirSync(join(dir, 'raw'));
  copyFileSync(FIXTURE, join(dir, 'raw', 'x-1.0.tar.gz'));
  writeFileSync(join(dir, '.gitignore'), 'dist/\n');
  const env = envWithout({ GIT_COMMITTER_DATE: '@1640000000 +0000', GIT_AUTHOR_DATE: '@1640000000 +0000', GIT_AUTHOR_NAME: 'a', GIT_AUTHOR_EMAIL: 'a@b', GIT_COMMITTER_NAME: 'a', GIT_COMMITTER_EMAIL: 'a@b' });
  runOk('git', ['init', '-q', dir]);
  runOk('git', ['-C', dir, 'add', '-A'], { env });
  runOk('git', ['-C', dir, 'commit', '-q', '-m', 'x'], { env });
  const local = join(dir, 'dist', 'x-1.0.tar.gz');
  const verify = (flags: string[]) => reprodist(dir, ['verify', '--build', '--build-command', 'mkdir -p dist && cp raw/x-1.0.tar.gz dist/', ...flags]);
  for (const [flags, epoch] of [[[], 1640000000], [['--epoch', 'git'], 1640000000], [['--epoch', '1660000000'], 1660000000]] as const) {
    // Normalized here with that epoch and the file's mtime = "clamp" (the fixture's PKG-INFO has mtime 0).
    copyFileSync(FIXTURE, local);
    assert.equal(reprodist(dir, ['--epoch', String(epoch), local]).code, 0);
    const r = verify([...flags]);
    assert.equal(r.code, 0, `${flags.join(' ')}: ${r.stdout}${r.stderr}`);
    assert.match(r.stdout, new RegExp(`SOURCE_DATE_EPOCH=1640000000, normalized with epoch ${epoch}\\)$`, 'm'));
  }
  // Normalized with the file's epoch, the local file is not what the rebuild makes: the commit time won.
  copyFileSync(FIXTURE, local);
  assert.equal(reprodist(dir, [local]).code, 0);
  assert.equal(firstMtime(local), 1650000000);
  assert.equal(verify([]).code, 1);
});
