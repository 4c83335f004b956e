// The metadata of an artefact, the part the content view leaves out (gzip header, tar headers, zip
// headers, member order), read with the codecs, and how two artefacts' metadata differ: grouped by
// field, with counts and a few examples, since a real sdist can have thousands of members.
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { asGzipError, gzipFlagNames, openGunzip } from '../formats/gzip.js';
import type { GzipHeader } from '../formats/gzip.js';
import { readTar } from '../formats/tar/index.js';
import { FLAG_DATA_DESCRIPTOR, METHOD_DEFLATE, METHOD_STORED, fromDosDateTime, hostOf, openZip } from '../formats/zip/index.js';
import type { ZipEntry, ZipExtraField } from '../formats/zip/index.js';
import type { ArtefactKind } from '../normalize/artefact.js';
import { ChangeLog } from '../normalize/report.js';
import type { Change } from '../normalize/report.js';

/** One tar member's header, with the name as the content view has it (no trailing slash). */
export interface TarMemberHeader {
  name: string;
  type: string;
  mode: number;
  uid: number;
  gid: number;
  uname: string;
  gname: string;
  mtime: number;
  linkname: string;
  /** pax records other than path, linkpath, size and mtime (compared as the name, link target, size, mtime). */
  pax: Record<string, string>;
}

export interface SdistMetadata {
  kind: 'sdist';
  fileSize: number;
  gzip: GzipHeader;
  /** sha256 and length of the uncompressed tar: equal tars with different files mean a different deflate. */
  tarSha256: string;
  tarSize: number;
  members: TarMemberHeader[];
}

export interface WheelMetadata {
  kind: 'wheel';
  fileSize: number;
  comment: Buffer;
  zip64: boolean;
  entries: ZipEntry[];
}

export type ArtefactMetadata = SdistMetadata | WheelMetadata;

/** pax records that restate the name, link target, size or mtime, which are compared on their own. */
const CONTENT_PAX_KEYS = new Set(['path', 'linkpath', 'size', 'mtime']);

function viewName(raw: string): string {
  return raw.replace(/\/+$/, '');
}

export async function readMetadata(path: string, kind: ArtefactKind, fileSize: number): Promise<ArtefactMetadata> {
  return kind === 'sdist' ? readSdistMetadata(path, fileSize) : readWheelMetadata(path, fileSize);
}

async function readSdistMetadata(path: string, fileSize: number): Promise<SdistMetadata> {
  const { header, stream } = await openGunzip(path);
  const tarHash = createHash('sha256');
  let tarSize = 0;
  stream.on('data', (chunk: Uint8Array) => {
    tarHash.update(chunk);
    tarSize += chunk.length;
  });
  const members: TarMemberHeader[] = [];
  try {
    for await (const { header: entry, body } of readTar(stream as Readable)) {
      for await (const _ of body) {
        // the data is not needed here, but must be read for the next header to come
      }
      const pax = Object.fromEntries(Object.entries(entry.pax ?? {}).filter(([key]) => !CONTENT_PAX_KEYS.has(key)));
      members.push({
        name: viewName(entry.name), type: entry.type ?? 'unknown', mode: entry.mode & 0o7777, uid: entry.uid, gid: entry.gid,
        uname: entry.uname, gname: entry.gname, mtime: entry.mtime, linkname: entry.linkname ?? '', pax,
      });
    }
  } catch (error) {
    throw asGzipError(error);
  }
  return { kind: 'sdist', fileSize, gzip: header, tarSha256: tarHash.digest('hex'), tarSize, members };
}

async function readWheelMetadata(path: string, fileSize: number): Promise<WheelMetadata> {
  const zip = await openZip(path);
  try {
    return { kind: 'wheel', fileSize, comment: Buffer.from(zip.comment), zip64: zip.zip64, entries: [...zip.entries] };
  } finally {
    await zip.close();
  }
}

/**
 * How the metadata of A differs from B's, as `gzip ...`, `tar ...` and `zip ...` fields. With
 * `sameContent`, bytes that differ where no field does are put down to encoding or layout.
 */
export function metadataDifferences(a: ArtefactMetadata, b: ArtefactMetadata, sameContent: boolean): Change[] {
  if (a.kind === 'sdist' && b.kind === 'sdist') return sdistDifferences(a, b, sameContent);
  if (a.kind === 'wheel' && b.kind === 'wheel') return wheelDifferences(a, b, sameContent);
  return [];
}

