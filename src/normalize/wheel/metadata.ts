// The metadata view of a wheel (every zip header field, the archive comment, member order) and how
// two wheels' metadata differ, named as check names them.
import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { METHOD_DEFLATE, METHOD_STORED } from '../../formats/zip/index.js';
import type { ZipEntry, ZipExtraField, ZipReader } from '../../formats/zip/index.js';
import { contentName } from '../content.js';
import type { MetadataComparison } from '../handler.js';
import { PairedRuns, decodeHeader, encodeHeader } from '../paired-runs.js';
import type { HeaderValues, PairingLimits } from '../paired-runs.js';
import type { MemberPairing } from '../pairing.js';
import { ChangeLog, NONE, fromTo, noteOrderDifference } from '../report.js';
import { WHEEL_FIELDS, dosTimeText, externalAttrText, extraIdText, flagsText, hexText, versionMadeByText } from './fields.js';
import { openWheel } from './read.js';

/** What the pairing carries of an entry: its name as stored, and its extra fields and comment as the comparison shows them. */
const ENTRY_LAYOUT = {
  numbers: ['versionMadeBy', 'versionNeeded', 'flags', 'method', 'dosTime', 'dosDate', 'internalAttr', 'externalAttr', 'compressedSize'],
  strings: ['name', 'extraIds', 'extraBytes', 'comment'],
} as const;

type EntryHeader = HeaderValues<(typeof ENTRY_LAYOUT.numbers)[number], (typeof ENTRY_LAYOUT.strings)[number]>;

/** One side's archive-wide fields; its entries went to the pairing. */
interface WheelMetadata {
  fileSize: number;
  comment: Buffer;
  zip64: boolean;
}

/**
 * Opens a side, gives each entry to the pairing, and closes it: the two sides' directories are not
 * held at once, and neither is held once it is read.
 */
async function readWheelMetadata(path: string, add: (name: string, header: Buffer) => void): Promise<WheelMetadata> {
  const zip = await openWheel(path);
  try {
    for (let i = 0; i < zip.entryCount; i++) {
      const e = zip.entry(i);
      const header: EntryHeader = {
        versionMadeBy: e.versionMadeBy, versionNeeded: e.versionNeeded, flags: e.flags, method: e.method, dosTime: e.dosTime, dosDate: e.dosDate,
        internalAttr: e.internalAttr, externalAttr: e.externalAttr, compressedSize: e.compressedSize, name: e.name,
        extraIds: extraIds(e), extraBytes: await extraBytes(zip, e), comment: equalityKey(e.commentBytes),
      };
      add(contentName(e.name), encodeHeader(ENTRY_LAYOUT, header));
    }
    return { fileSize: (await stat(path)).size, comment: Buffer.from(zip.comment), zip64: zip.zip64 };
  } finally {
    await zip.close();
  }
}

/** How two wheels' headers differ, B's members paired with A's by `pairing` in sorted runs (../paired-runs.ts). */
export async function compareWheelMetadata(pathA: string, pathB: string, sameContent: boolean, pairing: MemberPairing, limits?: PairingLimits): Promise<MetadataComparison> {
  const members = new PairedRuns(tmpdir(), pairing, limits);
  try {
    const a = await readWheelMetadata(pathA, (name, header) => members.addA(name, header));
    const b = await readWheelMetadata(pathB, (name, header) => members.addB(name, header));
    await members.pair();
    const log = new ChangeLog();
    if (!a.comment.equals(b.comment)) log.add(WHEEL_FIELDS.archiveComment, fromTo(`${a.comment.length} bytes`, `${b.comment.length} bytes`));
    if (a.zip64 !== b.zip64) log.add(WHEEL_FIELDS.zip64, fromTo(a.zip64 ? 'yes' : 'no', b.zip64 ? 'yes' : 'no'));
    members.walk((bytes) => decodeHeader(ENTRY_LAYOUT, bytes), {
      both: (name, ea, eb) => entryDifferences(log, name, ea, eb),
      onlyInA: (ea) => {
        if (ea.name.endsWith('/')) log.add(WHEEL_FIELDS.directories, `${ea.name} (only in A)`);
      },
      onlyInB: (eb) => {
        if (eb.name.endsWith('/')) log.add(WHEEL_FIELDS.directories, `${eb.name} (only in B)`);
      },
    });
    noteOrderDifference(log, WHEEL_FIELDS.order, members);
    if (sameContent && log.size === 0) log.add(WHEEL_FIELDS.layout, fromTo(`${a.fileSize}`, `${b.fileSize} bytes`));
    return { changes: log.list(), commonMembers: members.commonCount() };
  } finally {
    await members.dispose();
  }
}

