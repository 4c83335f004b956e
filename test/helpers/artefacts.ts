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

/**
 * `<name>-1.0.tar.gz` in `dir`: `files` tiny files, enough past 65,536 to fill the first member
 * table, then `links` hard links to the first file, which are resolved with the sorted runs. Each
 * link's name has `nameBytes` more bytes of `x`, and a pax comment of `commentBytes` when given.
 */
export function lateLinksSdist(dir: string, name: string, files: number, links: number, { nameBytes = 0, commentBytes = 0 } = {}): string {
  python(`
import io, sys, tarfile
d, name, files, links, name_bytes, comment_bytes = sys.argv[1], sys.argv[2], *map(int, sys.argv[3:])
top = name + '-1.0/'
with tarfile.open('%s/%s-1.0.tar.gz' % (d, name), 'w:gz', format=tarfile.PAX_FORMAT) as t:
    for i in range(files):
        info = tarfile.TarInfo(top + 'd%03d/f%05d.txt' % (i % 500, i)); data = b'%d\\n' % i; info.size = len(data)
        t.addfile(info, io.BytesIO(data))
    for i in range(links):
        info = tarfile.TarInfo(top + 'l/%05d' % i + 'x' * name_bytes); info.type = tarfile.LNKTYPE; info.linkname = top + 'd000/f00000.txt'
        if comment_bytes:
            info.pax_headers = {'comment': '%05d' % i + 'c' * (comment_bytes - 5)}
        t.addfile(info)
`, dir, name, String(files), String(links), String(nameBytes), String(commentBytes));
  return join(dir, `${name}-1.0.tar.gz`);
}
