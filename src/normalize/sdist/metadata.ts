// The metadata view of an sdist (what the content view leaves out: the gzip header, every tar
// header, member order) and how two sdists' metadata differ, named as check names them.
import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { cutText } from '../../formats/errors.js';
import { gzipFlagNames } from '../../formats/gzip.js';
import type { GzipHeader } from '../../formats/gzip.js';
import type { TarReadType } from '../../formats/tar/index.js';
import { contentName } from '../content.js';
import type { MetadataComparison } from '../handler.js';
import { PairedRuns, decodeHeader, encodeHeader } from '../paired-runs.js';
import type { PairingLimits } from '../paired-runs.js';
import type { MemberPairing } from '../pairing.js';
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

/** What the pairing carries of a header: the pax records as JSON ('' for none); an mtime no date fits stays NaN, as the rules show it. */
const TAR_HEADER_LAYOUT = { numbers: ['mode', 'uid', 'gid', 'mtime'], strings: ['name', 'linkname', 'type', 'uname', 'gname', 'pax'] } as const;

/**
 * Owner names and pax records as the pairing carries them. A header may hold a MiB of either, and
 * each record is written and read again a few times on its way through the runs: two 0.3 MB sdists
 * of 300 members with a pax comment of a MiB each took 374 MiB and 29 s to compare. The rules only
 * compare these values and show their start, so one longer than PAIRED_VALUE_LENGTH is carried as its
 * start, its length and its sha256 (equal values stay equal, others differ), and of the pax records
 * the first PAIRED_PAX_RECORDS in key order, the rest as one record of their count and digest.
 */
const PAIRED_VALUE_LENGTH = 256;
const PAIRED_PAX_RECORDS = 64;
/** The record that stands for the pax records past PAIRED_PAX_RECORDS. */
const MORE_PAX_RECORDS = '(more records)';

function pairedValue(value: string): string {
  // Hashed only when cut: every member's owner names and records come through here.
  if (value.length <= PAIRED_VALUE_LENGTH) return value;
  return cutText(value, PAIRED_VALUE_LENGTH, `, sha256 ${createHash('sha256').update(value, 'utf8').digest('hex')}`);
}

function pairedPax(pax: Record<string, string>): Record<string, string> {
  const keys = Object.keys(pax).sort();
  const kept: Record<string, string> = Object.fromEntries(keys.slice(0, PAIRED_PAX_RECORDS).map((key) => [pairedValue(key), pairedValue(pax[key]!)]));
  const rest = keys.slice(PAIRED_PAX_RECORDS);
  if (rest.length > 0) kept[MORE_PAX_RECORDS] = pairedValue(`${rest.length}: ${JSON.stringify(rest.map((key) => [key, pax[key]]))}`);
  return kept;
}

function encodeTarHeader(header: TarMemberHeader): Buffer {
  const { uname, gname, pax } = header;
  return encodeHeader(TAR_HEADER_LAYOUT, { ...header, uname: pairedValue(uname), gname: pairedValue(gname), pax: pax ? JSON.stringify(pairedPax(pax)) : '' });
}

function decodeTarHeader(bytes: Buffer): TarMemberHeader {
  const values = decodeHeader(TAR_HEADER_LAYOUT, bytes);
  return { ...values, type: values.type as TarReadType, pax: values.pax ? (JSON.parse(values.pax) as Record<string, string>) : null };
}

/** What a side's walk gives besides its members. */
type SdistSide = SdistWalk & { fileSize: number };

/** Each side's members go to the pairing as they are read. */
async function readSdistMetadata(path: string, add: (name: string, header: Buffer) => void): Promise<SdistSide> {
  const walk = await walkSdist(path, async (entry) => {
    const name = contentName(entry.name);
    add(name, encodeTarHeader({ ...entry, name, linkname: entry.linkname ?? '' }));
  });
  return { ...walk, fileSize: (await stat(path)).size };
}

/**
 * How two sdists' headers differ, B's members paired with A's by `pairing`. The members are paired
 * in sorted runs (../paired-runs.ts), so that neither side is held; `limits` sets their batches.
 */
export async function compareSdistMetadata(pathA: string, pathB: string, sameContent: boolean, pairing: MemberPairing, limits?: PairingLimits): Promise<MetadataComparison> {
  const members = new PairedRuns(tmpdir(), pairing, limits);
  try {
    // Both walks end before the runs are removed, a failed one or not: a walk still running would write runs again.
    const sides = await Promise.allSettled([
      readSdistMetadata(pathA, (name, header) => members.addA(name, header)),
      readSdistMetadata(pathB, (name, header) => members.addB(name, header)),
    ]);
    const [a, b] = sides.map((side) => {
      if (side.status === 'rejected') throw side.reason;
      return side.value;
    }) as [SdistSide, SdistSide];
    await members.pair();
    const log = new ChangeLog();
    gzipDifferences(log, a.gzipHeader, b.gzipHeader);
    members.walk(decodeTarHeader, {
      both(name, ma, mb) {
        if (ma.type !== mb.type) log.add(SDIST_FIELDS.tarType, `${name} (${ma.type} → ${mb.type})`);
        else if (ma.type === 'link' && ma.linkname !== mb.linkname) log.add(SDIST_FIELDS.tarHardLinks, `${name} (${ma.linkname} → ${mb.linkname})`);
        for (const [field, example] of tarRuleDifferences(name, ma, mb)) log.add(field, example);
      },
      onlyInA: (ma) => {
        if (ma.type === 'directory') log.add(SDIST_FIELDS.tarDirectories, `${ma.name}/ (only in A)`);
      },
      onlyInB: (mb) => {
        if (mb.type === 'directory') log.add(SDIST_FIELDS.tarDirectories, `${mb.name}/ (only in B)`);
      },
    });
    noteOrderDifference(log, SDIST_FIELDS.tarOrder, members);
    const tarFieldsDiffer = log.list().some((c) => c.field.startsWith('tar '));
    if (sameContent && a.tarSha256 !== b.tarSha256 && !tarFieldsDiffer) {
      log.add(SDIST_FIELDS.tarEncoding, `uncompressed ${a.tarSize} → ${b.tarSize} bytes`);
    }
    const gzipFieldsDiffer = log.list().some((c) => c.field.startsWith('gzip '));
    if (a.tarSha256 === b.tarSha256 && !gzipFieldsDiffer) {
      log.add(SDIST_FIELDS.gzipData, `same tar, other deflate: ${a.fileSize} → ${b.fileSize} bytes`);
    }
    return { changes: log.list(), commonMembers: members.commonCount() };
  } finally {
    await members.dispose();
  }
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
