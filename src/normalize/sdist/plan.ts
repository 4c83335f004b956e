// The normal form of an sdist, planned from the validated index (docs/normal-form.md, "tar"): which
// members are written, in which order, with which header fields, and what that changes. The plan is
// an order of the member table's rows; each member's header is made as the writer reaches it.
import type { TarWriteMember } from '../../formats/tar/index.js';
import type { MemberTable } from '../member-table.js';
import type { NormalizeOptions } from '../options.js';
import type { ChangeLog } from '../report.js';
import type { IndexFeed } from './feed.js';
import { SDIST_FIELDS } from './fields.js';
import type { SdistIndex, WrittenOrder } from './read.js';
import { normalTarFields, tarRuleDepartures } from './rules.js';
import type { TarRuleHeader } from './rules.js';

/** A member of the output, with where its data is in the spool. */
export interface PlannedMember {
  header: TarWriteMember;
  source?: { spoolOffset: number; size: number };
}

export interface SdistPlan {
  /** The output members in normal order, made one at a time (noting the policy-dependent changes). */
  members: Iterable<PlannedMember>;
  /** The bytes of file data the members carry. */
  dataBytes: number;
  /** The rows the members are made from, in the same order: what verification reads the output against. */
  written: WrittenOrder;
}

/** The fields the header rules read, for a member whose owner and pax records the normal form does not keep. */
function ruleHeader(type: TarRuleHeader['type'], mode: number, mtime: number): TarRuleHeader {
  return { type, mode, mtime, uid: 0, gid: 0, uname: '', gname: '', pax: null };
}

/**
 * The output members in normal order. The hard links' holders are noted now; each member's header
 * changes as it is made, and the order's once the last is (the order the changes are listed in).
 */
export function planSdist(index: SdistIndex, options: NormalizeOptions): SdistPlan {
  const { table, changes } = index;
  // Hard-linked names share one file; the least name in normal order carries the data. Each
  // file row's holder starts as itself, and each link to it may take its place.
  const holder = new Int32Array(table.count).fill(-1);
  let dataBytes = 0;
  for (let row = 0; row < table.count; row++) {
    if (table.kind(row) !== 'file') continue;
    holder[row] = row;
    dataBytes += table.size(row);
  }
  for (let row = 0; row < table.count; row++) {
    if (table.kind(row) !== 'link') continue;
    const root = table.linkRow(row);
    if (table.compareNames(row, holder[root]!) < 0) holder[root] = row;
  }
  for (let row = 0; row < table.count; row++) {
    if (holder[row]! >= 0 && holder[row] !== row) changes.add(SDIST_FIELDS.tarHardLinks, `${table.name(holder[row]!)} (now holds the data)`);
  }

  // Sorted by the names as stored, so that a directory's members follow it directly (`a.b`, `a/`, `a/x`).
  const isDirectory = (row: number) => table.kind(row) === 'directory';
  const order = table.sortedRows((a, b) => table.compareNames(a, b, isDirectory));
  return { members: plannedMembers(table, order, holder, changes, options), dataBytes, written: { table, row: (position) => order[position]!, count: () => order.length } };
}

function* plannedMembers(table: MemberTable, order: Uint32Array, holder: Int32Array, changes: ChangeLog, options: NormalizeOptions): Generator<PlannedMember> {
  for (const row of order) yield plannedMember(table, row, holder[table.kind(row) === 'link' ? table.linkRow(row) : row]!, changes, options);
  noteOrderChange(table, order, changes);
}

/**
 * One output member, made from its row (noting how the policy changes its header); `holder` is the
 * row whose name carries the data of a file or hard link.
 */