/** The fields in which an entry both wheels have differs, noted under its content-view name. */
function entryDifferences(log: ChangeLog, name: string, ea: EntryHeader, eb: EntryHeader): void {
  if (ea.dosDate !== eb.dosDate || ea.dosTime !== eb.dosTime) log.add(WHEEL_FIELDS.time, `${name} (${dosTimeText(ea)} → ${dosTimeText(eb)})`);
  if (ea.externalAttr !== eb.externalAttr) log.add(WHEEL_FIELDS.externalAttr, `${name} (${externalAttrText(ea.externalAttr)} → ${externalAttrText(eb.externalAttr)})`);
  if (ea.extraIds !== eb.extraIds) log.add(WHEEL_FIELDS.extraFields, `${name} (${ea.extraIds || NONE} → ${eb.extraIds || NONE})`);
  else if (ea.extraBytes !== eb.extraBytes) log.add(WHEEL_FIELDS.extraFields, `${name} (${ea.extraIds}: data differs)`);
  if (ea.flags !== eb.flags) log.add(WHEEL_FIELDS.flags, `${name} (${flagsText(ea.flags)} → ${flagsText(eb.flags)})`);
  if (ea.versionMadeBy !== eb.versionMadeBy) log.add(WHEEL_FIELDS.versionMadeBy, `${name} (${versionMadeByText(ea.versionMadeBy)} → ${versionMadeByText(eb.versionMadeBy)})`);
  if (ea.versionNeeded !== eb.versionNeeded) log.add(WHEEL_FIELDS.versionNeeded, `${name} (${ea.versionNeeded} → ${eb.versionNeeded})`);
  if (ea.method !== eb.method || ea.compressedSize !== eb.compressedSize) {
    log.add(WHEEL_FIELDS.compressedData, `${name} (${method(ea.method)} ${ea.compressedSize} → ${method(eb.method)} ${eb.compressedSize} bytes)`);
  }
  if (ea.internalAttr !== eb.internalAttr) log.add(WHEEL_FIELDS.internalAttr, `${name} (${hexText(ea.internalAttr)} → ${hexText(eb.internalAttr)})`);
  if (ea.comment !== eb.comment) log.add(WHEEL_FIELDS.comments, name);
}

function extraIds(entry: ZipEntry): string {
  const ids = (list: readonly number[]) => list.map(extraIdText).join(' ');
  const local = ids(entry.localExtraFieldIds);
  const central = ids(entry.extraFieldIds);
  return local === central ? central : `local ${local || NONE}, central ${central || NONE}`;
}

/** The records' data, read again from the file (the reader keeps their IDs), as a key for equality. */
async function extraBytes(zip: ZipReader, entry: ZipEntry): Promise<string> {
  if (entry.extraFieldIds.length === 0 && entry.localExtraFieldIds.length === 0) return '|';
  const { local, central } = await zip.extraFields(entry);
  const bytes = (fields: readonly ZipExtraField[]) => fields.map((f) => equalityKey(f.data)).join(',');
  return `${bytes(local)}|${bytes(central)}`;
}

/** Bytes only ever compared for equality: as hex up to a digest's length, else their sha256 (a 64 KB record paired as 64 characters, not 128 KB). */
function equalityKey(bytes: Uint8Array): string {
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return view.length <= 32 ? view.toString('hex') : `sha256:${createHash('sha256').update(view).digest('hex')}`;
}

function method(value: number): string {
  return value === METHOD_DEFLATE ? 'deflate' : value === METHOD_STORED ? 'stored' : `method ${value}`;
}
