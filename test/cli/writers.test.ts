// One tree, many archivers: every .tar.gz writer (GNU tar gnu/posix, GNU tar + pigz, bsdtar,
// Python tarfile GNU and odd PAX) must normalize to ONE byte stream, and so must every zip writer
// (Info-ZIP zip -r / -r -X, 7-Zip, Python zipfile at levels 6 and 9, zipfile on an unseekable stream).

import { describe, it } from 'node:test';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { contentLines, extractWithDataFilter, tarMembers, zipMembers } from '../helpers/inspect.js';
import { envWithout, requireTools, runCli, sha256File, tmpDir } from '../helpers/tools.js';
import { makeTree, TAR_WRITERS, ZIP_WRITERS, type Tree, type Writer } from '../helpers/writers.js';

const EPOCH = 1_700_000_000;

function normalize(t: TestContext, input: string): string {
  const outDir = join(tmpDir(t), 'out');
  mkdirSync(outDir);
  const r = runCli(['--epoch', String(EPOCH), '--out', outDir, input], { env: envWithout() });
  assert.equal(r.code, 0, `reprodist --epoch ${EPOCH} --out ${outDir} ${input} exited ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  const out = join(outDir, basename(input));
  assert.ok(existsSync(out), `expected ${out}; the out dir holds: ${readdirSync(outDir).join(', ')}`);
  return out;
}

/**
 * Two copies of the tree that differ in everything but content: umask 022 vs 002, whole-second
 * mtime vs the same second plus 0.75 (so GNU tar posix and Python write sub-second times). Writers
 * take them in turn.
 */
function twoTrees(t: TestContext, layout: 'sdist' | 'wheel', nonAscii = true): [Tree, Tree] {
  const base = tmpDir(t);
  return [
    makeTree(join(base, 'tree-a'), { layout, umask: 0o022, mtime: 1_600_000_000, nonAscii }),
    makeTree(join(base, 'tree-b'), { layout, umask: 0o002, mtime: 1_600_000_000.75, nonAscii }),
  ];
}

interface Written {
  writer: string;
  raw: string;
}

function writeAll(t: TestContext, writers: readonly Writer[], trees: [Tree, Tree]): Written[] {
  const outDir = tmpDir(t);
  return writers.map((w, i) => ({ writer: w.name, raw: w.write(trees[i % 2]!, outDir) }));
}

/** Asserts that the raw archives hold the same content (else the writers, not the CLI, are wrong). */
function assertSameRawContent(written: Written[], read: (p: string) => ReturnType<typeof tarMembers>): void {
  const views = written.map((w) => ({ writer: w.writer, lines: contentLines(read(w.raw)) }));
  for (const v of views.slice(1)) {
    assert.deepEqual(v.lines, views[0]!.lines, `raw content of ${v.writer} differs from ${views[0]!.writer}`);
  }
}

function assertOneStream(t: TestContext, written: Written[]): void {
  const digests = written.map((w) => ({ writer: w.writer, raw: sha256File(w.raw), norm: sha256File(normalize(t, w.raw)) }));
  for (const d of digests) t.diagnostic(`${d.writer}: raw ${d.raw.slice(0, 16)} -> normalized ${d.norm.slice(0, 16)}`);
  assert.equal(new Set(digests.map((d) => d.raw)).size, digests.length, 'raw archives should all differ');
  const groups = new Map<string, string[]>();
  for (const d of digests) groups.set(d.norm, [...(groups.get(d.norm) ?? []), d.writer]);
  assert.equal(
    groups.size,
    1,
    `normalized outputs differ: ${[...groups.entries()].map(([h, ws]) => `${h.slice(0, 16)}: ${ws.join(', ')}`).join(' | ')}`,
  );
}

const allTools = (ws: readonly Writer[]): string[] => [...new Set(ws.flatMap((w) => w.tools))];

describe('tar writers', () => {
  it('every .tar.gz writer normalizes to one byte stream (--epoch)', (t) => {
    if (!requireTools(t, ...allTools(TAR_WRITERS))) return;
    const written = writeAll(t, TAR_WRITERS, twoTrees(t, 'sdist'));
    assertSameRawContent(written, tarMembers);
    assertOneStream(t, written);
  });

  it('the normal form keeps the tree (symlink, empty dir, long path, non-ASCII name, exec bit)', (t) => {
    if (!requireTools(t, ...allTools(TAR_WRITERS))) return;
    const written = writeAll(t, TAR_WRITERS.filter((w) => w.name === 'py-tarfile-pax-odd'), twoTrees(t, 'sdist'));
    const before = contentLines(tarMembers(written[0]!.raw));
    const normalized = normalize(t, written[0]!.raw);
    const after = contentLines(tarMembers(normalized));
    assert.deepEqual(after, before);
    assert.ok(after.includes('L pkg-1.0/docs/readme-link.md -> ../README.md'));
    assert.ok(after.includes('D pkg-1.0/docs/empty'));
    assert.ok(after.some((l) => l.startsWith('F pkg-1.0/bin/tool.sh x ')));
    const x = extractWithDataFilter(normalized, tmpDir(t));
    assert.equal(x.code, 0, `extractall(filter='data') refused the normal form: ${x.stderr}`);
  });
});

describe('zip writers', () => {
  it('every zip writer normalizes to one byte stream (--epoch), ASCII names', (t) => {
    if (!requireTools(t, ...allTools(ZIP_WRITERS))) return;
    const written = writeAll(t, ZIP_WRITERS, twoTrees(t, 'wheel', false));
    assertSameRawContent(written, zipMembers);
    assertOneStream(t, written);
  });

  it('zip writers that flag UTF-8 names normalize to one byte stream, non-ASCII name included', (t) => {
    // 7-Zip and Python's zipfile set the UTF-8 flag (bit 11) on non-ASCII names.
    const flagging = ZIP_WRITERS.filter((w) => !w.name.startsWith('infozip'));
    if (!requireTools(t, ...allTools(flagging))) return;
    const written = writeAll(t, flagging, twoTrees(t, 'wheel', true));
    assertSameRawContent(written, zipMembers);
    assertOneStream(t, written);
  });

  it("Info-ZIP's unflagged UTF-8 name is read as CP437, as pip and installer read it (issue 10), and kept so", (t) => {
    if (!requireTools(t, ...allTools(ZIP_WRITERS))) return;
    const written = writeAll(t, ZIP_WRITERS, twoTrees(t, 'wheel', true));
    const infozip = written.filter((w) => w.writer.startsWith('infozip'));
    const flagging = written.filter((w) => !w.writer.startsWith('infozip'));
    assertOneStream(t, infozip);
    // zipMembers reads through Python's zipfile: the names pip sees, before and after normalizing.
    for (const w of written) assert.deepEqual(contentLines(zipMembers(normalize(t, w.raw))), contentLines(zipMembers(w.raw)), w.writer);
    const names = (w: Written) => zipMembers(w.raw).map((m) => m.name).sort();
    assert.notDeepEqual(names(infozip[0]!), names(flagging[0]!), 'Info-ZIP names are read as CP437, not as the flagged UTF-8');
  });
});
