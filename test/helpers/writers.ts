// Write one directory tree as .tar.gz / .zip with many different writers (GNU tar, bsdtar,
// Info-ZIP, 7-Zip, Python tarfile/zipfile), so tests can check that every variant normalizes to
// the same bytes.

import { createHash } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  lstatSync,
  lutimesSync,
  mkdirSync,
  readdirSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PYTHON, runOk } from './tools.js';

const PYWRITERS = fileURLToPath(new URL('./pywriters.py', import.meta.url));

/** sdist layout: everything under `pkg-1.0/`. wheel layout: wheel contents at the root, with a valid RECORD. */
export type Layout = 'sdist' | 'wheel';

export interface TreeOptions {
  layout?: Layout;
  /** Modes: files 0666 & ~umask, executables and directories 0777 & ~umask (default 0o022). */
  umask?: number;
  /** mtime (seconds; fractions allowed) of every file, directory and symlink (default 1600000000). */
  mtime?: number;
  /**
   * Include the file with a non-ASCII name (default true). Info-ZIP's zip 3.0 stores UTF-8 names
   * without the UTF-8 flag (bit 11) even in a UTF-8 locale, so Python's zipfile reads them as
   * cp437; zip-side trees compared across writers may want to leave it out.
   */
  nonAscii?: boolean;
}

export interface Tree {
  layout: Layout;
  /** Directory that contains `top` (sdist) or the wheel contents (wheel). */
  parent: string;
  /** 'pkg-1.0' for sdist; '' for wheel. */
  top: string;
  /** The archive's root: join(parent, top). */
  root: string;
  /** Entries written at the archive root, e.g. ['pkg-1.0'] or ['pkg', 'pkg-1.0.dist-info']. */
  rootEntries: string[];
}

export const SDIST_TOP = 'pkg-1.0';
export const TAR_NAME = 'pkg-1.0.tar.gz';
export const WHEEL_FILE_NAME = 'pkg-1.0-py3-none-any.whl';
export const NON_ASCII_NAME = 'naïve-café-日本.txt';
export const LONG_DIR = 'a_directory_with_a_rather_long_name_for_testing/and_another_quite_long_directory_level';
export const LONG_FILE = 'with_a_long_file_name_at_the_end.txt';
export const EXEC_SCRIPT = '#!/bin/sh\necho "tool $*"\n';

function sha256b64(data: Buffer): string {
  return createHash('sha256').update(data).digest('base64url');
}

/**
 * Create the test tree under `parent` (which must exist or will be created).
 *
 * sdist layout (`parent/pkg-1.0/`): PKG-INFO, pyproject.toml, README.md, src/pkg/__init__.py,
 * src/pkg/data/<non-ASCII name>, src/pkg/data/<long path, member name > 100 bytes>,
 * bin/tool.sh (0755), docs/guide.md, docs/empty/ (nested empty dir), docs/readme-link.md -> ../README.md.
 *
 * wheel layout (`parent/`): pkg/__init__.py, pkg/data/<non-ASCII>, pkg/data/<long path>,
 * pkg/bin/tool.sh (0755), pkg-1.0.dist-info/{METADATA,WHEEL,RECORD} (RECORD correct). Regular files only.
 */
