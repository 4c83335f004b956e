// The metadata view of an sdist (what the content view leaves out: the gzip header, every tar
// header, member order) and how two sdists' metadata differ, named as check names them.
import { stat } from 'node:fs/promises';
import { gzipFlagNames } from '../../formats/gzip.js';
import type { GzipHeader } from '../../formats/gzip.js';
import type { TarEntryHeader, TarReadType } from '../../formats/tar/index.js';
import { contentName } from '../content.js';
import { withRoom } from '../grow.js';
import type { MetadataComparison } from '../handler.js';
import { MemberTable } from '../member-table.js';
import type { MemberKind } from '../member-table.js';
import { PairedRows } from '../pairing.js';
import { SDIST_ROOTS } from './roles.js';
import { ChangeLog, NONE, fromTo, isoSeconds, noteOrderDifference } from '../report.js';
import { SDIST_FIELDS } from './fields.js';
import { tarRuleDifferences } from './rules.js';
import type { TarRuleHeader } from './rules.js';
import { walkSdist } from './read.js';
import type { SdistWalk } from './read.js';

/** One tar member's header, with the name as the content view has it (no trailing slash). */
interface TarMemberHeader extends TarRuleHeader {
  name: string;
  linkname: string;
}

/**
 * Every member's header in archive order, a row each, without an object per member: names (and
 * link names) in a member table, to find a member by name, the other fields in columns, and the
 * strings that repeat (types, owner names) once each. Two 100,000-member sdists held as objects
 * and maps were about 50 MB.
 */
class TarHeaderRows {
  readonly table = new MemberTable();
  private uid = new Float64Array(1024);
  private gid = new Float64Array(1024);
  /** Indices into `strings`. */
  private type = new Uint32Array(1024);
  private uname = new Uint32Array(1024);
  private gname = new Uint32Array(1024);
  private readonly strings: string[] = [];
  private readonly stringIndex = new Map<string, number>();
  /** The pax records of the rows that have them. */
  private readonly pax = new Map<number, Record<string, string>>();

  add(entry: TarEntryHeader): void {
    const kind: MemberKind = entry.type === 'directory' || entry.type === 'symlink' || entry.type === 'link' ? entry.type : 'file';
    const row = this.table.add({ name: contentName(entry.name), kind, mode: entry.mode, mtime: entry.mtime, size: 0, dataOffset: 0, linkTarget: entry.linkname ?? '' });
    (this.uid = withRoom(this.uid, row + 1))[row] = entry.uid;
    (this.gid = withRoom(this.gid, row + 1))[row] = entry.gid;
    (this.type = withRoom(this.type, row + 1))[row] = this.stringNumber(entry.type);
    (this.uname = withRoom(this.uname, row + 1))[row] = this.stringNumber(entry.uname);
    (this.gname = withRoom(this.gname, row + 1))[row] = this.stringNumber(entry.gname);
    if (entry.pax) this.pax.set(row, entry.pax);
  }

  /** The header of `row`, made as it is asked for. */
  header(row: number): TarMemberHeader {
    const { table } = this;
    return {
      name: table.name(row), type: this.strings[this.type[row]!] as TarReadType, mode: table.mode(row), uid: this.uid[row]!, gid: this.gid[row]!,
      uname: this.strings[this.uname[row]!]!, gname: this.strings[this.gname[row]!]!, mtime: table.mtime(row), pax: this.pax.get(row) ?? null, linkname: table.linkTarget(row),
    };
  }

  private stringNumber(value: string): number {
    let index = this.stringIndex.get(value);
    if (index === undefined) {
      index = this.strings.push(value) - 1;
      this.stringIndex.set(value, index);
    }
    return index;
  }
}

interface SdistMetadata extends SdistWalk {
  fileSize: number;
  members: TarHeaderRows;
}

async function readSdistMetadata(path: string): Promise<SdistMetadata> {
  const members = new TarHeaderRows();
  const walk = await walkSdist(path, async (entry) => members.add(entry));
  return { ...walk, fileSize: (await stat(path)).size, members };
}