function plannedMember(table: MemberTable, row: number, holder: number, changes: ChangeLog, options: NormalizeOptions): PlannedMember {
  const name = table.name(row);
  if (table.isImplied(row)) {
    changes.add(SDIST_FIELDS.tarDirectories, `${name}/ (added)`);
    const fields = normalTarFields(ruleHeader('directory', 0, options.epoch), options);
    return { header: { ...fields, name, type: 'directory', size: 0 } };
  }
  // Hard links take their data holder's mode (the index gives them their target's).
  const kind = table.kind(row);
  const header = ruleHeader(kind, table.mode(row), table.mtime(row));
  for (const [field, example] of tarRuleDepartures(name, header, options)) changes.add(field, example);
  const fields = normalTarFields(header, options);
  if (kind === 'directory') return { header: { ...fields, name, type: 'directory', size: 0 } };
  if (kind === 'symlink') return { header: { ...fields, name, type: 'symlink', size: 0, linkname: table.linkTarget(row) } };
  const root = kind === 'link' ? table.linkRow(row) : row;
  const size = table.size(root);
  if (holder === row) return { header: { ...fields, name, type: 'file', size }, source: { spoolOffset: table.dataOffset(root), size } };
  return { header: { ...fields, name, type: 'link', size: 0, linkname: table.name(holder) } };
}

/** The rows an InOrderPlan's members are made from: the input's, in its order. */
export function inputOrder(table: MemberTable): WrittenOrder {
  return { table, row: (position) => position, count: () => table.count };
}

/** Thrown by InOrderPlan at the first member that the normal order would move, or that needs a directory added. */
export class NotInNormalOrder extends Error {}

/**
 * The plan of an input that is already in normal order, made while it is indexed (see ./early.ts).
 * It is planSdist's when every member follows the one before it in normal order and its parent
 * directory is in: then every member keeps its place, no directory is added, and a hard link's
 * target, an earlier and so lesser name, holds the data. Each member is checked as it is indexed,
 * and NotInNormalOrder is thrown at the first that does not hold.
 */
export class InOrderPlan {
  /** The rows checked so far. */
  private checked = 0;
  private readonly isDirectory = (row: number) => this.feed.table.kind(row) === 'directory';

  constructor(private readonly feed: IndexFeed, private readonly changes: ChangeLog, private readonly options: NormalizeOptions) {}

  /** Whether the members that hold the first `bytes` bytes of data are in normal order; false when the index pass ends first. */
  async confirmed(bytes: number): Promise<boolean> {
    const { table } = this.feed;
    let seen = 0;
    for (let row = 0; seen < bytes; row++) {
      if (!(await this.checkedThrough(row))) return false;
      if (table.kind(row) === 'file') seen += table.size(row);
    }
    return true;
  }

  /** The output members, each once its row and its data are in. */
  async *members(): AsyncGenerator<PlannedMember> {
    const { feed } = this;
    const { table } = feed;
    let row = 0;
    for (; await this.checkedThrough(row); row++) {
      const member = plannedMember(table, row, table.kind(row) === 'link' ? table.linkRow(row) : row, this.changes, this.options);
      if (member.source) await feed.hasSpooled(member.source.spoolOffset + member.source.size);
      yield member;
    }
    // The index is over; the directories it added would be out of place (the checks leave none).
    if (table.count !== row) throw new NotInNormalOrder();
  }

  /** Checks the rows up to `row` as they are indexed; false when the index pass ended before it. */
  private async checkedThrough(row: number): Promise<boolean> {
    const { table } = this.feed;
    for (; this.checked <= row; this.checked++) {
      const next = this.checked;
      if (!(await this.feed.hasRow(next))) return false;
      if (next > 0 && table.compareNames(next - 1, next, this.isDirectory) >= 0) throw new NotInNormalOrder();
      const name = table.name(next);
      const slash = name.lastIndexOf('/');
      if (slash > 0) {
        const parent = table.find(name.slice(0, slash));
        if (parent < 0 || !this.isDirectory(parent)) throw new NotInNormalOrder();
      }
    }
    return true;
  }
}

/** How many input members the normal order moves (the input members are the rows before the added directories, in archive order). */
function noteOrderChange(table: MemberTable, order: Uint32Array, changes: ChangeLog): void {
  let inputMembers = 0;
  let moved = 0;
  for (const row of order) {
    if (table.isImplied(row)) continue;
    if (row !== inputMembers) moved += 1;
    inputMembers += 1;
  }
  if (moved > 0) changes.add(SDIST_FIELDS.tarOrder, `${moved} of ${inputMembers} members move`);
}