export function makeTree(parent: string, opts: TreeOptions = {}): Tree {
  const layout = opts.layout ?? 'sdist';
  const umask = opts.umask ?? 0o022;
  const mtime = opts.mtime ?? 1_600_000_000;
  const nonAscii = opts.nonAscii ?? true;
  const top = layout === 'sdist' ? SDIST_TOP : '';
  const root = join(parent, top);
  mkdirSync(root, { recursive: true });

  const files: Array<[string, string, boolean]> = []; // path, content, executable
  const dropNonAscii = (): void => {
    if (nonAscii) return;
    for (let i = files.length - 1; i >= 0; i--) if (files[i]![0].includes(NON_ASCII_NAME)) files.splice(i, 1);
  };
  if (layout === 'sdist') {
    files.push(
      ['PKG-INFO', 'Metadata-Version: 2.1\nName: pkg\nVersion: 1.0\nSummary: writer test tree\n', false],
      ['pyproject.toml', '[build-system]\nrequires = ["setuptools"]\nbuild-backend = "setuptools.build_meta"\n\n[project]\nname = "pkg"\nversion = "1.0"\n', false],
      ['README.md', '# pkg\n\nA tree written by many archivers.\n', false],
      ['src/pkg/__init__.py', '"""pkg."""\n__version__ = "1.0"\n', false],
      [`src/pkg/data/${NON_ASCII_NAME}`, 'données: ✓\n', false],
      [`src/pkg/data/${LONG_DIR}/${LONG_FILE}`, 'deep\n'.repeat(50), false],
      ['bin/tool.sh', EXEC_SCRIPT, true],
      ['docs/guide.md', 'Guide.\n'.repeat(200), false],
    );
  } else {
    files.push(
      ['pkg/__init__.py', '"""pkg."""\n__version__ = "1.0"\n', false],
      [`pkg/data/${NON_ASCII_NAME}`, 'données: ✓\n', false],
      [`pkg/data/${LONG_DIR}/${LONG_FILE}`, 'deep\n'.repeat(50), false],
      ['pkg/bin/tool.sh', EXEC_SCRIPT, true],
      ['pkg/guide.txt', 'Guide.\n'.repeat(200), false],
      ['pkg-1.0.dist-info/METADATA', 'Metadata-Version: 2.1\nName: pkg\nVersion: 1.0\nSummary: writer test tree\n', false],
      ['pkg-1.0.dist-info/WHEEL', 'Wheel-Version: 1.0\nGenerator: reprodist-tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n', false],
    );
    dropNonAscii();
    const record = files
      .map(([p, c]) => {
        const b = Buffer.from(c, 'utf8');
        return `${p},sha256=${sha256b64(b)},${b.length}\n`;
      })
      .join('');
    files.push(['pkg-1.0.dist-info/RECORD', record + 'pkg-1.0.dist-info/RECORD,,\n', false]);
  }

  dropNonAscii();
  for (const [p, content, exec] of files) {
    const full = join(root, p);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, content);
    chmodSync(full, (exec ? 0o777 : 0o666) & ~umask);
  }
  if (layout === 'sdist') {
    mkdirSync(join(root, 'docs', 'empty'), { recursive: true });
    symlinkSync('../README.md', join(root, 'docs', 'readme-link.md'));
  }
  // Directory modes and all mtimes, children before parents.
  const fix = (p: string): void => {
    const st = lstatSync(p);
    if (st.isDirectory()) {
      for (const name of readdirSync(p)) fix(join(p, name));
      chmodSync(p, 0o777 & ~umask);
    }
    lutimesSync(p, mtime, mtime);
  };
  fix(root);

  const rootEntries = layout === 'sdist' ? [SDIST_TOP] : readdirSync(root).sort();
  return { layout, parent, top, root, rootEntries };
}

/** Environment for archivers: a UTF-8 locale so non-ASCII names are taken as UTF-8. */
function writerEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, LC_ALL: 'C.UTF-8', LANG: 'C.UTF-8' };
  delete env.SOURCE_DATE_EPOCH;
  delete env.GZIP;
  delete env.ZIPOPT;
  delete env.TAR_OPTIONS;
  return env;
}

function outPath(outDir: string, writer: string, file: string): string {
  const dir = join(outDir, writer);
  mkdirSync(dir, { recursive: true });
  const p = join(dir, file);
  if (existsSync(p)) throw new Error(`${p} exists already`);
  return p;
}

export interface Writer {
  name: string;
  kind: 'tar' | 'zip';
  /** Tools for requireTools(). */
  tools: string[];
  /** Writes the archive to `<outDir>/<name>/<pkg-1.0.tar.gz | pkg-1.0-py3-none-any.whl>` and returns its path. */
  write(tree: Tree, outDir: string): string;
}

function needLayout(tree: Tree, layout: Layout, writer: string): void {
  if (tree.layout !== layout) throw new Error(`${writer} wants a ${layout}-layout tree`);
}

// ---- tar writers -------------------------------------------------------------------------------

export function writeGnuTar(tree: Tree, out: string, format: 'gnu' | 'posix'): string {
  needLayout(tree, 'sdist', 'GNU tar');
  // No --sort: GNU tar stores members in readdir order. posix adds atime/ctime pax records and
  // PaxHeaders.<pid> names.
  runOk('tar', [`--format=${format}`, '-czf', out, '-C', tree.parent, ...tree.rootEntries], { env: writerEnv() });
  return out;
}

export function writeGnuTarPigz(tree: Tree, out: string): string {
  needLayout(tree, 'sdist', 'GNU tar + pigz');
  runOk('tar', ['--format=gnu', '-I', 'pigz -9', '-cf', out, '-C', tree.parent, ...tree.rootEntries], { env: writerEnv() });
  return out;
}

export function writeBsdtar(tree: Tree, out: string): string {
  needLayout(tree, 'sdist', 'bsdtar');
  runOk('bsdtar', ['-czf', out, '-C', tree.parent, ...tree.rootEntries], { env: writerEnv() });
  return out;
}

