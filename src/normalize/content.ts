// The content view of an archive: what the normal form promises to keep. Two archives with equal
// content views normalize to the same bytes (for the same options).
import { posix } from 'node:path';

export type ContentType = 'file' | 'directory' | 'symlink';

export interface ContentRecord {
  /** The member path, without a trailing slash. */
  name: string;
  type: ContentType;
  /** Files only: whether any x bit is set. */
  executable: boolean;
  /** Files only: sha256 of the content, hex. Hard links count as files with their target's content. */
  sha256: string;
  /** Symlinks only. */
  linkTarget: string;
}

/** Adds a directory record for every ancestor directory that has none, and sorts by name bytes. */
export function withImpliedDirectories(records: ContentRecord[]): ContentRecord[] {
  const byName = new Map(records.map((r) => [r.name, r]));
  for (const record of records) {
    for (let dir = posix.dirname(record.name); dir !== '.' && dir !== '/' && !byName.has(dir); dir = posix.dirname(dir)) {
      byName.set(dir, { name: dir, type: 'directory', executable: false, sha256: '', linkTarget: '' });
    }
  }
  return [...byName.values()].sort((a, b) => compareNames(a.name, b.name));
}

/**
 * Byte order of the UTF-8 encodings, independent of locale, without encoding anything: UTF-16 code
 * units compare like UTF-8 bytes except that surrogates (code points from U+10000) must sort after
 * U+E000..U+FFFF, which the shift below arranges.
 */
export function compareNames(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return utf8Rank(x) - utf8Rank(y);
  }
  return a.length - b.length;
}

function utf8Rank(unit: number): number {
  if (unit >= 0xe000) return unit - 0x800;
  if (unit >= 0xd800) return unit + 0x2000;
  return unit;
}

/** Describes how `actual` differs from `expected` (both complete views), or returns [] when equal. */
export function contentDifferences(expected: ContentRecord[], actual: ContentRecord[]): string[] {
  const differences: string[] = [];
  const actualByName = new Map(actual.map((r) => [r.name, r]));
  for (const want of expected) {
    const got = actualByName.get(want.name);
    actualByName.delete(want.name);
    if (!got) differences.push(`${want.name}: missing`);
    else if (got.type !== want.type) differences.push(`${want.name}: ${want.type} became ${got.type}`);
    else if (got.sha256 !== want.sha256) differences.push(`${want.name}: content differs`);
    else if (got.executable !== want.executable) differences.push(`${want.name}: executable bit differs`);
    else if (got.linkTarget !== want.linkTarget) differences.push(`${want.name}: link target differs`);
  }
  for (const extra of actualByName.keys()) differences.push(`${extra}: unexpected member`);
  return differences;
}
