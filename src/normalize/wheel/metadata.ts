// The metadata view of a wheel (every zip header field, the archive comment, member order) and how
// two wheels' metadata differ, named as check names them.
import { stat } from 'node:fs/promises';
import { METHOD_DEFLATE, METHOD_STORED, openZip } from '../../formats/zip/index.js';
import type { ZipEntry, ZipExtraField, ZipReader } from '../../formats/zip/index.js';
import { contentName } from '../content.js';
import type { MetadataComparison } from '../handler.js';
import { MemberTable } from '../member-table.js';
import { PairedRows } from '../pairing.js';
import type { MemberPairing } from '../pairing.js';
import { ChangeLog, NONE, fromTo, noteOrderDifference } from '../report.js';
import { WHEEL_FIELDS, dosTimeText, externalAttrText, extraIdText, flagsText, hexText, versionMadeByText } from './fields.js';

/** One side's metadata: its archive-wide fields, and its entries as the opened archive's rows. */
interface WheelMetadata {
  fileSize: number;
  zip: ZipReader;
}

async function openWheelMetadata(path: string): Promise<WheelMetadata> {
  const zip = await openZip(path);
  try {
    return { fileSize: (await stat(path)).size, zip };
  } catch (error) {
    await zip.close();
    throw error;
  }
}

export async function compareWheelMetadata(pathA: string, pathB: string, sameContent: boolean, pairing: MemberPairing): Promise<MetadataComparison> {
  const opened = await Promise.allSettled([openWheelMetadata(pathA), openWheelMetadata(pathB)]);
  try {
    const [a, b] = opened.map((side) => {
      if (side.status === 'rejected') throw side.reason;
      return side.value;
    }) as [WheelMetadata, WheelMetadata];
    return compareOpened(a, b, sameContent, pairing);
  } finally {
    for (const side of opened) if (side.status === 'fulfilled') await side.value.zip.close();
  }
}

/**
 * Entries are read from each archive's table as they are compared, an object each that dies young:
 * two lists of 100,000 entry objects held at once were about 60 MB.
 */
function compareOpened(a: WheelMetadata, b: WheelMetadata, sameContent: boolean, pairing: MemberPairing): MetadataComparison {
  const log = new ChangeLog();
  if (!Buffer.from(a.zip.comment).equals(b.zip.comment)) log.add(WHEEL_FIELDS.archiveComment, fromTo(`${a.zip.comment.length} bytes`, `${b.zip.comment.length} bytes`));
  if (a.zip.zip64 !== b.zip.zip64) log.add(WHEEL_FIELDS.zip64, fromTo(a.zip.zip64 ? 'yes' : 'no', b.zip.zip64 ? 'yes' : 'no'));
  const paired = new PairedRows(pairing, entryNames(a.zip), entryNames(b.zip));
  for (let i = 0; i < a.zip.entryCount; i++) {
    const name = paired.a.name(i);
    const inB = paired.rowInB(i);
    if (inB < 0) {
      if (paired.a.kind(i) === 'directory') log.add(WHEEL_FIELDS.directories, `${a.zip.entryName(i)} (only in A)`);
      continue;
    }
    const ea = a.zip.entry(i);
    const eb = b.zip.entry(inB);
    if (ea.dosDate !== eb.dosDate || ea.dosTime !== eb.dosTime) log.add(WHEEL_FIELDS.time, `${name} (${dosTimeText(ea)} → ${dosTimeText(eb)})`);
    if (ea.externalAttr !== eb.externalAttr) log.add(WHEEL_FIELDS.externalAttr, `${name} (${externalAttrText(ea.externalAttr)} → ${externalAttrText(eb.externalAttr)})`);
    const extrasA = extraIds(ea);
    const extrasB = extraIds(eb);
    if (extrasA !== extrasB) log.add(WHEEL_FIELDS.extraFields, `${name} (${extrasA || NONE} → ${extrasB || NONE})`);
    else if (extraBytes(ea) !== extraBytes(eb)) log.add(WHEEL_FIELDS.extraFields, `${name} (${extrasA}: data differs)`);
    if (ea.flags !== eb.flags) log.add(WHEEL_FIELDS.flags, `${name} (${flagsText(ea.flags)} → ${flagsText(eb.flags)})`);
    if (ea.versionMadeBy !== eb.versionMadeBy) log.add(WHEEL_FIELDS.versionMadeBy, `${name} (${versionMadeByText(ea.versionMadeBy)} → ${versionMadeByText(eb.versionMadeBy)})`);
    if (ea.versionNeeded !== eb.versionNeeded) log.add(WHEEL_FIELDS.versionNeeded, `${name} (${ea.versionNeeded} → ${eb.versionNeeded})`);
    if (ea.method !== eb.method || ea.compressedSize !== eb.compressedSize) {
      log.add(WHEEL_FIELDS.compressedData, `${name} (${method(ea.method)} ${ea.compressedSize} → ${method(eb.method)} ${eb.compressedSize} bytes)`);
    }
    if (ea.internalAttr !== eb.internalAttr) log.add(WHEEL_FIELDS.internalAttr, `${name} (${hexText(ea.internalAttr)} → ${hexText(eb.internalAttr)})`);
    if (!Buffer.from(ea.commentBytes).equals(Buffer.from(eb.commentBytes))) log.add(WHEEL_FIELDS.comments, name);
  }
  for (let i = 0; i < b.zip.entryCount; i++) {
    if (paired.b.kind(i) === 'directory' && paired.rowInA(i) < 0) log.add(WHEEL_FIELDS.directories, `${b.zip.entryName(i)} (only in B)`);
  }
  noteOrderDifference(log, WHEEL_FIELDS.order, paired);
  if (sameContent && log.size === 0) log.add(WHEEL_FIELDS.layout, fromTo(`${a.fileSize}`, `${b.fileSize} bytes`));
  return { changes: log.list(), commonMembers: paired.commonCount() };
}

/**
 * The entries' content-view names, a row each in entry order (a directory entry is a directory row),
 * to find an entry by name without a map of every name.
 */
function entryNames(zip: ZipReader): MemberTable {
  const table = new MemberTable(zip.entryCount);
  for (let i = 0; i < zip.entryCount; i++) {
    const stored = zip.entryName(i);
    table.add({ name: contentName(stored), kind: stored.endsWith('/') ? 'directory' : 'file', mode: 0, mtime: 0, size: 0, dataOffset: 0 });
  }
  return table;
}

function extraIds(entry: ZipEntry): string {
  const ids = (fields: readonly ZipExtraField[]) => fields.map((f) => extraIdText(f.id)).join(' ');
  const local = ids(entry.localExtraFields);
  const central = ids(entry.extraFields);
  return local === central ? central : `local ${local || NONE}, central ${central || NONE}`;
}

function extraBytes(entry: ZipEntry): string {
  const bytes = (fields: readonly ZipExtraField[]) => fields.map((f) => Buffer.from(f.data).toString('hex')).join(',');
  return `${bytes(entry.localExtraFields)}|${bytes(entry.extraFields)}`;
}

function method(value: number): string {
  return value === METHOD_DEFLATE ? 'deflate' : value === METHOD_STORED ? 'stored' : `method ${value}`;
}