export function writePyTarGnu(tree: Tree, out: string): string {
  needLayout(tree, 'sdist', 'tarfile GNU_FORMAT');
  runOk(PYTHON, [PYWRITERS, 'tar-gnu', tree.parent, tree.top, out], { env: writerEnv() });
  return out;
}

/** PAX_FORMAT, shuffled member order, uid/gid 4321, uname 'mallory', float mtimes. */
export function writePyTarPaxOdd(tree: Tree, out: string, seed = 7): string {
  needLayout(tree, 'sdist', 'tarfile PAX_FORMAT');
  runOk(PYTHON, [PYWRITERS, 'tar-pax-odd', tree.parent, tree.top, out, String(seed)], { env: writerEnv() });
  return out;
}

// ---- zip writers -------------------------------------------------------------------------------

/** Info-ZIP `zip -r` (adds directory entries, UT/ux extra fields) or `zip -r -X` (no extra attributes). */
export function writeInfoZip(tree: Tree, out: string, noExtra: boolean): string {
  needLayout(tree, 'wheel', 'Info-ZIP');
  runOk('zip', ['-q', '-r', ...(noExtra ? ['-X'] : []), out, ...tree.rootEntries], { cwd: tree.root, env: writerEnv() });
  return out;
}

export function write7zZip(tree: Tree, out: string): string {
  needLayout(tree, 'wheel', '7z');
  runOk('7z', ['a', '-tzip', '-bd', '-y', out, ...tree.rootEntries], { cwd: tree.root, env: writerEnv() });
  return out;
}

/** Python zipfile, DEFLATED at `level`, files in shuffled order. */
export function writePyZip(tree: Tree, out: string, level: number, seed: number): string {
  needLayout(tree, 'wheel', 'zipfile');
  runOk(PYTHON, [PYWRITERS, 'zip', tree.root, out, String(level), String(seed)], { env: writerEnv() });
  return out;
}

/** Python zipfile on an unseekable stream: every entry has a data descriptor (flag bit 3). */
export function writePyZipStream(tree: Tree, out: string): string {
  needLayout(tree, 'wheel', 'zipfile stream');
  runOk(PYTHON, [PYWRITERS, 'zip-stream', tree.root, out], { env: writerEnv() });
  return out;
}

// ---- registries --------------------------------------------------------------------------------

function tarWriter(name: string, tools: string[], fn: (tree: Tree, out: string) => string): Writer {
  return { name, kind: 'tar', tools, write: (tree, outDir) => fn(tree, outPath(outDir, name, TAR_NAME)) };
}
function zipWriter(name: string, tools: string[], fn: (tree: Tree, out: string) => string): Writer {
  return { name, kind: 'zip', tools, write: (tree, outDir) => fn(tree, outPath(outDir, name, WHEEL_FILE_NAME)) };
}

export const TAR_WRITERS: readonly Writer[] = [
  tarWriter('gnu-tar-gnu', ['tar', 'gzip'], (t, o) => writeGnuTar(t, o, 'gnu')),
  tarWriter('gnu-tar-posix', ['tar', 'gzip'], (t, o) => writeGnuTar(t, o, 'posix')),
  tarWriter('gnu-tar-pigz', ['tar', 'pigz'], writeGnuTarPigz),
  tarWriter('bsdtar', ['bsdtar'], writeBsdtar),
  tarWriter('py-tarfile-gnu', [PYTHON], writePyTarGnu),
  tarWriter('py-tarfile-pax-odd', [PYTHON], (t, o) => writePyTarPaxOdd(t, o)),
];

export const ZIP_WRITERS: readonly Writer[] = [
  zipWriter('infozip-r', ['zip'], (t, o) => writeInfoZip(t, o, false)),
  zipWriter('infozip-r-X', ['zip'], (t, o) => writeInfoZip(t, o, true)),
  zipWriter('7z-tzip', ['7z'], write7zZip),
  zipWriter('py-zipfile-6', [PYTHON], (t, o) => writePyZip(t, o, 6, 1)),
  zipWriter('py-zipfile-9', [PYTHON], (t, o) => writePyZip(t, o, 9, 2)),
  zipWriter('py-zipfile-stream', [PYTHON], writePyZipStream),
];

/** Every file path (relative, '/'-separated) in a tree, for diagnostics. */
export function listTree(root: string): string[] {
  const out: string[] = [];
  const walk = (p: string): void => {
    for (const name of readdirSync(p).sort()) {
      const full = join(p, name);
      out.push(relative(root, full));
      if (lstatSync(full).isDirectory()) walk(full);
    }
  };
  walk(root);
  return out;
}
