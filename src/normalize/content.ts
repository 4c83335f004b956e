// The content view of an archive: what the normal form promises to keep. Two archives with equal
// content views normalize to the same bytes (for the same options).
import { tmpdir } from 'node:os';
import { posix } from 'node:path';
import { withRoom } from './grow.js';
import { nameHashOfText } from '../formats/name-hash.js';
import { RunFile, SortedRecords } from './sorted-runs.js';
import type { RunCodec } from './sorted-runs.js';

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

/**
 * A content view: one record per member, in name order (compareNames), made as it is read and
 * readable again from the start. A list of 100,000 records is 20 MB of objects and strings; a view
 * made from a member table holds one record at a time. A view read from scratch files (an sdist
 * past one member table) has `release`, which removes them: whoever asked for the view calls it
 * once done with it (usingContent).
 */
export interface ContentView extends Iterable<ContentRecord> {
  release?: () => Promise<void>;
}

/** `use` of the view `reading` gives, the view released after. */
export async function usingContent<T>(reading: Promise<ContentView>, use: (view: ContentView) => T | Promise<T>): Promise<T> {
  const view = await reading;
  try {
    return await use(view);
  } finally {
    await view.release?.();
  }
}

/**
 * Reads an artefact through its handler and lets the content go: it settles when the file is an
 * artefact its handler reads, and throws what the handler throws when it is not (a refusal, an error).
 */
export async function checkReadable(reading: Promise<ContentView>): Promise<void> {
  await usingContent(reading, () => undefined);
}

/** `records` in name order: themselves when they are (one pass looks), else a sorted copy. */
export function inNameOrder(records: Iterable<ContentRecord>): Iterable<ContentRecord> {
  let previous: string | undefined;
  for (const { name } of records) {
    if (previous !== undefined && compareNames(previous, name) > 0) return [...records].sort((x, y) => compareNames(x.name, y.name));
    previous = name;
  }
  return records;
}

const CONTENT_TYPES: readonly ContentType[] = ['file', 'directory', 'symlink'];
const SHA256_BYTES = 32;

// A content record in a scratch file. The layout, in order: the type (u8, index into CONTENT_TYPES),
// executable (u8, 0 or 1), the sha256's bytes (u8: 0, or 32 when the record has one), the name's
// length in bytes (u16: names are at most MAX_NAME_BYTES), the sha256, then the name's and the link
// target's UTF-8 bytes.
const CONTENT_RECORD_CODEC: RunCodec<ContentRecord> = {
  byteLength: (record) => 5 + (record.sha256 ? SHA256_BYTES : 0) + Buffer.byteLength(record.name, 'utf8') + Buffer.byteLength(record.linkTarget, 'utf8'),
  encode(record, into, at) {
    // Written as bytes, read back as lower-case hex: anything else would not come back the same.
    if (record.sha256 && !/^[0-9a-f]{64}$/.test(record.sha256)) throw new Error(`content record of ${JSON.stringify(record.name)}: sha256 is not 64 lower-case hex digits`);
    const hashBytes = record.sha256 ? into.write(record.sha256, at + 5, 'hex') : 0;
    into.writeUInt8(CONTENT_TYPES.indexOf(record.type), at);
    into.writeUInt8(record.executable ? 1 : 0, at + 1);
    into.writeUInt8(hashBytes, at + 2);
    const nameAt = at + 5 + hashBytes;
    const nameBytes = into.write(record.name, nameAt, 'utf8');
    into.writeUInt16LE(nameBytes, at + 3);
    into.write(record.linkTarget, nameAt + nameBytes, 'utf8');
  },
  decode(bytes) {
    const hashBytes = bytes.readUInt8(2);
    const nameAt = 5 + hashBytes;
    const nameEnd = nameAt + bytes.readUInt16LE(3);
    return {
      name: bytes.toString('utf8', nameAt, nameEnd),
      type: CONTENT_TYPES[bytes.readUInt8(0)]!,
      executable: bytes.readUInt8(1) === 1,
      sha256: bytes.toString('hex', 5, nameAt),
      linkTarget: bytes.toString('utf8', nameEnd),
    };
  },
};

/**
 * Records of a view that spilledContentView leaves where they are: a member table of that many rows
 * is a few MiB, and the disk is not touched for the artefacts most runs compare.
 */
const HELD_RECORDS = 1 << 16;

/**
 * A view whose records are in a scratch file in `workDir`, in the view's order, for a view of more
 * than `heldRecords` records that holds them in memory (one without `release`, a member table's):
 * holding it then costs a read buffer, not the table, which its caller lets go. Any other view is
 * given back as it is: one read from scratch files already, or a small one.
 */
