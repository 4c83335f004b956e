// An sdist indexed into sorted runs (./runs.ts), past the members one table holds: the archive-wide
// rules, the parent directories the normal form adds, the plan and the content view, each worked
// out from the runs read merged, in normal order, so that nothing is kept per member but the links.
//
// In normal order (names in byte order, a directory's with a `/` after it) a member follows every
// member whose name is a prefix of its own: the members that are prefixes of the current name form a
// chain of at most MAX_NAME_BYTES, held as a stack. A duplicate name is the same key twice in a
// row, or a directory whose name a non-directory on the stack has; a member under a file or link has
// that non-directory on the stack; a parent directory the archive does not hold is one not on the
// stack, and the normal form's entry for it goes right before the first member under it.
//
// Symlinks (for the archive-wide resolution) and hard links whose file was in an earlier run are
// the one thing held per member: docs/limits.md.
import { MemberTable, memberContentRecord } from '../member-table.js';
import { compareNames } from '../content.js';
import type { ContentRecord, ContentView } from '../content.js';
import type { NormalizeOptions } from '../options.js';
import type { ChangeLog } from '../report.js';
import { checkSymlinksResolved, duplicateMember, parentNotADirectory } from '../refusal.js';
import { checkLinkXBit, notAnEarlierFile } from './hard-links.js';
import { OutputBounds } from './bounds.js';
import type { OutputSize } from './bounds.js';
import { SDIST_FIELDS } from './fields.js';
import { noteMovedMembers, plannedMember } from './plan.js';
import type { ExpectedMember, PlanRow, PlannedMember, SdistPlan } from './plan.js';
import { RUN_RECORD_CODEC, RUN_ROWS, compareContentRecords, compareRecords, runIsFull, tableRecords } from './runs.js';
import { RunFile } from '../sorted-runs.js';
import type { RunRecord } from './runs.js';
import { tarRuleDepartures } from './rules.js';
import type { TarRuleHeader } from './rules.js';

/** A hard link read after its file's run was written: resolved once every run is. */
export interface DeferredLink {
  name: string;
  /** The name it links to, as read. */
  target: string;
  archiveIndex: number;
  /** Its header as the rules read it, every row but the mode's made normal: their departures were noted as it was read (departuresBeforeMode). */
  header: TarRuleHeader;
}

/** What a hard link shares with its file: that file's archive index, mode and data. */
interface LinkedData {
  rootIndex: number;
  mode: number;
  size: number;
  dataOffset: number;
  sha256: Buffer;
}

/** What the indexer gives besides its runs. */
export interface RunIndexParts {
  runs: RunFile<RunRecord>;
  /** The input's members and their bytes in the normal form's tar. */
  input: OutputSize;
  inputTarSize: number;
  symlinks: Map<string, string>;
  /** The one directory every member lies in, or ''. */
  top: string;
  /** The archive index of each file that a hard link resolved in its own run shares. */
  linkedRoots: Set<number>;
  deferred: DeferredLink[];
  /** Where the content view's runs go. */
  workDir: string;
  rowsPerRun: number;
}

export class RunIndex {
  /** Each hard-linked file's holder, by its archive index, once validate has run. */
  private readonly holders = new Map<number, string>();
  private readonly resolved = new Map<string, LinkedData>();
  /** The bytes of file data, once validate has run. */
  private fileBytes = 0;

  constructor(private readonly parts: RunIndexParts) {}

