// Issue #20's zip classes as differential cases: wheels assembled byte by byte (zip-bytes.ts) where
// a byte the reader skipped could hide something, each refused by every verb with one line naming an
// offset; and the layouts real writers make (data descriptors, zip64 end records, extras, comments),
// each accepted, read alike by every oracle before and after normalizing, and covered byte by byte.
// Oracles run through test/helpers/differential.py, as test/helpers/differential.ts runs them.
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { TestContext } from 'node:test';
import { deflateRawSync } from 'node:zlib';
import { ZIP_ORACLES } from './differential.js';
import { zipCoverageGaps } from './coverage-zip.js';
import { PYTHON, REPO_ROOT, runCli, runOk, tmpDir } from './tools.js';
import { assembleZip, extraRecord, layoutMembers, zip64EndRecord, zip64Extra, type RawArchive, type RawMember } from './zip-bytes.js';

const ORACLE_SCRIPT = join(REPO_ROOT, 'test/helpers/differential.py');
const WHEEL = 'demo-1.0-py3-none-any.whl';

/** What an oracle makes of a refused case: the reason it is refused, shown by an installer. */
interface OracleSays {
  oracle: string;
  /** It extracts, and its listing holds a line matching this. */
  extracts?: RegExp;
  /** It fails with an error matching this. */
  fails?: RegExp;
}

export interface ZipByteCase {
  name: string;
  expect: 'accept' | 'refuse';
  archive: () => RawArchive;
  /** For a refused case: what an installer does with it. */
  why?: OracleSays;
}

const module = (extra: Partial<RawMember> = {}): RawMember => ({ name: 'demo/__init__.py', content: Buffer.from('x = 1\n'), ...extra });
const wheel = (...extra: RawMember[]): RawArchive => ({ members: [module(), ...extra] });
const evil = (): RawMember => ({ name: 'evil.pth', content: Buffer.from('import os; os.system("echo owned")\n') });
/** Info-ZIP's extended timestamp (local: mtime and atime) and Unix UID/GID extras, as `zip` writes them. */
const infoZipLocal = Buffer.concat([extraRecord(0x5455, Buffer.from([3, 1, 2, 3, 4, 1, 2, 3, 4])), extraRecord(0x7875, Buffer.from([1, 4, 0, 0, 0, 0, 4, 0, 0, 0, 0]))]);
const infoZipCentral = Buffer.concat([extraRecord(0x5455, Buffer.from([3, 1, 2, 3, 4])), extraRecord(0x7875, Buffer.from([1, 4, 0, 0, 0, 0, 4, 0, 0, 0, 0]))]);

/**
 * zip64 extensible data holding a member, a central directory listing it, and last a zip64 end
 * record pointing there: zipfile reads the record 56 bytes before the locator, so pip installs
 * evil.pth, while a reader that follows the locator sees only demo/__init__.py.
 */
function hiddenDirectory(start: number): Buffer {
  const hidden = layoutMembers([evil()], start);
  const directoryAt = start + hidden.records.length;
  // The fake record lists the hidden member and the real one (its local header sits at offset 0).
  const real = layoutMembers([module()], 0);
  const directory = Buffer.concat([real.directory, hidden.directory]);
  return Buffer.concat([hidden.records, directory, zip64EndRecord(2, directory.length, directoryAt)]);
}

