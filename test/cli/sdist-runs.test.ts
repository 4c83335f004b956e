// Issue 22: past `membersPerRun` members an sdist is indexed into sorted runs on disk
// (src/normalize/sdist/runs.ts) instead of one table. Whatever the run size, normalizing must give
// the bytes, the content view and the changes the one table gives, and refuse the same inputs: the
// whole crafted tar corpus of the differential suite, the golden inputs, and cases made to put what
// a rule compares in different runs (a member and its duplicate, a file and a member under it, a
// hard link and its file), each run with a run of one member, two and three.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ContentRecord } from '../../src/normalize/content.js';
import { compressInThisThread } from '../../src/formats/deflate/index.js';
import { DEFAULT_EPOCH } from '../../src/normalize/options.js';
import type { NormalizeOptions } from '../../src/normalize/options.js';
import { sdistHandler } from '../../src/normalize/sdist/index.js';
import { readSdistContent } from '../../src/normalize/sdist/read.js';
import { compareSdistMetadata } from '../../src/normalize/sdist/metadata.js';
import { SDIST_ROOTS } from '../../src/normalize/sdist/roles.js';
import { pairMembers } from '../../src/normalize/pairing.js';
import type { PairingLimits } from '../../src/normalize/paired-runs.js';
import { PYTHON, REPO_ROOT, python, requireTools, runOk, tmpDir } from '../helpers/tools.js';

const RUN_SIZES = [1, 2, 3];

/** What a normalization gives that must not depend on the run size. */
interface Outcome {
  refused?: string;
  bytes?: string;
  content?: ContentRecord[];
  /** Each change's field, count and examples (sorted: a link resolved from the runs is noted last). */
  changes?: string[];
}

async function normalizeWith(file: string, workDir: string, membersPerRun: number | undefined, more: Partial<NormalizeOptions> = {}): Promise<Outcome> {
  const options: NormalizeOptions = { epoch: DEFAULT_EPOCH, mtime: 'clamp', keepCompression: false, ...(membersPerRun ? { membersPerRun } : {}), ...more };
  const chunks: Buffer[] = [];
  try {
    const run = await sdistHandler.normalize(file, async (chunk) => void chunks.push(Buffer.from(chunk)), options, workDir, true);
    try {
      const changes = run.changes.map((c) => `${c.field} ${c.count}: ${[...c.all].sort().join(' | ')}`);
      return { bytes: Buffer.concat(chunks).toString('base64'), content: [...run.content], changes };
    } finally {
      await run.content.release?.();
    }
  } catch (error) {
    return { refused: (error as Error).message };
  }
}

/** Sdists whose members a rule compares lie far apart in archive order (tarfile writes them as listed). */
const CRAFT_RUN_CASES = String.raw`
import io, json, os, sys, tarfile
out = sys.argv[1]
T = "pkg-1.0"
def f(name, data=b"x", mode=0o644): return ("f", name, data, mode)
def d(name): return ("d", name, None, 0o755)
def s(name, target): return ("s", name, target, 0o777)
def h(name, target, mode=0o644): return ("h", name, target, mode)
filler = [f(T + "/fill/%02d.py" % i, b"%d\n" % i) for i in range(7)]
cases = {
  "unsorted": [f(T + "/z/deep/er/x.py"), f(T + "/a/x"), f(T + "/a.b"), f(T + "/a-z"), d(T + "/a"), f(T + "/caf\u00e9.txt"),
               f(T + "/run.sh", b"#!/bin/sh\n", 0o755), d(T), f(T + "/PKG-INFO", b"Metadata-Version: 2.1\n")] + filler,
  "hard-links-far": [f(T + "/m/file", b"shared\n"), *filler, h(T + "/a-first", T + "/m/file"), h(T + "/z-last", T + "/a-first"),
                     f(T + "/exe", b"run\n", 0o755), h(T + "/b-exe", T + "/exe", 0o755)],
  "symlinks-far": [f(T + "/pkg/mod.py"), *filler, s(T + "/link", "pkg/mod.py"), s(T + "/dirlink", "pkg"), s(T + "/via", "dirlink/mod.py")],
  "duplicate-far": [f(T + "/a.py"), *filler, f(T + "/a.py", b"other")],
  "file-then-directory-far": [f(T + "/a"), *filler, d(T + "/a")],
  "member-under-file-far": [f(T + "/a"), *filler, f(T + "/a/x")],
  "member-under-symlink-far": [s(T + "/a", "fill"), *filler, f(T + "/a/x")],
  "hard-link-to-later": [*filler, h(T + "/a", T + "/z"), f(T + "/z")],
  "hard-link-to-missing": [*filler, h(T + "/a", T + "/nothing")],
  "hard-link-to-directory-far": [d(T + "/dir"), *filler, h(T + "/a", T + "/dir")],
  "hard-link-x-bit-far": [f(T + "/exe", b"run\n", 0o755), *filler, h(T + "/a", T + "/exe", 0o644)],
  "symlink-escaping-far": [s(T + "/up", ".."), *filler, s(T + "/out", "up/../x")],
  "too-many-directories": [f(T + "/" + "/".join("d%d" % i for i in range(200)) + "/%d" % j) for j in range(3)]
                          + [f(T + "/" + "/".join("e%d" % i for i in range(200)) + "/%d" % j) for j in range(3)],
}
listed = []
for name, members in cases.items():
  path = os.path.join(out, name + ".tar.gz")
  with tarfile.open(path, "w:gz", format=tarfile.PAX_FORMAT) as tar:
    for kind, member, value, mode in members:
      info = tarfile.TarInfo(member)
      info.mode = mode
      info.mtime = 1600000000
      if kind == "f":
        info.size = len(value)
        tar.addfile(info, io.BytesIO(value))
        continue
      info.type = {"d": tarfile.DIRTYPE, "s": tarfile.SYMTYPE, "h": tarfile.LNKTYPE}[kind]
      if kind in "sh": info.linkname = value
      tar.addfile(info)
  listed.append({"file": path, "expect": "accept" if name in ("unsorted", "hard-links-far", "symlinks-far") else "refuse"})
print(json.dumps(listed))
`;