/** How many member headers (directory entries included) the two archives both have, by name. */
export function commonMemberCount(a: ArtefactMetadata, b: ArtefactMetadata): number {
  const names = (m: ArtefactMetadata) => (m.kind === 'sdist' ? m.members.map((x) => x.name) : m.entries.map((e) => viewName(e.name)));
  const inB = new Set(names(b));
  return new Set(names(a).filter((name) => inB.has(name))).size;
}

const change = (from: string, to: string) => `${from} → ${to}`;
const none = '(none)';

function gzipDifferences(log: ChangeLog, a: GzipHeader, b: GzipHeader): void {
  const flags = (h: GzipHeader) => gzipFlagNames(h.flags).join(' ') || none;
  if (a.flags !== b.flags) log.add('gzip flags', change(flags(a), flags(b)));
  if (a.fileName !== b.fileName) log.add('gzip FNAME', change(a.fileName ?? none, b.fileName ?? none));
  if (a.mtime !== b.mtime) log.add('gzip MTIME', change(gzipTime(a.mtime), gzipTime(b.mtime)));
  if (a.os !== b.os) log.add('gzip OS', change(gzipOs(a.os), gzipOs(b.os)));
  if (a.xfl !== b.xfl) log.add('gzip XFL', change(String(a.xfl), String(b.xfl)));
  if (a.comment !== b.comment) log.add('gzip FCOMMENT', change(a.comment ?? none, b.comment ?? none));
  if (a.extraLength !== b.extraLength) log.add('gzip FEXTRA', change(a.extraLength === undefined ? none : `${a.extraLength} bytes`, b.extraLength === undefined ? none : `${b.extraLength} bytes`));
}

function gzipTime(mtime: number): string {
  return mtime === 0 ? '0' : `${mtime} (${isoSeconds(mtime)})`;
}

function gzipOs(os: number): string {
  const names: Record<number, string> = { 0: 'FAT', 3: 'Unix', 7: 'Macintosh', 11: 'NTFS', 255: 'unknown' };
  return names[os] ? `${os} (${names[os]})` : String(os);
}

function isoSeconds(seconds: number): string {
  const date = new Date(seconds * 1000);
  return Number.isNaN(date.getTime()) ? String(seconds) : date.toISOString().replace('.000Z', 'Z');
}

function sdistDifferences(a: SdistMetadata, b: SdistMetadata, sameContent: boolean): Change[] {
  const log = new ChangeLog();
  gzipDifferences(log, a.gzip, b.gzip);
  const byNameB = new Map(b.members.map((m) => [m.name, m]));
  const byNameA = new Map(a.members.map((m) => [m.name, m]));
  for (const ma of a.members) {
    const mb = byNameB.get(ma.name);
    if (!mb) {
      if (ma.type === 'directory') log.add('tar directory entries', `${ma.name}/ (only in A)`);
      continue;
    }
    const name = ma.name;
    if (ma.type !== mb.type) log.add('tar member type', `${name} (${ma.type} → ${mb.type})`);
    else if (ma.type === 'link' && ma.linkname !== mb.linkname) log.add('tar hard link target', `${name} (${ma.linkname} → ${mb.linkname})`);
    if (ma.mtime !== mb.mtime) log.add('tar mtime', `${name} (${ma.mtime} → ${mb.mtime})`);
    if (owner(ma) !== owner(mb)) log.add('tar owner', `${name} (${owner(ma)} → ${owner(mb)})`);
    if (ma.mode !== mb.mode) log.add('tar mode', `${name} (${ma.mode.toString(8)} → ${mb.mode.toString(8)})`);
    const paxChange = paxDifference(ma.pax, mb.pax);
    if (paxChange) log.add('tar pax records', `${name} (${paxChange})`);
  }
  for (const mb of b.members) {
    if (!byNameA.has(mb.name) && mb.type === 'directory') log.add('tar directory entries', `${mb.name}/ (only in B)`);
  }
  orderDifference(log, 'tar member order', a.members.map((m) => m.name), b.members.map((m) => m.name));
  const tarFieldsDiffer = log.list().some((c) => c.field.startsWith('tar '));
  if (sameContent && a.tarSha256 !== b.tarSha256 && !tarFieldsDiffer) {
    log.add('tar header encoding (format, numeric fields, padding)', `uncompressed ${a.tarSize} → ${b.tarSize} bytes`);
  }
  const gzipFieldsDiffer = log.list().some((c) => c.field.startsWith('gzip '));
  if (a.tarSha256 === b.tarSha256 && !gzipFieldsDiffer) {
    log.add('gzip compressed data (same tar, other deflate)', `${a.fileSize} → ${b.fileSize} bytes`);
  }
  return log.list();
}