export const ZIP_BYTE_CASES: ZipByteCase[] = [
  { name: 'clean', expect: 'accept', archive: () => wheel() },
  // What writers make.
  {
    name: 'data-descriptors-12-16-20-24',
    expect: 'accept',
    archive: () => wheel(...([12, 16, 20, 24] as const).map((length) => ({ name: `demo/d${length}.py`, content: Buffer.from(`d = ${length}\n`.repeat(20)), method: 8, descriptor: length }))),
  },
  { name: 'zip64-end-records', expect: 'accept', archive: () => ({ ...wheel(), zip64: {} }) },
  { name: 'archive-comment', expect: 'accept', archive: () => ({ ...wheel(), comment: Buffer.from('written by hand') }) },
  { name: 'infozip-extras', expect: 'accept', archive: () => wheel({ name: 'demo/a.py', content: Buffer.from('a = 1\n'), localExtra: infoZipLocal, centralExtra: infoZipCentral }) },
  // zip64 sizes in a local header that does not defer to them (protobuf's and selenium's wheels).
  { name: 'zip64-extra-repeating-sizes', expect: 'accept', archive: () => wheel({ name: 'demo/a.py', content: Buffer.from('a = 1\n'), localExtra: zip64Extra(6, 6) }) },
  { name: 'compression-option-bits', expect: 'accept', archive: () => wheel({ name: 'demo/a.py', content: Buffer.from('a = 1\n'.repeat(9)), method: 8, local: { flags: 2 }, central: { flags: 2 } }) },
  // What could hide something, or what pip cannot read.
  { name: 'zip64-extensible-fake-record', expect: 'refuse', archive: () => ({ ...wheel(), zip64: { extensible: hiddenDirectory } }), why: { oracle: 'pip', extracts: /^F evil\.pth / } },
  { name: 'zip64-extensible-data', expect: 'refuse', archive: () => ({ ...wheel(), zip64: { extensible: () => Buffer.from('sixteen bytes!!!') } }), why: { oracle: 'pip', fails: /BadZipFile|Error/ } },
  { name: 'flag-bit-5-patched-data', expect: 'refuse', archive: () => wheel({ ...evil(), name: 'demo/p.py', local: { flags: 0x20 }, central: { flags: 0x20 } }), why: { oracle: 'pip', fails: /NotImplementedError/ } },
  { name: 'unused-flag-bit', expect: 'refuse', archive: () => wheel({ ...evil(), name: 'demo/u.py', local: { flags: 0x80 }, central: { flags: 0x80 } }) },
  { name: 'reserved-internal-attributes', expect: 'refuse', archive: () => wheel({ ...evil(), name: 'demo/i.py', central: { internalAttr: 0x0102 } }) },
  { name: 'local-flags-differ', expect: 'refuse', archive: () => wheel({ ...evil(), name: 'demo/f.py', local: { flags: 0x0800 } }) },
  { name: 'local-time-differs', expect: 'refuse', archive: () => wheel({ ...evil(), name: 'demo/t.py', local: { dosTime: 0x1234 } }) },
  { name: 'extra-field-stray-bytes', expect: 'refuse', archive: () => wheel({ ...evil(), name: 'demo/s.py', centralExtra: Buffer.from('PK!') }) },
  { name: 'extra-field-twice', expect: 'refuse', archive: () => wheel({ ...evil(), name: 'demo/e.py', centralExtra: Buffer.concat([infoZipCentral, infoZipCentral]) }) },
  { name: 'zip64-extra-other-values', expect: 'refuse', archive: () => wheel({ ...evil(), name: 'demo/z.py', centralExtra: zip64Extra(999) }) },
  { name: 'zip64-extra-odd-length', expect: 'refuse', archive: () => wheel({ ...evil(), name: 'demo/z.py', centralExtra: extraRecord(0x0001, Buffer.alloc(12)) }) },
  { name: 'unicode-path-in-local-header', expect: 'refuse', archive: () => wheel({ ...evil(), name: 'demo/n.py', localExtra: extraRecord(0x7075, Buffer.concat([Buffer.from([1]), Buffer.alloc(4), Buffer.from('evil.pth')])) }) },
  { name: 'member-between-members', expect: 'refuse', archive: () => wheel({ name: 'demo/b.py', content: Buffer.from('b = 1\n'), before: layoutMembers([evil()], 0).records }) },
  { name: 'bytes-before-central-directory', expect: 'refuse', archive: () => ({ ...wheel(), beforeDirectory: layoutMembers([evil()], 0).records }) },
  { name: 'end-record-in-comment', expect: 'refuse', archive: () => ({ ...wheel(), comment: Buffer.concat([Buffer.from('PK\x05\x06', 'latin1'), Buffer.alloc(18)]) }) },
  { name: 'descriptor-disagrees', expect: 'refuse', archive: () => wheel({ name: 'demo/d.py', content: Buffer.from('d = 1\n'), descriptor: 16, central: { crc32: 0 } }) },
  { name: 'deflate-trailing-bytes', expect: 'refuse', archive: () => wheel({ name: 'demo/t.py', content: Buffer.from('t = 1\n'), method: 8, data: Buffer.concat([deflateRawSync('t = 1\n'), Buffer.from('evil')]) }) },
];

type Extraction = { ok: true; listing: string[] } | { ok: false; error: string };

