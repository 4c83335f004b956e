// Artefacts generated for tests that need size or many members, with Python's tarfile and zipfile
// (the writers setuptools, hatchling and flit use), from the Python sources on this machine.

import { join } from 'node:path';
import { python } from './tools.js';

/** An sdist of 4,000 real Python sources (about 30 MB of tar): normalizing it takes seconds, not milliseconds. */
export function bigSdist(dir: string, name = 'big-1.0.tar.gz'): string {
  const path = join(dir, name);
  python(`
import glob, os, sys, tarfile
files = [f for f in sorted(glob.glob('/usr/lib/python3*/**/*.py', recursive=True)) if not os.path.islink(f)]
with tarfile.open(sys.argv[1], 'w:gz', compresslevel=1) as t:
    for i, f in enumerate(files[:4000]):
        t.add(f, 'big-1.0/%05d.py' % i)
`, path);
  return path;
}
