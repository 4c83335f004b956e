// The normal form of a wheel, planned from its classified members (docs/normal-form.md, "wheel"):
// which members are written, in which order, with which header fields, and what that changes.
// Only the compressed data is left to write.ts: stored or deflated is decided by the content.
import {
  FLAG_UTF8, HOST_UNIX, MSDOS_ATTR_DIRECTORY, S_IFDIR, S_IFLNK, S_IFREG, VERSION_DEFLATE, makeVersionMadeBy, toDosDateTime,
  unixModeToExternalAttr,
} from '../../formats/zip/index.js';
import type { ZipReader } from '../../formats/zip/index.js';
import { RefusedInput } from '../failure.js';
import { MAX_RECORD_BYTES, sizeText } from '../limits.js';
import { normalFileMode, normalMtime } from '../options.js';
import type { NormalizeOptions } from '../options.js';
import { ancestorsOf } from '../refusal.js';
import type { ChangeLog } from '../report.js';
import { WHEEL_FIELDS, dosTimeText, externalAttrText, extraIdText, flagsText, versionMadeByText } from './fields.js';
import { checkWheelTree, classify, compareWheelPaths, inDistInfo, isRecord } from './read.js';
import type { WheelMember } from './read.js';

/** Unix, spec version 2.0: what Python's zipfile writes on every platform. */
export const VERSION_MADE_BY = makeVersionMadeBy(HOST_UNIX, VERSION_DEFLATE);
/** The version needed the normal form writes; the writer raises it to 4.5 for a member that needs zip64. */
export const VERSION_NEEDED = VERSION_DEFLATE;

/** The header fields of a member in the normal form that do not depend on its compressed data. */
export interface PlannedHeader {
  dosTime: number;
  dosDate: number;
  flags: number;
  externalAttr: number;
}

/** How a member's data is written: stored or deflated, as its content decides (write.ts). */
export interface WrittenData {
  method: number;
  size: number;
  compressedSize: number;
}

/** The name a member is stored under: directory entries carry their trailing slash. */
export function storedName(member: WheelMember): string {
  return member.type === 'directory' ? `${member.path}/` : member.path;
}

function externalAttr(member: WheelMember): number {
  if (member.type === 'directory') return unixModeToExternalAttr(S_IFDIR | 0o755) + MSDOS_ATTR_DIRECTORY;
  if (member.type === 'symlink') return unixModeToExternalAttr(S_IFLNK | 0o777);
  return unixModeToExternalAttr(S_IFREG | normalFileMode(member.executable ? 0o755 : 0o644));
}

/** The normal form's header fields for a member: its time from the policy, UTF-8 flag only when needed. */
export function plannedHeader(member: WheelMember, options: NormalizeOptions): PlannedHeader {
  const time = toDosDateTime(options.mtime === 'epoch' ? options.epoch : normalMtime(member.mtime, options));
  return { ...time, flags: /^[\x00-\x7f]*$/.test(member.path) ? 0 : FLAG_UTF8, externalAttr: externalAttr(member) };
}

/** Notes how an input entry's header differs from what the normal form writes for it, with the input's values. */
export function noteEntryChanges(changes: ChangeLog, member: WheelMember, header: PlannedHeader, data: WrittenData): void {
  const { entry, path } = member;
  if (entry.dosTime !== header.dosTime || entry.dosDate !== header.dosDate) changes.add(WHEEL_FIELDS.time, `${path} (${dosTimeText(entry)})`);
  if (entry.externalAttr !== header.externalAttr) changes.add(WHEEL_FIELDS.externalAttr, `${path} (${externalAttrText(entry.externalAttr)})`);
  if (entry.extraFields.length > 0 || entry.localExtraFields.length > 0) {
    const ids = [...new Set([...entry.localExtraFields, ...entry.extraFields].map((f) => extraIdText(f.id)))];
    changes.add(WHEEL_FIELDS.extraFields, `${path} (${ids.join(' ')})`);
  }
  // Members of 4 GiB and more need zip64, and the writer raises their version needed to 4.5.
  if (entry.versionNeeded !== VERSION_NEEDED && Math.max(data.size, data.compressedSize) < 0xffffffff) {
    changes.add(WHEEL_FIELDS.versionNeeded, `${path} (${entry.versionNeeded})`);
  }
  if (entry.versionMadeBy !== VERSION_MADE_BY) changes.add(WHEEL_FIELDS.versionMadeBy, `${path} (${versionMadeByText(entry.versionMadeBy)})`);
  if (entry.flags !== header.flags) changes.add(WHEEL_FIELDS.flags, `${path} (${flagsText(entry.flags)})`);
  if (entry.method !== data.method || entry.compressedSize !== data.compressedSize) changes.add(WHEEL_FIELDS.compressedData, path);
  if (entry.internalAttr !== 0) changes.add(WHEEL_FIELDS.internalAttr, path);
  if (entry.commentBytes.length > 0) changes.add(WHEEL_FIELDS.comments, path);
}

/**
 * The RECORD limit of docs/limits.md, from the declared size, before any member is read: the zip
 * reader never inflates past the declared size, so the RECORD read whole later is bounded by it.
 * (A symlink target's limit is checked as each member is classified.)
 */
function checkDeclaredSizes(members: readonly WheelMember[]): void {
  for (const { path, entry } of members) {
    if (isRecord(path) && entry.uncompressedSize > MAX_RECORD_BYTES) {
      throw new RefusedInput(`${path}: RECORD of ${entry.uncompressedSize} bytes, over the limit of ${sizeText(MAX_RECORD_BYTES)} for a RECORD (docs/limits.md)`);
    }
  }
}

/**
 * The members to write, in normal order, with what that changes noted. Apart so that its sets and
 * lists are gone before the members are written (100,000 members make them large).
 */
export function planWheel(zip: Pick<ZipReader, 'entries' | 'comment'>, changes: ChangeLog): WheelMember[] {
  if (zip.entries.length === 0) throw new RefusedInput('zip: the wheel has no members');
  if (zip.comment.length > 0) changes.add(WHEEL_FIELDS.archiveComment, `${zip.comment.length} bytes`);
  const members = zip.entries.map(classify);
  checkWheelTree(members);
  checkDeclaredSizes(members);
  // Directory entries carry nothing but their existence: kept only where nothing lies beneath.
  const ancestors = new Set<string>();
  for (const member of members) for (const dir of ancestorsOf(member.path)) ancestors.add(dir);
  const kept = members.filter((m) => m.type !== 'directory' || !ancestors.has(m.path));
  for (const dropped of members) {
    if (dropped.type === 'directory' && ancestors.has(dropped.path)) changes.add(WHEEL_FIELDS.directories, `${dropped.path}/ (dropped)`);
  }
  const ordered = [...kept].sort((a, b) => compareWheelPaths(storedName(a), storedName(b)));
  const inputOrder = kept.map((m) => m.path);
  if (ordered.some((m, i) => m.path !== inputOrder[i])) {
    const firstDistInfo = inputOrder.findIndex(inDistInfo);
    const distInfoNotLast = firstDistInfo >= 0 && inputOrder.slice(firstDistInfo).some((p) => !inDistInfo(p));
    const moved = ordered.filter((m, i) => m.path !== inputOrder[i]).length;
    changes.add(WHEEL_FIELDS.order, `${moved} of ${ordered.length} members move${distInfoNotLast ? ' (.dist-info/ is not last)' : ''}`);
  }
  return ordered;
}
