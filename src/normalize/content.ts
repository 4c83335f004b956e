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

/** Byte order of the UTF-8 encodings, independent of locale. */
export function compareNames(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
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
