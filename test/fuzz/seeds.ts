// The structure-aware fuzzer's seeds: what real writers make and what the differential suites craft.
//  - the differential suites' accepted inputs (test/helpers/differential.py craft-tar / craft-zip),
//  - fixtures/: the backends' builds (fixtures/dist) and the golden inputs,
//  - the wheels Debian ships (/usr/share/python-wheels) and pyenv's ensurepip wheels.
// The same bytes from two places are one seed.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { PYTHON, REPO_ROOT, runOk } from '../helpers/tools.js';
import type { ArchiveKind } from './coverage.js';

export interface Seed {
  /** The file name cases are written under (pip reads a `.whl` otherwise than a zip). */
  fileName: string;
  /** Where it came from, for reproducers. */
  origin: string;
  kind: ArchiveKind;
  bytes: Buffer;
}

function kindOf(fileName: string): ArchiveKind | undefined {
  if (fileName.endsWith('.tar.gz')) return 'sdist';
  return fileName.endsWith('.whl') ? 'wheel' : undefined;
}

function filesIn(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir).filter((n) => kindOf(n)).map((n) => join(dir, n)) : [];
}

/** The cases the differential suites expect accepted, as crafted by differential.py. */
function differentialSeeds(): { path: string; origin: string }[] {
  const dir = mkdtempSync(join(tmpdir(), 'reprodist-seeds-'));
  const seeds: { path: string; origin: string }[] = [];
  for (const kind of ['tar', 'zip']) {
    const kindDir = join(dir, kind);
    mkdirSync(kindDir);
    const cases = JSON.parse(runOk(PYTHON, [join(REPO_ROOT, 'test/helpers/differential.py'), `craft-${kind}`, kindDir])) as { name: string; file: string; expect: string }[];
    for (const c of cases) if (c.expect === 'accept') seeds.push({ path: c.file, origin: `differential ${kind}: ${c.name}` });
  }
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  return seeds;
}

function pyenvWheels(): string[] {
  const versions = join(process.env.PYENV_ROOT ?? join(homedir(), '.pyenv'), 'versions');
  if (!existsSync(versions)) return [];
  return readdirSync(versions).flatMap((version) => {
    const lib = join(versions, version, 'lib');
    if (!existsSync(lib)) return [];
    return readdirSync(lib).filter((n) => n.startsWith('python')).flatMap((python) => filesIn(join(lib, python, 'ensurepip', '_bundled')));
  });
}

/** Every seed, each once; `withDifferential` false leaves out the crafted ones (they need Python). */
export function collectSeeds(withDifferential = true): Seed[] {
  const golden = ['sdist', 'wheel'].flatMap((k) => filesIn(join(REPO_ROOT, 'fixtures/golden', k)).filter((p) => basename(p).includes('.in.')));
  const found = [
    ...(withDifferential ? differentialSeeds() : []),
    ...[...filesIn(join(REPO_ROOT, 'fixtures/dist')), ...golden, ...filesIn('/usr/share/python-wheels'), ...pyenvWheels()].map((path) => ({ path, origin: path })),
  ];
  const seen = new Set<string>();
  const seeds: Seed[] = [];
  for (const { path, origin } of found) {
    const bytes = readFileSync(path);
    const digest = createHash('sha256').update(bytes).digest('hex');
    if (seen.has(digest)) continue;
    seen.add(digest);
    const fileName = basename(path).replace('.in.', '.');
    seeds.push({ fileName, origin, kind: kindOf(fileName)!, bytes });
  }
  return seeds;
}