  /**
   * The archive-wide rules (every name once, nothing under a file or link, symlinks inside the top
   * directory, hard links to earlier files with their x bit), the output's bounds, and the hard
   * links' holders. Notes the departures of the links it resolves.
   */
  validate(changes: ChangeLog): void {
    const { parts } = this;
    checkSymlinksResolved(parts.symlinks, parts.top);
    const targets = new Set(parts.deferred.map((link) => link.target));
    const found = new Map<string, RunRecord>();
    // The name of each file that hard links share.
    const rootNames = new Map<number, string>();
    for (const record of this.normalOrder()) {
      if (record.kind === 'file') this.fileBytes += record.size;
      if (targets.has(record.name)) found.set(record.name, record);
      const root = record.kind === 'file' ? record.archiveIndex : record.kind === 'link' ? record.rootIndex : -1;
      if (!parts.linkedRoots.has(root)) continue;
      if (!this.holders.has(root)) this.holders.set(root, record.name);
      if (record.kind === 'file') rootNames.set(root, record.name);
    }
    // In archive order, so that a link to a link finds its target resolved.
    for (const link of parts.deferred) {
      const target = found.get(link.target);
      if (!target || target.archiveIndex >= link.archiveIndex || (target.kind !== 'file' && target.kind !== 'link')) throw notAnEarlierFile(link.name, link.target);
      // A file's own data, or what a link resolved in its run carries of its file's, or a resolved deferred one's.
      const data = target.kind === 'link' && target.rootIndex < 0 ? this.resolved.get(target.name)!
        : { rootIndex: this.rootOf(target), mode: target.mode, size: target.size, dataOffset: target.dataOffset, sha256: target.sha256 };
      checkLinkXBit(link.name, link.header.mode, target.name, data.mode);
      this.resolved.set(link.name, data);
      if (target.kind === 'file') rootNames.set(data.rootIndex, target.name);
      for (const [field, example] of tarRuleDepartures(link.name, { ...link.header, mode: data.mode })) changes.add(field, example);
      const holder = this.holders.get(data.rootIndex);
      const candidates = [link.name, ...(target.kind === 'file' ? [target.name] : []), ...(holder === undefined ? [] : [holder])];
      this.holders.set(data.rootIndex, candidates.reduce((least, name) => (compareNames(name, least) < 0 ? name : least)));
    }
    const roots = [...this.holders.keys()].sort((a, b) => a - b);
    for (const root of roots) {
      const holder = this.holders.get(root)!;
      if (rootNames.get(root) !== holder) changes.add(SDIST_FIELDS.tarHardLinks, `${holder} (now holds the data)`);
    }
  }

  /**
   * The plan, from the runs read again; its members also go to the content view's runs as they are
   * made. Its `written` is for a writing that is verified (`verify`), and holds nothing otherwise.
   */
  plan(changes: ChangeLog, options: NormalizeOptions, verify: boolean): SdistPlan & { content: ContentRuns } {
    const content = new ContentRuns(this.parts.workDir, this.parts.rowsPerRun);
    const expected: ExpectedMember[] = [];
    let made = 0;
    let taken = 0;
    const written = {
      member: (position: number) => {
        if (position !== taken) throw new RangeError(`member ${position} asked for after ${taken}`);
        taken += 1;
        return expected.shift()!;
      },
      count: () => made,
    };
    const members = this.plannedMembers(changes, options, (member) => {
      if (verify) expected.push(member);
      made += 1;
      content.add(member.record);
    });
    return { members, dataBytes: this.fileBytes, written, content };
  }

  /** The content view alone (compare, digest): its records go to runs of their own as the plan's would. */
  contentView(): ContentView {
    const content = new ContentRuns(this.parts.workDir, this.parts.rowsPerRun);
    try {
      for (const { expected } of this.planRows()) content.add(expected.record);
    } catch (error) {
      void content.dispose();
      throw error;
    }
    return content.view();
  }

  private *plannedMembers(changes: ChangeLog, options: NormalizeOptions, planned: (expected: ExpectedMember) => void): Generator<PlannedMember> {
    let inputMembers = 0;
    let moved = 0;
    for (const { row, archiveIndex, expected } of this.planRows()) {
      if (!row.implied) {
        if (archiveIndex !== inputMembers) moved += 1;
        inputMembers += 1;
      }
      planned(expected);
      yield plannedMember(row, changes, options);
    }
    noteMovedMembers(moved, inputMembers, changes);
  }

  /** Each member of the normal form in order: as the plan reads it, and as verification does. */
  private *planRows(): Generator<{ row: PlanRow; archiveIndex: number; expected: ExpectedMember }> {
    const positions = new Map<number, number>();
    let position = 0;
    for (const record of this.normalOrder()) {
      const row = this.planRow(record);
      // Where each hard-linked file's holder is written, for its links' checks.
      const root = this.rootOf(record);
      let linkTo: ExpectedMember['linkTo'];
      if (this.holders.has(root) && row.holder === row.name) positions.set(root, position);
      else if (this.holders.has(root)) linkTo = { name: row.holder, position: positions.get(root)! };
      position += 1;
      yield { row, archiveIndex: record.archiveIndex, expected: { record: memberContentRecord(row.name, row.kind, row.mode, record.sha256, row.linkTarget), ...(linkTo ? { linkTo } : {}) } };
    }
  }

  /** A file's or hard link's archive index of the file whose data it has; -1 for other members. */
  private rootOf(record: RunRecord): number {
    if (record.kind === 'file') return record.archiveIndex;
    if (record.kind !== 'link') return -1;
    return record.rootIndex >= 0 ? record.rootIndex : this.resolved.get(record.name)!.rootIndex;
  }

