// The metadata view of a wheel (every zip header field, the archive comment, member order) and how
// two wheels' metadata differ, named as check names them.
import { stat } from 'node:fs/promises';
import { FLAG_DATA_DESCRIPTOR, METHOD_DEFLATE, METHOD_STORED, fromDosDateTime, hostOf, openZip } from '../../formats/zip/index.js';
import type { ZipEntry, ZipExtraField } from '../../formats/zip/index.js';
import { contentName } from '../content.js';
import type { MetadataComparison } from '../handler.js';
import { pairMembers } from '../pairing.js';
import { WHEEL_ROOTS } from './roles.js';
import { ChangeLog, NONE, commonNameCount, fromTo, isoSeconds, noteOrderDifference } from '../report.js';
import { WHEEL_FIELDS } from './fields.js';

interface WheelMetadata {
  fileSize: number;
  comment: Buffer;
  zip64: boolean;
  entries: ZipEntry[];
}

async function readWheelMetadata(path: string): Promise<WheelMetadata> {
  const zip = await openZip(path);
  try {
    return { fileSize: (await stat(path)).size, comment: Buffer.from(zip.comment), zip64: zip.zip64, entries: [...zip.entries] };
  } finally {
    await zip.close();
  }
}

export async function compareWheelMetadata(pathA: string, pathB: string, sameContent: boolean): Promise<MetadataComparison> {
  const [a, b] = await Promise.all([readWheelMetadata(pathA), readWheelMetadata(pathB)]);
  const log = new ChangeLog();
  if (!a.comment.equals(b.comment)) log.add(WHEEL_FIELDS.archiveComment, fromTo(`${a.comment.length} bytes`, `${b.comment.length} bytes`));
  if (a.zip64 !== b.zip64) log.add(WHEEL_FIELDS.zip64, fromTo(a.zip64 ? 'yes' : 'no', b.zip64 ? 'yes' : 'no'));
  const namesA = a.entries.map((e) => contentName(e.name));
  // B's entries under A's names: `.dist-info/` and `.data/` of two versions pair by role.
  const { toA } = pairMembers(WHEEL_ROOTS, namesA, b.entries.map((e) => contentName(e.name)));
  const namesB = b.entries.map((e) => toA(contentName(e.name)));
  const byNameB = new Map(b.entries.map((e, i) => [namesB[i]!, e]));
  const inA = new Set(namesA);
  for (const ea of a.entries) {
    const name = contentName(ea.name);
    const eb = byNameB.get(name);
    if (!eb) {
      if (ea.name.endsWith('/')) log.add(WHEEL_FIELDS.directories, `${ea.name} (only in A)`);
      continue;
    }
    if (ea.dosDate !== eb.dosDate || ea.dosTime !== eb.dosTime) log.add(WHEEL_FIELDS.time, `${name} (${dosTime(ea)} → ${dosTime(eb)})`);
    if (ea.externalAttr !== eb.externalAttr) log.add(WHEEL_FIELDS.externalAttr, `${name} (${attributes(ea.externalAttr)} → ${attributes(eb.externalAttr)})`);
    const extrasA = extraIds(ea);
    const extrasB = extraIds(eb);
    if (extrasA !== extrasB) log.add(WHEEL_FIELDS.extraFields, `${name} (${extrasA || NONE} → ${extrasB || NONE})`);
    else if (extraBytes(ea) !== extraBytes(eb)) log.add(WHEEL_FIELDS.extraFields, `${name} (${extrasA}: data differs)`);
    if (ea.flags !== eb.flags) log.add(WHEEL_FIELDS.flags, `${name} (${flagText(ea.flags)} → ${flagText(eb.flags)})`);
    if (ea.versionMadeBy !== eb.versionMadeBy) log.add(WHEEL_FIELDS.versionMadeBy, `${name} (${madeBy(ea.versionMadeBy)} → ${madeBy(eb.versionMadeBy)})`);
    if (ea.versionNeeded !== eb.versionNeeded) log.add(WHEEL_FIELDS.versionNeeded, `${name} (${ea.versionNeeded} → ${eb.versionNeeded})`);
    if (ea.method !== eb.method || ea.compressedSize !== eb.compressedSize) {
      log.add(WHEEL_FIELDS.compressedData, `${name} (${method(ea.method)} ${ea.compressedSize} → ${method(eb.method)} ${eb.compressedSize} bytes)`);
    }
    if (ea.internalAttr !== eb.internalAttr) log.add(WHEEL_FIELDS.internalAttr, `${name} (${hex(ea.internalAttr)} → ${hex(eb.internalAttr)})`);
    if (!Buffer.from(ea.commentBytes).equals(Buffer.from(eb.commentBytes))) log.add(WHEEL_FIELDS.comments, name);
  }
  b.entries.forEach((eb, i) => {
    if (!inA.has(namesB[i]!) && eb.name.endsWith('/')) log.add(WHEEL_FIELDS.directories, `${eb.name} (only in B)`);
  });
  noteOrderDifference(log, WHEEL_FIELDS.order, namesA, namesB);
  if (sameContent && log.size === 0) log.add(WHEEL_FIELDS.layout, fromTo(`${a.fileSize}`, `${b.fileSize} bytes`));
  return { changes: log.list(), commonMembers: commonNameCount(namesA, namesB) };
}

function dosTime(entry: ZipEntry): string {
  try {
    return isoSeconds(fromDosDateTime(entry)).replace('T', ' ').replace('Z', '');
  } catch {
    return `invalid ${hex(entry.dosDate)}/${hex(entry.dosTime)}`;
  }
}

function hex(value: number): string {
  return `0x${value.toString(16)}`;
}

/** External attributes as a Unix mode (octal) and, when set, the MS-DOS attribute byte. */
function attributes(value: number): string {
  const unixMode = value >>> 16;
  const dos = value & 0xff;
  if (unixMode === 0) return `MS-DOS ${hex(dos)}`;
  return `${unixMode.toString(8)}${dos ? ` + MS-DOS ${hex(dos)}` : ''}`;
}

function extraIds(entry: ZipEntry): string {
  const ids = (fields: readonly ZipExtraField[]) => fields.map((f) => `0x${f.id.toString(16).padStart(4, '0')}`).join(' ');
  const local = ids(entry.localExtraFields);
  const central = ids(entry.extraFields);
  return local === central ? central : `local ${local || NONE}, central ${central || NONE}`;
}

function extraBytes(entry: ZipEntry): string {
  const bytes = (fields: readonly ZipExtraField[]) => fields.map((f) => Buffer.from(f.data).toString('hex')).join(',');
  return `${bytes(entry.localExtraFields)}|${bytes(entry.extraFields)}`;
}

function flagText(flags: number): string {
  return `${hex(flags)}${flags & FLAG_DATA_DESCRIPTOR ? ' data descriptor' : ''}`;
}

function madeBy(version: number): string {
  const hosts: Record<number, string> = { 0: 'MS-DOS', 3: 'Unix', 10: 'NTFS', 19: 'OS X' };
  const host = hostOf(version);
  return `${hosts[host] ?? `host ${host}`} ${((version & 0xff) / 10).toFixed(1)}`;
}

function method(value: number): string {
  return value === METHOD_DEFLATE ? 'deflate' : value === METHOD_STORED ? 'stored' : `method ${value}`;
}
