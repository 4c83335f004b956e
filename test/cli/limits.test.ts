// The limits of docs/limits.md (issue 11): a small hostile input costs no more than a big honest one.
// Each limit is refused with a message that names it, and memory is measured (GNU time's peak RSS)
// against the 146 MiB bound with a clear margin; time only ever has a generous bound.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, PYTHON, REPO_ROOT, requireTools, run, runOk, tmpDir } from '../helpers/tools.js';
import { verify } from '../../src/index.js';

/** The memory bound of the normal form's promise (issue 5 and 11: 146 MiB for every input). */
const MAX_RSS_KIB = 146 * 1024;

/** Runs the CLI under GNU time; returns exit code, stdout, stderr and peak RSS in KiB. */
function measured(args: string[]): { code: number; stdout: string; stderr: string; rssKiB: number; ms: number } {
  const started = Date.now();
  const result = run('/usr/bin/time', ['-f', 'peak-rss-kib %M', process.execPath, '--max-semi-space-size=2', CLI, ...args], { timeout: 600_000 });
  const rss = /peak-rss-kib (\d+)/.exec(result.stderr);
  return { ...result, stderr: result.stderr.replace(/(Command exited with non-zero status \d+\n)?peak-rss-kib \d+\n?/, ''), rssKiB: rss ? Number(rss[1]) : NaN, ms: Date.now() - started };
}

function python(script: string, ...args: string[]): void {
  runOk(PYTHON, ['-c', script, ...args], { timeout: 600_000 });
}

test('a wheel whose symlink member holds 100 MB of "target" is refused before it is read', (t) => {
  if (!requireTools(t, PYTHON, '/usr/bin/time')) return;
  const dir = tmpDir(t);
  const wheel = join(dir, 'link-1.0-py3-none-any.whl');
  python(`
import sys, zipfile
with zipfile.ZipFile(sys.argv[1], 'w', zipfile.ZIP_DEFLATED, compresslevel=9) as z:
    info = zipfile.ZipInfo('link/target'); info.create_system = 3; info.external_attr = 0o120777 << 16; info.compress_type = zipfile.ZIP_DEFLATED
    with z.open(info, 'w', force_zip64=True) as f:
        for _ in range(100): f.write(b'a' * (1 << 20))
    z.writestr('link-1.0.dist-info/RECORD', 'link-1.0.dist-info/RECORD,,\\n')
`, wheel);
  // digest reads every member too: it must refuse as normalize does, not read the target whole.
  for (const verb of [[], ['check'], ['digest']]) {
    const result = measured([...verb, wheel]);
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /link\/target: symlink target of 104857600 bytes, over the limit of 4096 bytes for a link target/);
    assert.ok(result.rssKiB < MAX_RSS_KIB, `${verb.join(' ')}: peak RSS ${result.rssKiB} KiB`);
  }
});

test('a 60 MB RECORD is refused before it is read; one just under the 16 MiB limit is checked in bounded memory', (t) => {
  if (!requireTools(t, PYTHON, '/usr/bin/time')) return;
  const dir = tmpDir(t);
  python(`
import os, sys, zipfile
def wheel(name, record_bytes):
    with zipfile.ZipFile(os.path.join(sys.argv[1], name + '-1.0-py3-none-any.whl'), 'w', zipfile.ZIP_DEFLATED) as z:
        z.writestr(name + '/__init__.py', b'')
        line = (name + '/%09d/not/in/the/wheel.py,sha256=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA,12345\\n')
        n = record_bytes // len(line % 0)
        z.writestr(name + '-1.0.dist-info/RECORD', ''.join(line % i for i in range(n)))
wheel('huge', 60 * 10**6)
wheel('under', (16 << 20) - 4096)
`, dir);
  const huge = measured(['check', join(dir, 'huge-1.0-py3-none-any.whl')]);
  assert.equal(huge.code, 2, huge.stderr);
  assert.match(huge.stderr, /huge-1\.0\.dist-info\/RECORD: RECORD of \d+ bytes, over the limit of 16 MiB for a RECORD/);
  assert.ok(huge.rssKiB < MAX_RSS_KIB, `huge: peak RSS ${huge.rssKiB} KiB`);
  const under = measured(['--epoch', '1700000000', '--verbose', join(dir, 'under-1.0-py3-none-any.whl')]);
  assert.equal(under.code, 0, under.stderr);
  assert.ok(under.rssKiB < MAX_RSS_KIB, `under: peak RSS ${under.rssKiB} KiB`);
  // Some 190,000 mismatches: the first 50 are listed, the rest counted, even with --verbose.
  const problems = under.stdout.split('\n').filter((l) => /^ +RECORD/.test(l));
  assert.equal(problems.length, 51, under.stdout.slice(0, 2000));
  assert.match(under.stdout, /problem \[51\]:$/m);
  assert.match(problems.at(-1)!, /RECORD: \d+ more mismatches not listed$/);
});