export async function compareSdistMetadata(pathA: string, pathB: string, sameContent: boolean): Promise<MetadataComparison> {
  const [a, b] = await Promise.all([readSdistMetadata(pathA), readSdistMetadata(pathB)]);
  const log = new ChangeLog();
  gzipDifferences(log, a.gzipHeader, b.gzipHeader);
  // Releases of two versions pair with their top directories' names set aside.
  const paired = new PairedRows(SDIST_ROOTS, a.members.table, b.members.table);
  for (let row = 0; row < paired.a.count; row++) {
    const ma = a.members.header(row);
    const rowB = paired.rowInB(row);
    if (rowB < 0) {
      if (ma.type === 'directory') log.add(SDIST_FIELDS.tarDirectories, `${ma.name}/ (only in A)`);
      continue;
    }
    const mb = b.members.header(rowB);
    const name = ma.name;
    if (ma.type !== mb.type) log.add(SDIST_FIELDS.tarType, `${name} (${ma.type} → ${mb.type})`);
    else if (ma.type === 'link' && ma.linkname !== mb.linkname) log.add(SDIST_FIELDS.tarHardLinks, `${name} (${ma.linkname} → ${mb.linkname})`);
    for (const [field, example] of tarRuleDifferences(name, ma, mb)) log.add(field, example);
  }
  for (let row = 0; row < paired.b.count; row++) {
    if (paired.b.kind(row) === 'directory' && paired.rowInA(row) < 0) log.add(SDIST_FIELDS.tarDirectories, `${paired.b.name(row)}/ (only in B)`);
  }
  noteOrderDifference(log, SDIST_FIELDS.tarOrder, paired);
  const tarFieldsDiffer = log.list().some((c) => c.field.startsWith('tar '));
  if (sameContent && a.tarSha256 !== b.tarSha256 && !tarFieldsDiffer) {
    log.add(SDIST_FIELDS.tarEncoding, `uncompressed ${a.tarSize} → ${b.tarSize} bytes`);
  }
  const gzipFieldsDiffer = log.list().some((c) => c.field.startsWith('gzip '));
  if (a.tarSha256 === b.tarSha256 && !gzipFieldsDiffer) {
    log.add(SDIST_FIELDS.gzipData, `same tar, other deflate: ${a.fileSize} → ${b.fileSize} bytes`);
  }
  return { changes: log.list(), commonMembers: paired.commonCount() };
}

function gzipDifferences(log: ChangeLog, a: GzipHeader, b: GzipHeader): void {
  const flags = (h: GzipHeader) => gzipFlagNames(h.flags).join(' ') || NONE;
  const extra = (h: GzipHeader) => (h.extraLength === undefined ? NONE : `${h.extraLength} bytes`);
  if (a.flags !== b.flags) log.add(SDIST_FIELDS.gzipFlags, fromTo(flags(a), flags(b)));
  if (a.fileName !== b.fileName) log.add(SDIST_FIELDS.gzipName, fromTo(a.fileName ?? NONE, b.fileName ?? NONE));
  if (a.mtime !== b.mtime) log.add(SDIST_FIELDS.gzipMtime, fromTo(gzipTime(a.mtime), gzipTime(b.mtime)));
  if (a.os !== b.os) log.add(SDIST_FIELDS.gzipOs, fromTo(gzipOs(a.os), gzipOs(b.os)));
  if (a.xfl !== b.xfl) log.add(SDIST_FIELDS.gzipXfl, fromTo(String(a.xfl), String(b.xfl)));
  if (a.comment !== b.comment) log.add(SDIST_FIELDS.gzipComment, fromTo(a.comment ?? NONE, b.comment ?? NONE));
  if (a.extraLength !== b.extraLength) log.add(SDIST_FIELDS.gzipExtra, fromTo(extra(a), extra(b)));
}

function gzipTime(mtime: number): string {
  return mtime === 0 ? '0' : `${mtime} (${isoSeconds(mtime)})`;
}

function gzipOs(os: number): string {
  const names: Record<number, string> = { 0: 'FAT', 3: 'Unix', 7: 'Macintosh', 11: 'NTFS', 255: 'unknown' };
  return names[os] ? `${os} (${names[os]})` : String(os);
}
