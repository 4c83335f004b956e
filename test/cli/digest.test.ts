// `reprodist digest`: the Python function in docs/digest.md (taken from the page itself, so the two
// cannot drift) gives the CLI's digest on sdists and wheels built by several backends, raw and
// normalized; the digest ignores what the normal form ignores and sees what it keeps.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BACKENDS, buildProject, FIXTURES } from '../helpers/build.js';
import type { Backend } from '../helpers/build.js';
import { BACKEND_MODULES, CLI, PYTHON, REPO_ROOT, hasTool, requireTools, run, runCli, runOk, tmpDir } from '../helpers/tools.js';
import { contentDigest, serializeContent } from '../../src/compare/index.js';

const WORK = tmpDir(undefined, 'reprodist-digest-');
const EPOCH = '1700000000';

/** The one ```python block of docs/digest.md that defines reprodist_digest, as a script printing `<hex>  <path>` lines. */
function pythonDigestScript(): string {
  const page = readFileSync(join(REPO_ROOT, 'docs', 'digest.md'), 'utf8');
  const blocks = [...page.matchAll(/^```python\n([\s\S]*?)^```$/gm)].map((m) => m[1]!).filter((code) => code.includes('def reprodist_digest('));
  assert.equal(blocks.length, 1, 'docs/digest.md has one python block defining reprodist_digest');
  const script = join(WORK, 'reprodist_digest.py');
  writeFileSync(script, `${blocks[0]}\n\nif __name__ == "__main__":\n    import sys\n    for p in sys.argv[1:]:\n        print(f"{reprodist_digest(p)}  {p}")\n`);
  return script;
}

function digestLines(output: string): Map<string, string> {
  const lines = output.trim().split('\n');
  for (const line of lines) assert.match(line, /^[0-9a-f]{64} {2}\S.*$/);
  return new Map(lines.map((line) => [line.slice(66), line.slice(0, 64)]));
}

/** Raw artefacts of every backend available here, one directory each, and their normalized copies. */
const built: { backend: Backend; raw: string; normal: string }[] = [];

before(() => {
  for (const backend of BACKENDS) {
    if (!hasTool('build') || !hasTool(BACKEND_MODULES[backend]!)) continue;
    const raw = join(WORK, backend, 'raw');
    const normal = join(WORK, backend, 'normal');
    buildProject({ backend, outDir: raw, condition: { umask: 0o002, tz: 'Asia/Kolkata' } });
    const r = runCli(['--epoch', EPOCH, '--out', normal, raw]);
    assert.equal(r.code, 0, r.stderr);
    built.push({ backend, raw, normal });
  }
});

describe('digest: docs/digest.md in Python equals the CLI', () => {
  test('on sdists and wheels of several backends, raw and normalized', (t) => {
    if (!requireTools(t, 'build', 'py:setuptools', 'py:hatchling', 'py:flit_core')) return;
    assert.ok(built.length >= 3, `built: ${built.map((b) => b.backend).join(', ')}`);
    const files = built.flatMap(({ raw, normal }) => [raw, normal].flatMap((dir) => readdirSync(dir).map((name) => join(dir, name))));
    files.push(...readdirSync(join(FIXTURES, 'dist')).filter((n) => /\.(tar\.gz|whl)$/.test(n)).map((n) => join(FIXTURES, 'dist', n)));
    const cli = runCli(['digest', ...files]);
    assert.equal(cli.code, 0, cli.stderr);
    const fromCli = digestLines(cli.stdout);
    const fromPython = digestLines(runOk(PYTHON, [pythonDigestScript(), ...files]));
    assert.equal(fromCli.size, files.length);
    assert.deepEqual(fromPython, fromCli);
    // The same content whatever wrote the archive: raw equals normalized, for every artefact.
    for (const { backend, raw, normal } of built) {
      for (const name of readdirSync(raw)) assert.equal(fromCli.get(join(raw, name)), fromCli.get(join(normal, name)), `${backend} ${name}`);
    }
    // And different content, different digests: every backend packs other metadata files.
    const sdists = built.map(({ raw }) => fromCli.get(join(raw, readdirSync(raw).find((n) => n.endsWith('.tar.gz'))!)));
    assert.equal(new Set(sdists).size, sdists.length);
  });

  test('directories implied or explicit, member order, owners, times: the same digest; content, x bit: another', (t) => {
    if (!requireTools(t, 'py:tarfile')) return;
    const dir = tmpDir(t);
    const script = `
import io, sys, tarfile, zipfile
def tar(path, names, dirs, mtime, uid, exec_mode, data=b'print(1)\\n'):
    with tarfile.open(path, 'w:gz', format=tarfile.GNU_FORMAT) as t:
        for d in dirs:
            info = tarfile.TarInfo(d)
            info.type, info.mode, info.mtime = tarfile.DIRTYPE, 0o775, mtime
            t.addfile(info)
        for name in names:
            content = data if name.endswith('.py') else b'x\\n'
            info = tarfile.TarInfo(name)
            info.size, info.mtime, info.uid, info.mode = len(content), mtime, uid, exec_mode if name.endswith('.sh') else 0o644
            t.addfile(info, io.BytesIO(content))
names = ['p-1/a/b/c.py', 'p-1/run.sh', 'p-1/z.txt']
out = sys.argv[1]
tar(out + '/explicit.tar.gz', names, ['p-1', 'p-1/a', 'p-1/a/b'], 1600000000, 0, 0o755)
tar(out + '/implied.tar.gz', list(reversed(names)), [], 1700000000, 1000, 0o700)
tar(out + '/noexec.tar.gz', names, [], 1700000000, 1000, 0o644)
tar(out + '/content.tar.gz', names, [], 1700000000, 1000, 0o755, data=b'print(2)\\n')
with zipfile.ZipFile(out + '/p-1-py3-none-any.whl', 'w') as z:
    for name in names:
        z.writestr(zipfile.ZipInfo(name, (2001, 1, 1, 0, 0, 0)), b'x')
`;
    runOk(PYTHON, ['-c', script, dir]);
    const names = ['explicit.tar.gz', 'implied.tar.gz', 'noexec.tar.gz', 'content.tar.gz'];
    const r = runCli(['digest', ...names.map((n) => join(dir, n))]);
    assert.equal(r.code, 0, r.stderr);
    const digests = digestLines(r.stdout);
    const [explicit, implied, noexec, content] = names.map((n) => digests.get(join(dir, n)));
    assert.equal(explicit, implied);
    assert.notEqual(explicit, noexec);
    assert.notEqual(explicit, content);
    assert.deepEqual(digestLines(runOk(PYTHON, [pythonDigestScript(), ...names.map((n) => join(dir, n))])), digests);
  });
});

