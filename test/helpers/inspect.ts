// TypeScript wrappers around inspect_archive.py: read archives the way Python installers do.

import { fileURLToPath } from 'node:url';
import { posix } from 'node:path';
import { PYTHON, run, runOk } from './tools.js';

const SCRIPT = fileURLToPath(new URL('./inspect_archive.py', import.meta.url));

export interface Member {
  name: string;
  type: 'file' | 'dir' | 'symlink' | 'hardlink' | 'other';
  exec: boolean;
  sha256: string;
  size: number;
  linkname: string;
  mode: number;
  /** tar only */
  mtime?: number;
  uid?: number;
  gid?: number;
  uname?: string;
  gname?: string;
  pax?: string[];
  /** zip only */
  date_time?: number[];
  external_attr?: number;
  create_system?: number;
  flag_bits?: number;
  compress_type?: number;
  extra_len?: number;
}

function py<T>(args: string[]): T {
  const out = runOk(PYTHON, [SCRIPT, ...args], { env: { ...process.env, PYTHONIOENCODING: 'utf-8' } });
  return JSON.parse(out) as T;
}

/** Members as Python's tarfile reads them (archive order). */
export function tarMembers(path: string): Member[] {
  return py<{ members: Member[] }>(['tar-view', path]).members;
}

/** Members as Python's zipfile reads them (central directory order); reading checks CRCs. */
export function zipMembers(path: string): Member[] {
  return py<{ members: Member[] }>(['zip-view', path]).members;
}

/**
 * The content that normalization must keep, as sorted comparable lines:
 * files/hardlinks "F name exec sha256", symlinks "L name -> target", and every directory
 * (explicit or implied by a member path) "D name". Modes other than the exec bit, times and
 * owners are left out on purpose.
 */
export function contentLines(members: Member[], opts: { directories?: boolean } = {}): string[] {
  const lines = new Set<string>();
  const dirs = new Set<string>();
  for (const m of members) {
    if (m.type === 'dir') dirs.add(m.name);
    else if (m.type === 'symlink') lines.add(`L ${m.name} -> ${m.linkname}`);
    else if (m.type === 'file' || m.type === 'hardlink') lines.add(`F ${m.name} ${m.exec ? 'x' : '-'} ${m.sha256}`);
    else lines.add(`? ${m.name}`);
    for (let d = posix.dirname(m.name); d !== '.' && d !== '/'; d = posix.dirname(d)) dirs.add(d);
  }
  if (opts.directories ?? true) for (const d of dirs) lines.add(`D ${d}`);
  return [...lines].sort();
}

export interface ExtractResult {
  code: number;
  stderr: string;
  extracted: Array<{ name: string; mode: number; isdir: boolean; islink: boolean }>;
  /** 'tarfile.data_filter', or the vendored port used on Pythons without PEP 706 (Debian 12's 3.11.2). */
  filter: string;
}

/**
 * tarfile.open(path).extractall(dest, filter='data'). Python 3.11.2 (Debian 12) has no extraction
 * filters; there a port of CPython 3.12's data_filter checks every member first (same refusals:
 * absolute paths, escapes, links pointing outside, special files) and fixes modes the same way.
 */
export function extractWithDataFilter(path: string, dest: string): ExtractResult {
  const r = run(PYTHON, [SCRIPT, 'tar-extract', path, dest], { env: { ...process.env, PYTHONIOENCODING: 'utf-8' } });
  if (r.code !== 0) return { code: r.code, stderr: r.stderr, extracted: [], filter: '' };
  const parsed = JSON.parse(r.stdout) as { extracted: ExtractResult['extracted']; filter: string };
  return { code: 0, stderr: r.stderr, extracted: parsed.extracted, filter: parsed.filter };
}

export interface RecordCheck {
  problems: string[];
  record: string;
  last_member: string | null;
  names: string[];
}

/** Check a wheel's RECORD against its members (hashes, sizes, nothing missing or extra). */
export function verifyRecord(wheel: string): RecordCheck {
  return py<RecordCheck>(['record-verify', wheel]);
}
