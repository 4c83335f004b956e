// The normal form of an sdist, planned from the validated index (docs/normal-form.md, "tar"): which
// members are written, in which order, with which header fields, and what that changes. The plan is
// an order of the member table's rows; each member's header is made as the writer reaches it.
import type { TarWriteMember } from '../../formats/tar/index.js';
import type { ContentRecord } from '../content.js';
import type { MemberKind, MemberTable } from '../member-table.js';
import type { NormalizeOptions } from '../options.js';
import type { ChangeLog } from '../report.js';
import type { IndexFeed } from './feed.js';
import { SDIST_FIELDS } from './fields.js';
import { normalTarFields, tarRuleDepartures } from './rules.js';
import type { TarRuleHeader } from './rules.js';

/** A member of the output, with where its data is in the spool. */
export interface PlannedMember {
  header: TarWriteMember;
  source?: { spoolOffset: number; size: number };
}

/** A member of the normal form, as its header is made from it. */
export interface PlanRow {
  name: string;
  /** A parent directory the archive does not hold, which the normal form adds. */
  implied: boolean;
  kind: MemberKind;
  /** The input's mode (a hard link's: its file's) and mtime. */
  mode: number;
  mtime: number;
  /** A symlink's target ('' for other members). */
  linkTarget: string;
  /** A file's or hard link's data: its size and where it is in the spool. */
  size: number;
  dataOffset: number;
  /** A file's or hard link's holder: the name that carries the data (the least of the names that share it). */
  holder: string;
}

/** What verification reads a written member against. */
export interface ExpectedMember {
  record: ContentRecord;
  /** For a member written as a hard link: the name it must link to, and the place the file of that name was written at. */
  linkTo?: { name: string; position: number };
}

/** What the tar being written must hold, member by member, in writing order (./read.ts checks it). */
export interface WrittenOrder {
  /** The member planned at `position`; asked once for each, in order, once that member has been written. */
  member(position: number): ExpectedMember;
  /**
   * How many members are written: asked for each member read (one at or past it is one too many)
   * and once the tar has ended. Before the end it may be a count still growing (members being planned).
   */
  count(): number;
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
export function planSdist(table: MemberTable, changes: ChangeLog, options: NormalizeOptions): SdistPlan {
  // Hard-linked names share one file; the least name in normal order carries the data. Each
  // file row's holder starts as itself, and each link to it may take its place.
  const holder = new Int32Array(table.count).fill(-1);
  let dataBytes = 0;
  let links = false;
  for (let row = 0; row < table.count; row++) {
    if (table.kind(row) !== 'file') continue;
    holder[row] = row;
    dataBytes += table.size(row);
  }
  for (let row = 0; row < table.count; row++) {
    if (table.kind(row) !== 'link') continue;
    links = true;
    const root = table.linkRow(row);
    if (table.compareNames(row, holder[root]!) < 0) holder[root] = row;
  }
  for (let row = 0; row < table.count; row++) {
    if (holder[row]! >= 0 && holder[row] !== row) changes.add(SDIST_FIELDS.tarHardLinks, `${table.name(holder[row]!)} (now holds the data)`);
  }

  const order = table.storedOrder();
  const holderOf = (row: number) => holder[table.kind(row) === 'link' ? table.linkRow(row) : row]!;
  // Where each row is written, for the hard links' checks.
  const position = links ? new Int32Array(table.count) : undefined;
  if (position) order.forEach((row, at) => (position[row] = at));
  const written: WrittenOrder = {
    member: (at) => {
      const row = order[at]!;
      const held = table.kind(row) === 'file' || table.kind(row) === 'link' ? holderOf(row) : row;
      const record = table.contentRecord(row);
      return held === row ? { record } : { record, linkTo: { name: table.name(held), position: position![held]! } };
    },
    count: () => order.length,
  };
  return { members: plannedMembers(table, order, holderOf, changes, options), dataBytes, written };
}

function* plannedMembers(table: MemberTable, order: Uint32Array, holderOf: (row: number) => number, changes: ChangeLog, options: NormalizeOptions): Generator<PlannedMember> {
  for (const row of order) yield plannedMember(planRow(table, row, holderOf(row)), changes, options);
  noteOrderChange(table, order, changes);
}

/** A row of the table as the plan reads it; `holder` is the row whose name carries a file's or hard link's data. */
function planRow(table: MemberTable, row: number, holder: number): PlanRow {
  const kind = table.kind(row);
  const root = kind === 'link' ? table.linkRow(row) : row;
  return {
    name: table.name(row), implied: table.isImplied(row), kind, mode: table.mode(row), mtime: table.mtime(row),
    linkTarget: kind === 'symlink' ? table.linkTarget(row) : '', size: table.size(root), dataOffset: table.dataOffset(root),
    holder: holder >= 0 && (kind === 'file' || kind === 'link') ? table.name(holder) : '',
  };
}

/** One output member (noting how the policy changes its header). */
export function plannedMember(row: PlanRow, changes: ChangeLog, options: NormalizeOptions): PlannedMember {
  const { name } = row;
  if (row.implied) {
    changes.add(SDIST_FIELDS.tarDirectories, `${name}/ (added)`);
    const fields = normalTarFields(ruleHeader('directory', 0, options.epoch), options);
    return { header: { ...fields, name, type: 'directory', size: 0 } };
  }
  // Hard links take their data holder's mode (the index gives them their target's).
  const { kind } = row;
  const header = ruleHeader(kind, row.mode, row.mtime);
  for (const [field, example] of tarRuleDepartures(name, header, options)) changes.add(field, example);
  const fields = normalTarFields(header, options);
  if (kind === 'directory') return { header: { ...fields, name, type: 'directory', size: 0 } };
  if (kind === 'symlink') return { header: { ...fields, name, type: 'symlink', size: 0, linkname: row.linkTarget } };
  const { size } = row;
  if (row.holder === name) return { header: { ...fields, name, type: 'file', size }, source: { spoolOffset: row.dataOffset, size } };
  return { header: { ...fields, name, type: 'link', size: 0, linkname: row.holder } };
}

/** The rows an InOrderPlan's members are made from: the input's, in its order. */
export function inputOrder(table: MemberTable): WrittenOrder {
  return {
    member: (row) => {
      const record = table.contentRecord(row);
      if (table.kind(row) !== 'link') return { record };
      const root = table.linkRow(row);
      return { record, linkTo: { name: table.name(root), position: root } };
    },
    count: () => table.count,
  };
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
      const member = plannedMember(planRow(table, row, table.kind(row) === 'link' ? table.linkRow(row) : row), this.changes, this.options);
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
      if (next > 0 && table.compareStoredNames(next - 1, next) >= 0) throw new NotInNormalOrder();
      const name = table.name(next);
      const slash = name.lastIndexOf('/');
      if (slash > 0) {
        const parent = table.find(name.slice(0, slash));
        if (parent < 0 || table.kind(parent) !== 'directory') throw new NotInNormalOrder();
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
  noteMovedMembers(moved, inputMembers, changes);
}

/** Notes that `moved` of the `inputMembers` input members are not at their input place in the normal order. */
export function noteMovedMembers(moved: number, inputMembers: number, changes: ChangeLog): void {
  if (moved > 0) changes.add(SDIST_FIELDS.tarOrder, `${moved} of ${inputMembers} members move`);
}
