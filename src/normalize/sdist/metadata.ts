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
import { tarRuleDifferences } from './rules.js';
import type { TarRuleHeader } from './rules.js';
import { walkSdist } from './read.js';
import type { SdistWalk } from './read.js';

/** One tar member's header, with the name as the content view has it (no trailing slash). */
interface TarMemberHeader extends TarRuleHeader {
  name: string;
  linkname: string;
}

interface SdistMetadata extends SdistWalk {
  fileSize: number;
  members: TarMemberHeader[];
}

async function readSdistMetadata(path: string): Promise<SdistMetadata> {
  const members: TarMemberHeader[] = [];
  const walk = await walkSdist(path, async (entry) => {
    const { type, mode, uid, gid, uname, gname, mtime, pax } = entry;
    members.push({ name: contentName(entry.name), type, mode, uid, gid, uname, gname, mtime, pax, linkname: entry.linkname ?? '' });
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
    for (const [field, example] of tarRuleDifferences(name, ma, mb)) log.add(field, example);
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