export async function spilledContentView(view: ContentView, workDir = tmpdir(), heldRecords = HELD_RECORDS): Promise<ContentView> {
  if (view.release) return view;
  let records = 0;
  for (const _ of view) if (++records > heldRecords) break;
  if (records <= heldRecords) return view;
  const file = new RunFile(workDir, CONTENT_RECORD_CODEC, (a, b) => compareNames(a.name, b.name));
  try {
    file.writeRun(view);
  } catch (error) {
    await file.dispose();
    throw error;
  }
  return {
    release: () => file.dispose(),
    *[Symbol.iterator]() {
      yield* file.merged();
    },
  };
}

/** A member name as the content view has it: without trailing slashes. */
export function contentName(stored: string): string {
  return stored.replace(/\/+$/, '');
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

export type ContentDifferenceKind = 'only-in-a' | 'only-in-b' | 'type' | 'content' | 'executable' | 'link-target';

/** One way in which two content views differ, for one member. */
export interface ContentDifference {
  /** The member path as in the content view (no trailing slash). */
  name: string;
  difference: ContentDifferenceKind;
  /**
   * The value on each side: for `type` the member types, for `executable` "yes"/"no", for
   * `link-target` the targets; for `only-in-a`/`only-in-b` the member's type on the side that has it.
   */
  a?: string;
  b?: string;
}

/**
 * The differences of two content views that are both in name order (as every handler's view is),
 * walked side by side: nothing is held per member but the differences found.
 */
export function sortedContentDifferences(a: Iterable<ContentRecord>, b: Iterable<ContentRecord>): ContentDifference[] {
  const out: ContentDifference[] = [];
  const itA = a[Symbol.iterator]();
  const itB = b[Symbol.iterator]();
  let ra = nextRecord(itA);
  let rb = nextRecord(itB);
  while (ra || rb) {
    const order = !ra ? 1 : !rb ? -1 : compareNames(ra.name, rb.name);
    if (order < 0) {
      out.push({ name: ra!.name, difference: 'only-in-a', a: ra!.type });
      ra = nextRecord(itA);
    } else if (order > 0) {
      out.push({ name: rb!.name, difference: 'only-in-b', b: rb!.type });
      rb = nextRecord(itB);
    } else {
      out.push(...recordDifferences(ra!, rb!));
      ra = nextRecord(itA);
      rb = nextRecord(itB);
    }
  }
  return out;
}

function nextRecord(records: Iterator<ContentRecord>): ContentRecord | undefined {
  const next = records.next();
  return next.done ? undefined : next.value;
}

/** How two records of one name differ. */
function recordDifferences(ra: ContentRecord, rb: ContentRecord): ContentDifference[] {
  const { name } = ra;
  if (ra.type !== rb.type) return [{ name, difference: 'type', a: ra.type, b: rb.type }];
  const out: ContentDifference[] = [];
  if (ra.sha256 !== rb.sha256) out.push({ name, difference: 'content' });
  if (ra.executable !== rb.executable) out.push({ name, difference: 'executable', a: yesNo(ra.executable), b: yesNo(rb.executable) });
  if (ra.linkTarget !== rb.linkTarget) out.push({ name, difference: 'link-target', a: ra.linkTarget, b: rb.linkTarget });
  return out;
}

function yesNo(value: boolean): string {
  return value ? 'yes' : 'no';
}

/** The first few differences, on one line, for a failed verification. */
export function describeContentDifferences(differences: readonly ContentDifference[]): string {
  const shown = differences.slice(0, 3).map((d) => `${d.name}: ${d.difference}${d.a !== undefined || d.b !== undefined ? ` (${d.a ?? ''} / ${d.b ?? ''})` : ''}`);
  return `${shown.join('; ')}${differences.length > 3 ? `; +${differences.length - 3} more` : ''}`;
}

/** Groups of colliding names listed, at most: the rest are counted. */
export const MAX_COLLISION_GROUPS = 50;
/** Names of one group listed, at most: the rest are counted. */
const MAX_GROUP_NAMES = 10;

/** A group of names that are one on macOS and Windows: its first names in normal order, and how many it has. */
export interface NameGroup {
  names: string[];
  count: number;
}

/** A name whose folded form's hash another's shares, as the search sorts it: by hash, folded form, name. */
interface FoldedName {
  hash: number;
  folded: string;
  name: string;
}

// The layout, in order: the hash (u32), the folded form's length in bytes (u32), then the folded
// form's and the name's UTF-8 bytes.
const FOLDED_CODEC: RunCodec<FoldedName> = {
  byteLength: (record) => 8 + Buffer.byteLength(record.folded, 'utf8') + Buffer.byteLength(record.name, 'utf8'),
  encode(record, into, at) {
    into.writeUInt32LE(record.hash, at);
    const foldedLength = into.write(record.folded, at + 8, 'utf8');
    into.writeUInt32LE(foldedLength, at + 4);
    into.write(record.name, at + 8 + foldedLength, 'utf8');
  },
  decode(bytes) {
    const foldedLength = bytes.readUInt32LE(4);
    return { hash: bytes.readUInt32LE(0), folded: bytes.toString('utf8', 8, 8 + foldedLength), name: bytes.toString('utf8', 8 + foldedLength) };
  },
};

function compareFolded(a: FoldedName, b: FoldedName): number {
  return a.hash - b.hash || compareNames(a.folded, b.folded) || compareNames(a.name, b.name);
}

/**
 * Members whose names differ but would be one file on a case-insensitive or normalization-
 * insensitive file system (macOS, Windows): equal after Unicode NFC and lower-casing. pip installs
 * both on Linux, and elsewhere whichever it writes last wins, so they are reported, not refused.
 * `records` is read twice: first for a 32-bit hash of each folded name (a map of every folded name
 * cost a million members about 130 MB), then for the names whose hash another shares, sorted by
 * hash and folded form in batches that go to sorted runs in `workDir` past a few MiB, so that each
 * group's names come together. A group is the names of one folded form. Listed: the
 * MAX_COLLISION_GROUPS groups whose first names come first, each with its first MAX_GROUP_NAMES
 * names; the rest are counted. Holding every group made a 13 MB sdist of 500,000 pairs of names
 * take 364 MiB.
 */
export async function collidingNames(records: Iterable<ContentRecord>, workDir = tmpdir()): Promise<{ groups: NameGroup[]; unlisted: number }> {
  const fold = (name: string) => name.normalize('NFC').toLowerCase();
  // 4 bytes a name (an array of numbers took up to 24, most hashes being heap numbers).
  let hashes = new Uint32Array(1024);
  let count = 0;
  for (const { name } of records) {
    hashes = withRoom(hashes, count + 1);
    hashes[count++] = nameHashOfText(fold(name));
  }
  const sorted = hashes.slice(0, count).sort();
  // The hashes more than one name has, each once, sorted: looked up by bisection.
  const shared = new Uint32Array(count);
  let sharedCount = 0;
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i] === sorted[i - 1] && (sharedCount === 0 || shared[sharedCount - 1] !== sorted[i])) shared[sharedCount++] = sorted[i]!;
  }
  if (sharedCount === 0) return { groups: [], unlisted: 0 };
  const isShared = (hash: number) => {
    let low = 0;
    let high = sharedCount;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (shared[middle]! < hash) low = middle + 1;
      else high = middle;
    }
    return low < sharedCount && shared[low] === hash;
  };
  const candidates = new SortedRecords(workDir, FOLDED_CODEC, compareFolded, { rowsPerRun: 1 << 16, batchBytes: 4 << 20 });
  try {
    let i = 0;
    for (const { name } of records) {
      const hash = hashes[i++]!;
      if (isShared(hash)) candidates.add({ hash, folded: fold(name), name });
    }
    // The groups listed, in order of their first names; past MAX_COLLISION_GROUPS, the last is let go.
    const listed: NameGroup[] = [];
    let groups = 0;
    let current: (NameGroup & { hash: number; folded: string }) | undefined;
    const close = () => {
      if (!current || current.count < 2) return;
      groups += 1;
      const first = current.names[0]!;
      let at = listed.length;
      while (at > 0 && compareNames(listed[at - 1]!.names[0]!, first) > 0) at -= 1;
      if (at >= MAX_COLLISION_GROUPS) return;
      listed.splice(at, 0, { names: current.names, count: current.count });
      if (listed.length > MAX_COLLISION_GROUPS) listed.pop();
    };
    for (const { hash, folded, name } of candidates.sorted()) {
      if (current && current.hash === hash && current.folded === folded) {
        if (current.names.length < MAX_GROUP_NAMES) current.names.push(name);
        current.count += 1;
        continue;
      }
      close();
      current = { hash, folded, names: [name], count: 1 };
    }
    close();
    return { groups: listed, unlisted: groups - listed.length };
  } finally {
    await candidates.dispose();
  }
}

/** The note a result carries for each group of colliding names listed, and one counting the groups not listed. */
export async function collisionNotes(records: Iterable<ContentRecord>): Promise<string[]> {
  const { groups, unlisted } = await collidingNames(records);
  const notes = groups.map(({ names, count }) => {
    const shown = names.map((name) => JSON.stringify(name)).join(' and ');
    const more = count > names.length ? ` and ${count - names.length} more` : '';
    return `${shown}${more} are one name on macOS and Windows (equal after case folding or Unicode NFC): pip installs ${count === 2 ? 'both' : 'all'} on Linux, elsewhere one overwrites the other`;
  });
  if (unlisted > 0) notes.push(`${unlisted} more group${unlisted > 1 ? 's' : ''} of names that are one name on macOS and Windows, not listed`);
  return notes;
}