describe('digest: the serialization', () => {
  test('the example in docs/digest.md, byte for byte', () => {
    const fileSha = '46a53d6b50b4b5d2c6b9d4eb4c21ea8d2c3d3f5f4bc7b0ebd5b3da5e0b0a1c2d';
    const records = [
      { name: 'pkg/a.py', type: 'file' as const, executable: false, sha256: fileSha, linkTarget: '' },
      { name: 'pkg', type: 'directory' as const, executable: false, sha256: '', linkTarget: '' },
    ];
    assert.equal(serializeContent(records).toString('utf8'), `reprodist-digest-v1\0d\x000\0\0pkg\0\0f\x000\0${fileSha}\0pkg/a.py\0\0`);
    assert.match(contentDigest(records), /^[0-9a-f]{64}$/);
    const link = [{ name: 'l', type: 'symlink' as const, executable: false, sha256: '', linkTarget: 'a\0b' }];
    assert.throws(() => contentDigest(link), /NUL/);
  });
});

describe('digest: errors', () => {
  test('a missing or refused file: one line on stderr, exit 2, the others still printed', (t) => {
    const dir = tmpDir(t);
    const bad = join(dir, 'bad-1.0.tar.gz');
    writeFileSync(bad, 'this is not gzip data');
    const good = join(FIXTURES, 'dist', 'reprodemo-1.0.0+flit.tar.gz');
    const r = runCli(['digest', good, bad, join(dir, 'missing.whl')]);
    assert.equal(r.code, 2);
    assert.match(r.stdout, /^[0-9a-f]{64} {2}\S+reprodemo-1\.0\.0\+flit\.tar\.gz\n$/);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 2, r.stderr);
    assert.match(r.stderr, /missing\.whl: no such file or directory/);
    assert.match(r.stderr, /^refused +\S*bad-1\.0\.tar\.gz: gzip: not a gzip file/m);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
    const json = JSON.parse(runCli(['digest', '--json', good, bad]).stdout);
    assert.equal(json.exitCode, 2);
    assert.deepEqual(json.results.map((x: { status: string }) => x.status), ['ok', 'refused']);
  });

  test('an unreadable artefact is an error', (t) => {
    // Root reads everything, so as root the CLI runs as another user (setpriv, from util-linux).
    const asRoot = process.getuid?.() === 0;
    if (asRoot && !requireTools(t, 'setpriv')) return;
    const dir = tmpDir(t);
    chmodSync(dir, 0o755);
    mkdirSync(join(dir, 'd'));
    const path = join(dir, 'd', 'x-1.0.tar.gz');
    writeFileSync(path, '');
    chmodSync(path, 0);
    const r = asRoot
      ? run('setpriv', ['--reuid=1234', '--regid=1234', '--clear-groups', process.execPath, CLI, 'digest', path])
      : runCli(['digest', path]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /permission denied/);
  });
});
