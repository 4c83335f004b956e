// The differential suite's runner: crafted archives (differential.py) through reprodist and through
// the installers' own readers. Each must be refused by every verb (normalize, check, digest,
// compare), or be extracted alike by every oracle before and after normalizing, and equal to
// reprodist's content view.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { TestContext } from 'node:test';
import { handlerFor } from '../../src/normalize/index.js';
import type { ContentRecord } from '../../src/normalize/index.js';
import { PYTHON, REPO_ROOT, run, runCli, runOk, tmpDir } from './tools.js';

const SCRIPT = join(REPO_ROOT, 'test/helpers/differential.py');

/** A Python with tarfile's `data` filter (PEP 706, 3.12+): pyenv's when there is one, else from PATH. */
export const PYTHON_DATA_FILTER = ['3.13.0', '3.12.1']
  .map((v) => join(process.env.HOME ?? '/root', '.pyenv/versions', v, 'bin/python3'))
  .find((p) => existsSync(p)) ?? 'python3.12';

export interface Oracle {
  name: string;
  /** The interpreter or tool that must be present. */
  tool: string;
  python: string;
  /** pip strips the one directory every member shares. */
  stripTop?: boolean;
  /** pip and zipfile write a zip symlink as a file holding its target. */
  symlinkAsFile?: boolean;
  /** zipfile's extractall sets no modes. */
  ignoreExec?: boolean;
}

export const TAR_ORACLES: Oracle[] = [
  { name: 'pip', tool: PYTHON, python: PYTHON, stripTop: true },
  { name: 'tarfile-data', tool: PYTHON_DATA_FILTER, python: PYTHON_DATA_FILTER },
  { name: 'gnutar', tool: 'tar', python: PYTHON },
  { name: 'bsdtar', tool: 'bsdtar', python: PYTHON },
];

export const ZIP_ORACLES: Oracle[] = [
  // unpack_file does not flatten a .whl (flatten=not filename.endswith('.whl')).
  { name: 'pip', tool: PYTHON, python: PYTHON, symlinkAsFile: true },
  { name: 'zipfile', tool: PYTHON, python: PYTHON, symlinkAsFile: true, ignoreExec: true },
  { name: 'unzip', tool: 'unzip', python: PYTHON },
];

interface Case {
  name: string;
  file: string;
  expect: 'accept' | 'refuse';
}

type Extraction = { ok: true; listing: string[] } | { ok: false; error: string };

function extract(oracle: Oracle, file: string): Extraction {
  return JSON.parse(runOk(oracle.python, [SCRIPT, 'extract', oracle.name, file])) as Extraction;
}

/** The content view as an oracle's listing would show it. */
export function expectedListing(view: readonly ContentRecord[], oracle: Oracle): string[] {
  let records = [...view];
  let prefix = '';
  const tops = new Set(records.map((r) => r.name.split('/')[0]));
  if (oracle.stripTop && tops.size === 1) {
    prefix = `${[...tops][0]}/`;
    records = records.filter((r) => r.name.startsWith(prefix));
  }
  return records.map((r) => {
    const name = r.name.slice(prefix.length);
    if (r.type === 'directory') return `D ${name}`;
    if (r.type === 'symlink') {
      if (!oracle.symlinkAsFile) return `L ${name} -> ${r.linkTarget}`;
      return `F ${name} - ${sha256Text(r.linkTarget)}`;
    }
    return `F ${name} ${r.executable && !oracle.ignoreExec ? 'x' : '-'} ${r.sha256}`;
  }).sort();
}

