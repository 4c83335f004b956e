// The normal form of a wheel, planned from its classified members (docs/normal-form.md, "wheel"):
// which members are written, in which order, with which header fields, and what that changes.
// Only the compressed data is left to write.ts: stored or deflated is decided by the content.
import {
  FLAG_UTF8, HOST_UNIX, MSDOS_ATTR_DIRECTORY, S_IFDIR, S_IFLNK, S_IFREG, VERSION_DEFLATE, makeVersionMadeBy, toDosDateTime,
  unixModeToExternalAttr,
} from '../../formats/zip/index.js';
import type { ZipReader } from '../../formats/zip/index.js';
import { RefusedInput } from '../failure.js';
import { normalFileMode, normalMtime } from '../options.js';
import type { NormalizeOptions } from '../options.js';
import type { MemberTable } from '../member-table.js';
import type { ChangeLog } from '../report.js';
import { WHEEL_FIELDS, dosTimeText, externalAttrText, extraIdText, flagsText, versionMadeByText } from './fields.js';
import { wheelRank } from './read.js';
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
export function storedName(member: Pick<WheelMember, 'path' | 'type'>): string {
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
  if (entry.extraFieldIds.length > 0 || entry.localExtraFieldIds.length > 0) {
    const ids = [...new Set([...entry.localExtraFieldIds, ...entry.extraFieldIds].map(extraIdText))];
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
 * The members to write as their indices in the input's central directory (indexWheel's rows), in
 * normal order, with what that changes noted. Directory entries carry nothing but their existence:
 * one is kept only where nothing lies beneath it.
 */
export function planWheel(zip: ZipReader, table: MemberTable, changes: ChangeLog): Uint32Array {
  if (zip.entryCount === 0) throw new RefusedInput('zip: the wheel has no members');
  if (zip.comment.length > 0) changes.add(WHEEL_FIELDS.archiveComment, `${zip.comment.length} bytes`);
  // Every parent has a row (the implied ones too), so a directory with anything beneath it has a
  // member right beneath it.
  const holdsMembers = new Uint8Array(table.count);
  for (let row = 0; row < table.count; row++) {
    const name = table.name(row);
    const slash = name.lastIndexOf('/');
    if (slash > 0) holdsMembers[table.find(name.slice(0, slash))] = 1;
  }
  const kept: number[] = [];
  for (let index = 0; index < zip.entryCount; index++) {
    if (table.kind(index) === 'directory' && holdsMembers[index] === 1) changes.add(WHEEL_FIELDS.directories, `${table.name(index)}/ (dropped)`);
    else kept.push(index);
  }
  const keptInOrder = Uint32Array.from(kept);
  // A directory is stored with its trailing slash: its name ranks and sorts as one with a slash
  // after it (an empty `x.dist-info/` is under .dist-info/, an empty `x.dist-info/RECORD/` no RECORD).
  const rank = new Uint8Array(zip.entryCount);
  for (const index of keptInOrder) rank[index] = wheelRank(storedName({ path: table.name(index), type: table.contentType(index) }));
  const ordered = Uint32Array.from(keptInOrder).sort((a, b) => rank[a]! - rank[b]! || table.compareStoredNames(a, b));
  let moved = 0;
  for (let at = 0; at < ordered.length; at++) if (ordered[at] !== keptInOrder[at]) moved += 1;
  if (moved > 0) {
    const firstDistInfo = keptInOrder.findIndex((index) => rank[index]! > 0);
    const distInfoNotLast = firstDistInfo >= 0 && keptInOrder.subarray(firstDistInfo).some((index) => rank[index] === 0);
    changes.add(WHEEL_FIELDS.order, `${moved} of ${ordered.length} members move${distInfoNotLast ? ' (.dist-info/ is not last)' : ''}`);
  }
  return ordered;
}