test('an sdist indexed into sorted runs normalizes, reads and refuses as one indexed in one table', async (t) => {
  if (!requireTools(t, PYTHON)) return;
  const dir = tmpDir(t);
  const crafted = JSON.parse(runOk(PYTHON, [join(REPO_ROOT, 'test', 'helpers', 'differential.py'), 'craft-tar', dir])) as { file: string }[];
  const runCases = JSON.parse(python(CRAFT_RUN_CASES, dir)) as { file: string; expect: 'accept' | 'refuse' }[];
  const golden = readdirSync(join(REPO_ROOT, 'fixtures', 'golden', 'sdist')).map((name) => join(REPO_ROOT, 'fixtures', 'golden', 'sdist', name));
  const inputs = [...crafted.map((c) => c.file), ...runCases.map((c) => c.file), ...golden];
  const failures: string[] = [];
  const refused = new Set<string>();
  for (const file of inputs) {
    const one = await normalizeWith(file, dir, undefined);
    if (one.refused) refused.add(file);
    for (const size of RUN_SIZES) {
      const runs = await normalizeWith(file, dir, size);
      if (JSON.stringify(runs) !== JSON.stringify(one)) {
        failures.push(`${file}, ${size} a run: ${JSON.stringify(runs).slice(0, 600)}\n  one table: ${JSON.stringify(one).slice(0, 600)}`);
      }
      // The content view compare and digest read, made from runs, and released.
      if (!one.refused) {
        const view = await readSdistContent(file, size);
        if (JSON.stringify([...view]) !== JSON.stringify(one.content)) failures.push(`${file}, ${size} a run: the content view read differs`);
        await view.release?.();
      }
    }
  }
  t.diagnostic(`${inputs.length} sdists, ${refused.size} refused, each also with runs of ${RUN_SIZES.join(', ')} members`);
  // The run cases break the rule they are named for, or none, with the members it compares in different runs.
  for (const { file, expect } of runCases) assert.equal(refused.has(file) ? 'refuse' : 'accept', expect, file);
  assert.deepEqual(failures, []);
  // The work directory holds nothing of the runs once each normalization is over, nor the temporary one once each view is released.
  assert.deepEqual(readdirSync(dir).filter((name) => name.startsWith('.reprodist-')), []);
  assert.deepEqual(readdirSync(tmpdir()).filter((name) => name.startsWith(`.reprodist-${process.pid}-`)), []);
});

/** 48 files of 256 KiB of random bytes, in no order. */
const CRAFT_BIG = String.raw`
import io, os, random, sys, tarfile
rng = random.Random(22)
with tarfile.open(sys.argv[1], "w:gz") as tar:
  for i in rng.sample(range(48), 48):
    data = rng.randbytes(256 * 1024)
    info = tarfile.TarInfo("pkg-1.0/data/%02d.bin" % i)
    info.size = len(data)
    tar.addfile(info, io.BytesIO(data))
`;

