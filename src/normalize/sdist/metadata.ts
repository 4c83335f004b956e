// The metadata view of an sdist (what the content view leaves out: the gzip header, every tar
// header, member order) and how two sdists' metadata differ, named as check names them.
import { stat } from 'node:fs/promises';
import { gzipFlagNames } from '../../formats/gzip.js';
import type { GzipHeader } from '../../formats/gzip.js';
import { contentName } from '../content.js';
import type { MetadataComparison } from '../handler.js';
import { pairMembers } from '../pairing.js';
import { SDIST_ROOTS } from './roles.js';
import { ChangeLog, NONE, commonNameCount, fromTo, isoSeconds, noteOrderDifference } from '../report.js';
import { SDIST_FIELDS } from './fields.js';
import { walkSdist } from './read.js';
import type { SdistWalk } from './read.js';

/** One tar member's header, with the name as the content view has it (no trailing slash). */
interface TarMemberHeader {
  name: string;
  type: string;
  mode: number;
  owner: string;
  mtime: number;
  linkname: string;
  /** pax records other than path, linkpath, size and mtime (compared as the name, link target, size, mtime). */
  pax: Record<string, string>;
}

interface SdistMetadata extends SdistWalk {
  fileSize: number;
  members: TarMemberHeader[];
}

/** pax records that restate the name, link target, size or mtime, which are compared on their own. */
const CONTENT_PAX_KEYS = new Set(['path', 'linkpath', 'size', 'mtime']);

async function readSdistMetadata(path: string): Promise<SdistMetadata> {
  const members: TarMemberHeader[] = [];
  const walk = await walkSdist(path, async (entry) => {
    const pax = Object.fromEntries(Object.entries(entry.pax ?? {}).filter(([key]) => !CONTENT_PAX_KEYS.has(key)));
    const part = (name: string, id: number) => (name ? `${name}(${id})` : String(id));
    members.push({
      name: contentName(entry.name), type: entry.type ?? 'unknown', mode: entry.mode & 0o7777, owner: `${part(entry.uname, entry.uid)}:${part(entry.gname, entry.gid)}`,
      mtime: entry.mtime, linkname: entry.linkname ?? '', pax,
    });
  });
  return { ...walk, fileSize: (await stat(path)).size, members };
}

export async function compareSdistMetadata(pathA: string, pathB: string, sameContent: boolean): Promise<MetadataComparison> {
  const [a, b] = await Promise.all([readSdistMetadata(pathA), readSdistMetadata(pathB)]);
  const log = new ChangeLog();
  gzipDifferences(log, a.gzipHeader, b.gzipHeader);
  const namesA = a.members.map((m) => m.name);
  // B's members under A's names: releases of two versions pair with their top directories stripped.
  const { toA } = pairMembers(SDIST_ROOTS, namesA, b.members.map((m) => m.name));
  const namesB = b.members.map((m) => toA(m.name));
  const byNameB = new Map(b.members.map((m, i) => [namesB[i]!, m]));
  const byNameA = new Map(a.members.map((m) => [m.name, m]));
  for (const ma of a.members) {
    const mb = byNameB.get(ma.name);
    if (!mb) {
      if (ma.type === 'directory') log.add(SDIST_FIELDS.tarDirectories, `${ma.name}/ (only in A)`);
      continue;
    }
    const name = ma.name;
    if (ma.type !== mb.type) log.add(SDIST_FIELDS.tarType, `${name} (${ma.type} → ${mb.type})`);
    else if (ma.type === 'link' && ma.linkname !== mb.linkname) log.add(SDIST_FIELDS.tarHardLinks, `${name} (${ma.linkname} → ${mb.linkname})`);
    if (ma.mtime !== mb.mtime) log.add(SDIST_FIELDS.tarMtime, `${name} (${ma.mtime} → ${mb.mtime})`);
    if (ma.owner !== mb.owner) log.add(SDIST_FIELDS.tarOwner, `${name} (${ma.owner} → ${mb.owner})`);
    if (ma.mode !== mb.mode) log.add(SDIST_FIELDS.tarMode, `${name} (${ma.mode.toString(8)} → ${mb.mode.toString(8)})`);
    const paxChange = paxDifference(ma.pax, mb.pax);
    if (paxChange) log.add(SDIST_FIELDS.tarPax, `${name} (${paxChange})`);
  }
  b.members.forEach((mb, i) => {
    if (!byNameA.has(namesB[i]!) && mb.type === 'directory') log.add(SDIST_FIELDS.tarDirectories, `${mb.name}/ (only in B)`);
  });
  noteOrderDifference(log, SDIST_FIELDS.tarOrder, namesA, namesB);
  const tarFieldsDiffer = log.list().some((c) => c.field.startsWith('tar '));
  if (sameContent && a.tarSha256 !== b.tarSha256 && !tarFieldsDiffer) {
    log.add(SDIST_FIELDS.tarEncoding, `uncompressed ${a.tarSize} → ${b.tarSize} bytes`);
  }
  const gzipFieldsDiffer = log.list().some((c) => c.field.startsWith('gzip '));
  if (a.tarSha256 === b.tarSha256 && !gzipFieldsDiffer) {
    log.add(SDIST_FIELDS.gzipData, `same tar, other deflate: ${a.fileSize} → ${b.fileSize} bytes`);
  }
  return { changes: log.list(), commonMembers: commonNameCount(namesA, namesB) };
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

/** The first pax keys whose values differ, as `key: a → b`; '' when none do. */
function paxDifference(a: Record<string, string>, b: Record<string, string>): string {
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort().filter((key) => a[key] !== b[key]);
  const shown = keys.slice(0, 2).map((key) => `${key}: ${a[key] ?? NONE} → ${b[key] ?? NONE}`);
  return `${shown.join('; ')}${keys.length > 2 ? `; +${keys.length - 2} more` : ''}`;
}
