#!/usr/bin/env node
// `npm run release:build`: every file a release publishes, in release/, with SHA256SUMS.
//
//   release/reprodist-<version>.tgz                 the npm package (`npm pack` of a fresh dist/)
//   release/reprodist-<version>-py3-none-any.whl    the Python distribution (`npm run build:python`)
//   release/reprodist-<version>.tar.gz              its sdist
//   release/SHA256SUMS                              `sha256sum -c` reads it
//
// A reproducibility tool's release has to be reproducible itself: two runs on one commit write the
// same bytes (test/e2e/release.test.ts runs it twice), and reprodist `check`s its own Python
// artefacts before they are listed. The npm tarball is checked here too: npm writes every entry with
// one fixed time and fixed modes; this script fails if a run gives a tarball that differs from what
// it packs a second time.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const OUT = join(ROOT, 'release');
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const { name, version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));

function run(cmd, args, options = {}) {
  return execFileSync(cmd, args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], ...options });
}

const sha256 = (path) => createHash('sha256').update(readFileSync(path)).digest('hex');

/** `npm pack` into a fresh directory; the tarball's path. */
function pack() {
  const into = mkdtempSync(join(tmpdir(), 'reprodist-pack-'));
  const [packed] = JSON.parse(run(NPM, ['pack', '--ignore-scripts', '--json', '--pack-destination', into]));
  return join(into, packed.filename);
}

// A fresh dist/: nothing left over from an older tree can ship.
rmSync(join(ROOT, 'dist'), { recursive: true, force: true });
run(NPM, ['run', '--silent', 'build'], { stdio: ['ignore', 'inherit', 'inherit'] });

rmSync(OUT, { recursive: true, force: true });
mkdirSync(OUT, { recursive: true });

const tarball = pack();
const again = pack();
if (sha256(tarball) !== sha256(again)) throw new Error(`npm pack is not reproducible here: ${tarball} and ${again} differ`);
copyFileSync(tarball, join(OUT, `${name}-${version}.tgz`));
for (const file of [tarball, again]) rmSync(join(file, '..'), { recursive: true, force: true });

run(process.execPath, [join(ROOT, 'scripts', 'build-python.mjs')], { stdio: ['ignore', 'ignore', 'inherit'] });
const pythonDir = join(ROOT, 'dist-python');
const python = readdirSync(pythonDir).filter((f) => f.endsWith('.whl') || f.endsWith('.tar.gz')).sort();
for (const file of python) copyFileSync(join(pythonDir, file), join(OUT, file));

// reprodist checks its own Python artefacts (the CLI just built, the settings build-python used:
// SOURCE_DATE_EPOCH if set, else the default epoch; the repository root has no [tool.reprodist]).
run(process.execPath, [join(ROOT, 'bin', 'reprodist'), 'check', '-q', ...python.map((f) => join(OUT, f))], { stdio: ['ignore', 'inherit', 'inherit'] });

const files = readdirSync(OUT).filter((f) => f !== 'SHA256SUMS').sort();
for (const f of files) chmodSync(join(OUT, f), 0o644);
const sums = files.map((f) => `${sha256(join(OUT, f))}  ${f}\n`).join('');
writeFileSync(join(OUT, 'SHA256SUMS'), sums);
process.stdout.write(sums);
