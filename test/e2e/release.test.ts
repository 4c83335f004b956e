// End-to-end: `npm run release:build` writes release/ with the npm tarball, the Python wheel and sdist
// and SHA256SUMS; run twice, under a different umask and time zone, it writes the same bytes, and the
// Python artefacts are in reprodist's normal form.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PYTHON, REPO_ROOT, envWithout, requireTools, runCli, runOk, sha256File, tmpDir } from '../helpers/tools.js';

const { version } = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
const RELEASE = join(REPO_ROOT, 'release');
const EXPECTED = ['SHA256SUMS', `reprodist-${version}-py3-none-any.whl`, `reprodist-${version}.tar.gz`, `reprodist-${version}.tgz`];

/** Runs release:build under a umask and TZ, and keeps a copy of release/ in `keep`. */
function releaseBuild(keep: string, umask: string, tz: string): Map<string, Buffer> {
  runOk('sh', ['-c', `umask ${umask} && exec npm run --silent release:build`], {
    cwd: REPO_ROOT,
    env: envWithout({ TZ: tz, PYTHONDONTWRITEBYTECODE: '1', PIP_NO_INDEX: '1' }),
    timeout: 600_000,
  });
  const names = readdirSync(RELEASE).sort();
  assert.deepEqual(names, EXPECTED, 'release/ holds the npm tarball, the wheel, the sdist and SHA256SUMS');
  mkdirSync(keep, { recursive: true });
  const files = new Map<string, Buffer>();
  for (const name of names) {
    copyFileSync(join(RELEASE, name), join(keep, name));
    files.set(name, readFileSync(join(keep, name)));
  }
  return files;
}

test('release:build twice: identical files, SHA256SUMS that sha256sum accepts, Python artefacts in normal form', (t) => {
  if (!requireTools(t, 'npm', 'sha256sum', 'py:build', 'py:flit_core')) return;
  const work = tmpDir(t, 'reprodist-release-');
  const first = releaseBuild(join(work, 'first'), '022', 'UTC');
  const second = releaseBuild(join(work, 'second'), '002', 'Asia/Kolkata');
  for (const name of EXPECTED) assert.ok(first.get(name)!.equals(second.get(name)!), `${name}: the same bytes from both runs`);

  // SHA256SUMS lists every other file, in order, in sha256sum's format, and checks.
  const sums = first.get('SHA256SUMS')!.toString('utf8');
  assert.deepEqual(
    sums.trimEnd().split('\n'),
    EXPECTED.filter((n) => n !== 'SHA256SUMS').map((n) => `${sha256File(join(work, 'first', n))}  ${n}`),
  );
  runOk('sha256sum', ['-c', '--strict', 'SHA256SUMS'], { cwd: join(work, 'first') });

  // The Python artefacts are in normal form; the npm tarball holds the package.
  const check = runCli(['check', join(work, 'first', `reprodist-${version}-py3-none-any.whl`), join(work, 'first', `reprodist-${version}.tar.gz`)], { env: envWithout() });
  assert.equal(check.code, 0, check.stdout + check.stderr);
  const listed = runOk(PYTHON, ['-c', 'import sys, tarfile; print("\\n".join(tarfile.open(sys.argv[1]).getnames()))', join(work, 'first', `reprodist-${version}.tgz`)]);
  for (const member of ['package/package.json', 'package/bin/reprodist', 'package/dist/cli.js', 'package/dist/formats/deflate/zlib.wasm']) {
    assert.ok(listed.split('\n').includes(member), `${member} in the npm tarball`);
  }
});

test('the release workflow publishes the built files and verifies what was published', () => {
  const workflow = readFileSync(join(REPO_ROOT, '.github', 'workflows', 'release.yml'), 'utf8');
  assert.match(workflow, /^on:\n {2}push:\n {4}tags: \['v\*'\]$/m, 'runs on a tag');
  assert.match(workflow, /npm run --silent release:build\n.*\n\s+npm run --silent release:build\n\s+diff -r release-first release/, 'builds twice and compares');
  assert.match(workflow, /npm publish "reprodist-\$VERSION\.tgz" --provenance/, 'publishes the built tarball with provenance');
  assert.match(workflow, /id-token: write {3}# PyPI trusted publishing\n[\s\S]*pypa\/gh-action-pypi-publish@release\/v1/);
  assert.match(workflow, /gh release create .* \.\/\*$/m, 'uploads every file and SHA256SUMS');
  assert.match(workflow, /node bin\/reprodist verify release\/ --pypi "reprodist==\$VERSION"/);
  assert.match(workflow, /--against "https:\/\/github\.com\/\$GITHUB_REPOSITORY\/releases\/download\/\$TAG"/);
  assert.match(workflow, /npm view "reprodist@\$VERSION" dist\.integrity/);
  // No job gets more than it needs: nothing is granted at the top.
  assert.match(workflow, /^permissions: \{\}$/m);
});