test('an sdist in normal order past one table: the writing that follows its index pass stops, and the runs write the same bytes', async (t) => {
  if (!requireTools(t, PYTHON)) return;
  const dir = tmpDir(t);
  const input = join(dir, 'pkg-1.0.tar.gz');
  python(CRAFT_BIG, input);
  const normal = await normalizeWith(input, dir, undefined);
  assert.ok(normal.bytes);
  const normalFile = join(dir, 'normal', 'pkg-1.0.tar.gz');
  mkdirSync(join(dir, 'normal'));
  writeFileSync(normalFile, Buffer.from(normal.bytes, 'base64'));
  // With a compressor the normal form is written while it is indexed, from 8 MiB of data on (the
  // 32nd member): the first run then ends at the 40th member while that writing runs, at the 8th
  // before it starts; without runs it writes the whole.
  for (const membersPerRun of [undefined, 40, 8]) {
    const again = await normalizeWith(normalFile, dir, membersPerRun, { compressor: compressInThisThread });
    assert.equal(again.bytes, normal.bytes, `${membersPerRun ?? 'one table'}`);
    assert.deepEqual(again.content, normal.content);
  }
  assert.deepEqual(readdirSync(dir).filter((name) => name.startsWith('.reprodist-')), []);
});

/**
 * A release and the next: the top directory renamed, members shuffled, some directories dropped and
 * some added, modes and owners changed here and there, and one member a directory on one side and a
 * file on the other.
 */
const CRAFT_NEXT_RELEASE = String.raw`
import io, random, sys, tarfile
rng = random.Random(22)
def members(top, names):
  for name, kind, mode, uname in names:
    info = tarfile.TarInfo(top + "/" + name)
    info.mode, info.uname, info.mtime = mode, uname, 1600000000
    if kind == "d": info.type = tarfile.DIRTYPE
    yield info
names = [("pkg", "d", 0o755, "")] + [("pkg/m%02d.py" % i, "f", 0o644, "") for i in range(40)] + [("docs", "d", 0o755, ""), ("swap", "d", 0o755, "")]
later = [(n, "f" if n == "swap" else k, 0o600 if i % 9 == 0 else m, "bob" if i % 7 == 0 else u) for i, (n, k, m, u) in enumerate(names) if n != "docs"]
later += [("extra", "d", 0o755, "")]
rng.shuffle(later)
for path, top, listed in ((sys.argv[1], "pkg-1.0", names), (sys.argv[2], "pkg-1.1", later)):
  with tarfile.open(path, "w:gz") as tar:
    for info in members(top, listed): tar.addfile(info, io.BytesIO(b"") if info.isfile() else None)
`;

test("compare's metadata, paired through runs of any size, is what one batch gives", async (t) => {
  if (!requireTools(t, PYTHON)) return;
  const dir = tmpDir(t);
  const [a, b] = [join(dir, 'pkg-1.0.tar.gz'), join(dir, 'pkg-1.1.tar.gz')];
  python(CRAFT_NEXT_RELEASE, a, b);
  const names = async (file: string) => {
    const view = await readSdistContent(file);
    const all = [...view].map((record) => record.name);
    await view.release?.();
    return all;
  };
  const pairing = pairMembers(SDIST_ROOTS, await names(a), await names(b));
  assert.deepEqual(pairing.renamedRoots.map((root) => [root.a, root.b]), [['pkg-1.0', 'pkg-1.1']]);
  const outcome = async (limits?: PairingLimits) => {
    const { changes, commonMembers } = await compareSdistMetadata(a, b, false, pairing, limits);
    return { commonMembers, changes: changes.map((c) => `${c.field} ${c.count}: ${c.all.join(' | ')}`) };
  };
  const one = await outcome();
  // What the pairing must have found, so that equal outcomes are not equally wrong.
  assert.equal(one.commonMembers, 42);
  const fields = one.changes.map((change) => change.slice(0, change.search(/ \d+:/)));
  for (const field of ['tar member type', 'tar mode', 'tar owner', 'tar member order', 'tar directory entries']) assert.ok(fields.includes(field), `${field} in ${fields.join(', ')}`);
  assert.match(one.changes.find((c) => c.startsWith('tar directory'))!, /pkg-1\.0\/docs\/ \(only in A\).*pkg-1\.1\/extra\/ \(only in B\)/);
  for (const rowsPerRun of RUN_SIZES) assert.deepEqual(await outcome({ rowsPerRun, batchBytes: 1 << 20 }), one, `${rowsPerRun} a run`);
  assert.deepEqual(await outcome({ rowsPerRun: 1000, batchBytes: 64 }), one, 'runs of 64 bytes');
  assert.deepEqual(readdirSync(tmpdir()).filter((name) => name.startsWith(`.reprodist-${process.pid}-`)), []);

  // A side that is not an sdist fails at once, while the other is still read into runs of one
  // member: the failure is that side's, and no run is written after the runs are removed.
  const notGzip = join(dir, 'pkg-1.2.tar.gz');
  writeFileSync(notGzip, 'not a gzip file\n'.repeat(100));
  await assert.rejects(compareSdistMetadata(a, notGzip, false, pairing, { rowsPerRun: 1, batchBytes: 1 << 20 }), /gzip/);
  for (let turn = 0; turn < 100; turn++) await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(readdirSync(tmpdir()).filter((name) => name.startsWith(`.reprodist-${process.pid}-`)), []);
});