function sha256Text(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

export interface SuiteCounts {
  cases: number;
  refused: number;
  accepted: number;
  comparisons: number;
}

/**
 * Crafts the cases of `kind` and checks each. `crossCheckDiffers` names cases where a cross-check
 * (not an installer) is known to read the input otherwise; that oracle is left out for them, with a
 * diagnostic saying so. `coverageGaps`, when given, must find every byte of every accepted input
 * interpreted or checked by the readers (issue 20).
 */
export async function runDifferential(
  t: TestContext, kind: 'tar' | 'zip', oracles: Oracle[], crossCheckDiffers: Record<string, string[]> = {},
  coverageGaps?: (file: string) => Promise<string[]>,
): Promise<SuiteCounts> {
  const dir = tmpDir(t);
  const cases = JSON.parse(runOk(PYTHON, [SCRIPT, `craft-${kind}`, dir])) as Case[];
  const counts: SuiteCounts = { cases: cases.length, refused: 0, accepted: 0, comparisons: 0 };
  const failures: string[] = [];
  const clean = cases.find((c) => c.name === 'clean')!.file;
  for (const c of cases) {
    const outDir = join(dir, c.name, 'out');
    mkdirSync(outDir);
    const normalized = runCli(['--epoch', '1700000000', '--out', outDir, c.file]);
    const checked = runCli(['check', c.file]);
    const digested = runCli(['digest', c.file]);
    // compare reads both sides (a file compared with itself is identical without reading).
    const compared = runCli(['compare', c.file, clean]);
    const where = `${c.name}: normalize exited ${normalized.code} (${normalized.stderr.trim()})`;
    if (normalized.code === 2) {
      counts.refused += 1;
      if (c.expect !== 'refuse') failures.push(`${where}, expected it accepted`);
      if (normalized.stderr.trim().split('\n').length !== 1) failures.push(`${where}: not one line`);
      if (checked.code !== 2 || digested.code !== 2 || compared.code !== 2) {
        failures.push(`${where}, but check exited ${checked.code}, digest ${digested.code} and compare ${compared.code}`);
      }
      continue;
    }
    if (normalized.code !== 0) {
      failures.push(where);
      continue;
    }
    counts.accepted += 1;
    if (c.expect !== 'accept') failures.push(`${where}, expected a refusal`);
    if (checked.code === 2 || digested.code !== 0 || compared.code === 2) {
      failures.push(`${where}, but check exited ${checked.code}, digest ${digested.code} and compare ${compared.code}`);
    }
    if (coverageGaps) failures.push(...(await coverageGaps(c.file)).map((gap) => `${c.name}: ${gap}`));
    const output = join(outDir, basename(c.file));
    const view = [...(await handlerFor(c.file)!.readContent(c.file))];
    for (const oracle of oracles) {
      if (crossCheckDiffers[c.name]?.includes(oracle.name)) {
        t.diagnostic(`${c.name}: ${oracle.name} left out (a cross-check known to read this input otherwise)`);
        continue;
      }
      counts.comparisons += 1;
      const before = extract(oracle, c.file);
      const after = extract(oracle, output);
      if (!before.ok) {
        failures.push(`${c.name}: accepted, but ${oracle.name} fails on the input: ${before.error}`);
        continue;
      }
      if (JSON.stringify(before) !== JSON.stringify(after)) {
        failures.push(`${c.name}: ${oracle.name} extracts otherwise after normalizing:\n  before ${JSON.stringify(before)}\n  after  ${JSON.stringify(after)}`);
        continue;
      }
      const expected = expectedListing(view, oracle);
      if (JSON.stringify(expected) !== JSON.stringify(before.listing)) {
        failures.push(`${c.name}: reprodist's content view differs from ${oracle.name}:\n  view   ${JSON.stringify(expected)}\n  oracle ${JSON.stringify(before.listing)}`);
      }
    }
  }
  t.diagnostic(`${kind}: ${counts.cases} cases, ${counts.refused} refused, ${counts.accepted} accepted, ${counts.comparisons} oracle comparisons (${oracles.map((o) => o.name).join(', ')})`);
  assert.deepEqual(failures, []);
  return counts;
}

/** Whether the Python at hand can run pip's unpacker (Debian's python3-pip). */
export function hasPip(): boolean {
  return run(PYTHON, ['-c', 'import pip._internal.utils.unpacking']).code === 0;
}