function owner(m: TarMemberHeader): string {
  const part = (name: string, id: number) => (name ? `${name}(${id})` : String(id));
  return `${part(m.uname, m.uid)}:${part(m.gname, m.gid)}`;
}

/** The first pax keys whose values differ, as `key: a → b`; '' when none do. */
function paxDifference(a: Record<string, string>, b: Record<string, string>): string {
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort().filter((key) => a[key] !== b[key]);
  const shown = keys.slice(0, 2).map((key) => `${key}: ${a[key] ?? none} → ${b[key] ?? none}`);
  return `${shown.join('; ')}${keys.length > 2 ? `; +${keys.length - 2} more` : ''}`;
}

/** Notes where the members both have stand in a different order; examples name positions. */
function orderDifference(log: ChangeLog, field: string, namesA: string[], namesB: string[]): void {
  const inB = new Set(namesB);
  const inA = new Set(namesA);
  const commonA = namesA.filter((n) => inB.has(n));
  const commonB = namesB.filter((n) => inA.has(n));
  const moved = commonA.flatMap((name, i) => (commonB[i] !== name ? [i] : []));
  if (moved.length === 0) return;
  for (const i of moved) log.add(field, `#${i + 1}: ${commonA[i]} | ${commonB[i]}`);
}

function wheelDifferences(a: WheelMetadata, b: WheelMetadata, sameContent: boolean): Change[] {
  const log = new ChangeLog();
  if (!a.comment.equals(b.comment)) log.add('zip archive comment', change(`${a.comment.length} bytes`, `${b.comment.length} bytes`));
  if (a.zip64 !== b.zip64) log.add('zip zip64 end records', change(a.zip64 ? 'yes' : 'no', b.zip64 ? 'yes' : 'no'));
  const byNameB = new Map(b.entries.map((e) => [viewName(e.name), e]));
  const namesA = new Set(a.entries.map((e) => viewName(e.name)));
  for (const ea of a.entries) {
    const name = viewName(ea.name);
    const eb = byNameB.get(name);
    if (!eb) {
      if (ea.name.endsWith('/')) log.add('zip directory entries', `${ea.name} (only in A)`);
      continue;
    }
    if (ea.dosDate !== eb.dosDate || ea.dosTime !== eb.dosTime) log.add('zip date/time', `${name} (${dosTime(ea)} → ${dosTime(eb)})`);
    if (ea.externalAttr !== eb.externalAttr) log.add('zip external attributes', `${name} (${attributes(ea.externalAttr)} → ${attributes(eb.externalAttr)})`);
    const extrasA = extraIds(ea);
    const extrasB = extraIds(eb);
    if (extrasA !== extrasB) log.add('zip extra fields', `${name} (${extrasA || none} → ${extrasB || none})`);
    else if (extraBytes(ea) !== extraBytes(eb)) log.add('zip extra fields', `${name} (${extrasA}: data differs)`);
    if (ea.flags !== eb.flags) log.add('zip flags', `${name} (${flagText(ea.flags)} → ${flagText(eb.flags)})`);
    if (ea.versionMadeBy !== eb.versionMadeBy) log.add('zip version made by', `${name} (${madeBy(ea.versionMadeBy)} → ${madeBy(eb.versionMadeBy)})`);
    if (ea.versionNeeded !== eb.versionNeeded) log.add('zip version needed', `${name} (${ea.versionNeeded} → ${eb.versionNeeded})`);
    if (ea.method !== eb.method || ea.compressedSize !== eb.compressedSize) {
      log.add('zip compression', `${name} (${method(ea.method)} ${ea.compressedSize} → ${method(eb.method)} ${eb.compressedSize} bytes)`);
    }
    if (ea.internalAttr !== eb.internalAttr) log.add('zip internal attributes', `${name} (${hex(ea.internalAttr)} → ${hex(eb.internalAttr)})`);
    if (!Buffer.from(ea.commentBytes).equals(Buffer.from(eb.commentBytes))) log.add('zip member comments', name);
  }
  for (const eb of b.entries) {
    if (!namesA.has(viewName(eb.name)) && eb.name.endsWith('/')) log.add('zip directory entries', `${eb.name} (only in B)`);
  }
  orderDifference(log, 'zip member order', a.entries.map((e) => viewName(e.name)), b.entries.map((e) => viewName(e.name)));
  if (sameContent && log.size === 0) {
    // Same headers, same order: what is left is where things sit (padding, data descriptors' form, offsets).
    log.add('zip layout (offsets, gaps, data descriptors)', `${a.fileSize} → ${b.fileSize} bytes`);
  }
  return log.list();
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
  return local === central ? central : `local ${local || none}, central ${central || none}`;
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
