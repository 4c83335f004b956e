// The metadata view of a wheel (every zip header field, the archive comment, member order) and how
// two wheels' metadata differ, named as check names them.
import { stat } from 'node:fs/promises';
import { METHOD_DEFLATE, METHOD_STORED, openZip } from '../../formats/zip/index.js';
import type { ZipEntry, ZipExtraField } from '../../formats/zip/index.js';
import { contentName } from '../content.js';
import type { MetadataComparison } from '../handler.js';
import { pairMembers } from '../pairing.js';
import { ChangeLog, NONE, commonNameCount, fromTo, noteOrderDifference } from '../report.js';
import { WHEEL_FIELDS, dosTimeText, externalAttrText, extraIdText, flagsText, hexText, versionMadeByText } from './fields.js';
import { WHEEL_ROOTS } from './roles.js';

interface WheelMetadata {
  fileSize: number;
  comment: Buffer;
  zip64: boolean;
  entries: ZipEntry[];
}

async function readWheelMetadata(path: string): Promise<WheelMetadata> {
  const zip = await openZip(path);
  try {
    return { fileSize: (await stat(path)).size, comment: Buffer.from(zip.comment), zip64: zip.zip64, entries: zip.listEntries() };
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
  b.entries.forEach((eb, i) => {
    if (!inA.has(namesB[i]!) && eb.name.endsWith('/')) log.add(WHEEL_FIELDS.directories, `${eb.name} (only in B)`);
  });
  noteOrderDifference(log, WHEEL_FIELDS.order, namesA, namesB);
  if (sameContent && log.size === 0) log.add(WHEEL_FIELDS.layout, fromTo(`${a.fileSize}`, `${b.fileSize} bytes`));
  return { changes: log.list(), commonMembers: commonNameCount(namesA, namesB) };
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