  private planRow(record: RunRecord): PlanRow {
    const implied = record.archiveIndex < 0;
    const { name, kind } = record;
    const row: PlanRow = { name, implied, kind, mode: record.mode, mtime: record.mtime, linkTarget: kind === 'symlink' ? record.linkTarget : '', size: record.size, dataOffset: record.dataOffset, holder: '' };
    if (kind === 'link' && record.rootIndex < 0) {
      const data = this.resolved.get(name)!;
      Object.assign(row, { mode: data.mode, size: data.size, dataOffset: data.dataOffset });
      // The record is this pass's own: it takes the data it shares, for the content record.
      record.sha256 = data.sha256;
    }
    const root = this.rootOf(record);
    if (root >= 0) row.holder = this.holders.get(root) ?? name;
    return row;
  }

  /**
   * The members in normal order with the parent directories the normal form adds (archive index
   * -1), refusing the input at the first rule or bound it breaks.
   */
  private *normalOrder(): Generator<RunRecord> {
    const { parts } = this;
    const bounds = new OutputBounds(parts.input, parts.inputTarSize);
    bounds.check();
    const chain: RunRecord[] = [];
    let previous: RunRecord | undefined;
    for (const record of parts.runs.merged()) {
      if (previous && compareRecords(previous, record) === 0) throw duplicateMember(record.name);
      previous = record;
      const key = keyOf(record);
      while (chain.length > 0 && !key.startsWith(keyOf(chain[chain.length - 1]!))) chain.pop();
      let deepest = '';
      for (const holder of chain) {
        if (holder.kind === 'directory') {
          deepest = holder.name;
          continue;
        }
        if (holder.name === record.name) throw duplicateMember(record.name);
        if (record.name.startsWith(`${holder.name}/`)) throw parentNotADirectory(record.name, holder.name, holder.kind);
      }
      for (let slash = record.name.indexOf('/', deepest.length + 1); slash > 0; slash = record.name.indexOf('/', slash + 1)) {
        const name = record.name.slice(0, slash);
        bounds.addDirectory(name);
        const implied: RunRecord = { ...IMPLIED, name, nameBytes: Buffer.from(name, 'utf8') };
        chain.push(implied);
        yield implied;
      }
      chain.push(record);
      yield record;
    }
  }

  /** Removes the runs' file. */
  async dispose(): Promise<void> {
    await this.parts.runs.dispose();
  }
}

const NO_SHA256 = Buffer.alloc(32);
const IMPLIED: RunRecord = { name: '', nameBytes: Buffer.alloc(0), kind: 'directory', mode: 0, mtime: 0, size: 0, dataOffset: 0, archiveIndex: -1, rootIndex: -1, sha256: NO_SHA256, linkTarget: '' };

/** A record's key in normal order, as text: its name, with a `/` after a directory's. */
function keyOf(record: RunRecord): string {
  return record.kind === 'directory' ? `${record.name}/` : record.name;
}

/**
 * The content view of an sdist indexed into runs: its records, as the plan makes them, sorted a
 * table at a time into runs of their own in content order (names in byte order), read merged.
 */
export class ContentRuns {
  private readonly runs: RunFile<RunRecord>;
  private table = new MemberTable();

  constructor(workDir: string, private readonly rowsPerRun = RUN_ROWS) {
    this.runs = new RunFile(workDir, RUN_RECORD_CODEC, compareContentRecords);
  }

  add(record: ContentRecord): void {
    const kind = record.type;
    const row = this.table.add({ name: record.name, kind, mode: record.executable ? 0o755 : 0o644, mtime: 0, size: 0, dataOffset: 0, ...(kind === 'symlink' ? { linkTarget: record.linkTarget } : {}) });
    if (kind === 'file') this.table.setSha256(row, Buffer.from(record.sha256, 'hex'));
    if (runIsFull(this.table, this.rowsPerRun)) this.writeRun();
  }

  /** The content view: every record added, in name order; releasing it removes the runs. */
  view(): ContentView {
    this.writeRun();
    const runs = this.runs;
    return {
      release: () => this.dispose(),
      *[Symbol.iterator]() {
        for (const record of runs.merged()) yield memberContentRecord(record.name, record.kind, record.mode, record.sha256, record.linkTarget);
      },
    };
  }

  async dispose(): Promise<void> {
    await this.runs.dispose();
  }

  private writeRun(): void {
    const { table } = this;
    if (table.count === 0) return;
    this.runs.writeRun(tableRecords(table, table.contentOrder(), 0));
    this.table = new MemberTable();
  }
}