function extract(oracle: string, file: string): Extraction {
  const python = ZIP_ORACLES.find((o) => o.name === oracle)!.python;
  return JSON.parse(runOk(python, [ORACLE_SCRIPT, 'extract', oracle, file])) as Extraction;
}

/** Writes each case as a wheel under a fresh directory; returns the cases with their files. */
export function writeZipByteCases(t: TestContext): { c: ZipByteCase; file: string }[] {
  const dir = tmpDir(t);
  return ZIP_BYTE_CASES.map((c) => {
    const file = join(dir, c.name, WHEEL);
    mkdirSync(join(dir, c.name, 'out'), { recursive: true });
    writeFileSync(file, assembleZip(c.archive()).bytes);
    return { c, file };
  });
}

/**
 * Runs every case through normalize, check, digest and compare (against the clean case). A refused
 * case: exit 2 from each, one line naming an offset, and what `why` says an installer does with it.
 * An accepted one: every oracle extracts it, the same before and after normalizing, and the reader
 * accounts for every byte of it. Returns the failures, one line each.
 */
export async function checkZipByteCases(t: TestContext): Promise<{ failures: string[]; refused: number; accepted: number }> {
  const cases = writeZipByteCases(t);
  const clean = cases.find(({ c }) => c.name === 'clean')!.file;
  const failures: string[] = [];
  let refused = 0;
  let accepted = 0;
  for (const { c, file } of cases) {
    const outDir = join(file, '..', 'out');
    const normalized = runCli(['--epoch', '1700000000', '--out', outDir, file]);
    const others = { check: runCli(['check', file]).code, digest: runCli(['digest', file]).code, compare: runCli(['compare', file, clean]).code };
    const where = `${c.name}: normalize exited ${normalized.code} (${normalized.stderr.trim()})`;
    if (normalized.code === 2) {
      refused += 1;
      t.diagnostic(`${c.name}: ${normalized.stderr.trim()}`);
      if (c.expect !== 'refuse') failures.push(`${where}, expected it accepted`);
      if (normalized.stderr.trim().split('\n').length !== 1 || !/offsets? \d+/.test(normalized.stderr)) failures.push(`${where}: not one line naming an offset`);
      if (Object.values(others).some((code) => code !== 2)) failures.push(`${where}, but ${JSON.stringify(others)}`);
      if (c.why) {
        const seen = extract(c.why.oracle, file);
        const shown = seen.ok ? seen.listing.join('\n') : seen.error;
        const as = c.why.extracts ? seen.ok && seen.listing.some((line) => c.why!.extracts!.test(line)) : !seen.ok && c.why.fails!.test(seen.error);
        if (!as) failures.push(`${c.name}: ${c.why.oracle} does not show why it is refused (${c.why.extracts ?? c.why.fails}): ${shown}`);
      }
      continue;
    }
    accepted += 1;
    if (normalized.code !== 0 || c.expect !== 'accept') {
      failures.push(`${where}, expected ${c.expect === 'accept' ? 'it accepted' : 'a refusal'}`);
      continue;
    }
    if (others.check === 2 || others.digest !== 0 || others.compare === 2) failures.push(`${where}, but ${JSON.stringify(others)}`);
    const output = join(outDir, basename(file));
    for (const oracle of ZIP_ORACLES) {
      const before = extract(oracle.name, file);
      const after = extract(oracle.name, output);
      if (!before.ok) failures.push(`${c.name}: accepted, but ${oracle.name} fails on the input: ${before.error}`);
      else if (JSON.stringify(before) !== JSON.stringify(after)) failures.push(`${c.name}: ${oracle.name} extracts otherwise after normalizing:\n  before ${JSON.stringify(before)}\n  after  ${JSON.stringify(after)}`);
    }
    for (const gap of await zipCoverageGaps(file)) failures.push(`${c.name}: ${gap}`);
  }
  return { failures, refused, accepted };
}

/** The differential suite's own zip cases (differential.py craft-zip) that it expects accepted. */
export function craftedZipCasesAccepted(t: TestContext): { name: string; file: string }[] {
  const cases = JSON.parse(runOk(PYTHON, [ORACLE_SCRIPT, 'craft-zip', tmpDir(t)])) as { name: string; file: string; expect: string }[];
  return cases.filter((c) => c.expect === 'accept');
}