test('160,000 hard links to one file take linear time (quadratic before: 40,000 took 13.6 s, 80,000 took 45 s)', (t) => {
  if (!requireTools(t, PYTHON)) return;
  const dir = tmpDir(t);
  const archive = join(dir, 'links-1.0.tar.gz');
  python(`
import io, sys, tarfile
with tarfile.open(sys.argv[1], 'w:gz') as t:
    info = tarfile.TarInfo('links-1.0/zz-file'); data = b'data\\n'; info.size = len(data); t.addfile(info, io.BytesIO(data))
    for i in range(160000):
        info = tarfile.TarInfo('links-1.0/l%06d' % i); info.type = tarfile.LNKTYPE; info.linkname = 'links-1.0/zz-file'; t.addfile(info)
`, archive);
  const started = Date.now();
  const result = run(process.execPath, [CLI, '--epoch', '1700000000', archive], { timeout: 600_000 });
  const ms = Date.now() - started;
  assert.equal(result.code, 0, result.stderr);
  // The least name holds the data; every other name links to it.
  const names = runOk('tar', ['-tvzf', archive]).split('\n');
  assert.match(names.find((l) => l.includes('links-1.0/l000000'))!, /^-/);
  assert.match(names.find((l) => l.includes('links-1.0/zz-file'))!, /^h.* link to links-1\.0\/l000000$/);
  // Linear: about 20 s here. Quadratic would be some 16 times the 13.6 s of 40,000 links.
  assert.ok(ms < 150_000, `${ms} ms`);
});

test('--jobs beyond the core count adds no memory: --jobs 64 stays under the bound', (t) => {
  if (!requireTools(t, PYTHON, '/usr/bin/time')) return;
  const dir = tmpDir(t);
  const archive = join(dir, 'big-1.0.tar.gz');
  python(`
import glob, os, sys, tarfile
files = [f for f in sorted(glob.glob('/usr/lib/python3*/**/*.py', recursive=True)) if not os.path.islink(f)]
with tarfile.open(sys.argv[1], 'w:gz', compresslevel=1) as t:
    for i, f in enumerate(files[:4000]):
        t.add(f, 'big-1.0/%05d.py' % i)
`, archive);
  for (const jobs of ['64', '16']) {
    const result = measured(['check', '--jobs', jobs, archive]);
    assert.equal(result.code, 1, result.stderr);
    assert.ok(result.rssKiB < MAX_RSS_KIB, `--jobs ${jobs}: peak RSS ${result.rssKiB} KiB`);
  }
});

/** A local HTTP server for verify: `/slow/...` trickles a byte every 50 ms, `/pypi/...` sends 60 MB of JSON. */
async function server(t: { after: (fn: () => void) => void }): Promise<string> {
  const json = Buffer.alloc(60e6, 0x20);
  json[0] = 0x7b;
  json[json.length - 1] = 0x7d;
  const srv = http.createServer((req, res) => {
    if (req.url?.startsWith('/slow/')) {
      res.writeHead(200, { 'content-length': '1000000' });
      const timer = setInterval(() => res.write('x'), 50);
      res.on('close', () => clearInterval(timer));
    } else if (req.url?.startsWith('/pypi/')) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(json);
    } else {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  t.after(() => {
    srv.closeAllConnections();
    srv.close();
  });
  return `http://127.0.0.1:${(srv.address() as AddressInfo).port}`;
}

test('verify: a server that trickles a byte at a time is stopped by the total deadline', async (t) => {
  const base = await server(t);
  const dir = tmpDir(t);
  const local = join(dir, 'pkg-1.0.tar.gz');
  copyFileSync(join(REPO_ROOT, 'fixtures/golden/sdist/order.in.tar.gz'), local);
  // The idle timeout (60 s) never fires: a byte comes every 50 ms. Only the deadline ends it.
  const result = await verify({ local: [local], against: [`${base}/slow`], deadlineMs: 2000 });
  assert.equal(result.results.length, 1);
  assert.equal(result.results[0]!.status, 'unreachable', JSON.stringify(result.results[0]));
  assert.match(result.results[0]!.message ?? '', /not complete within 2 s, the deadline for a download/);
});

test('verify: a 60 MB JSON document is refused at the 8 MiB limit, in bounded memory', async (t) => {
  if (!requireTools(t, '/usr/bin/time')) return;
  const base = await server(t);
  const dir = tmpDir(t);
  const local = join(dir, 'pkg-1.0.tar.gz');
  copyFileSync(join(REPO_ROOT, 'fixtures/golden/sdist/order.in.tar.gz'), local);
  // The server runs in this process: the CLI must run asynchronously, or nobody would answer it.
  const { spawn } = await import('node:child_process');
  const child = spawn('/usr/bin/time', ['-f', 'peak-rss-kib %M', process.execPath, '--max-semi-space-size=2', CLI, 'verify', '--pypi', 'big==1.0', '--index-url', base, local], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => void (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => void (output += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  assert.equal(code, 2, output);
  assert.match(output, /more than the limit of 8388608 bytes for a JSON document/);
  const rss = Number(/peak-rss-kib (\d+)/.exec(output)?.[1]);
  assert.ok(rss < MAX_RSS_KIB, `peak RSS ${rss} KiB`);
});
