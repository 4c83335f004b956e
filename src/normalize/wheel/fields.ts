// Every wheel field that check reports as changed and compare as different, named once for both,
// and how their values are written in both (Unix modes in octal, times as UTC dates).
import { FLAG_DATA_DESCRIPTOR, fromDosDateTime, hostOf } from '../../formats/zip/index.js';
import { isoSeconds } from '../report.js';

export const WHEEL_FIELDS = {
  archiveComment: 'zip archive comment',
  zip64: 'zip zip64 end records',
  directories: 'zip directory entries',
  order: 'zip member order',
  time: 'zip date/time',
  externalAttr: 'zip external attributes',
  extraFields: 'zip extra fields',
  flags: 'zip flags',
  versionMadeBy: 'zip version made by',
  versionNeeded: 'zip version needed',
  compressedData: 'zip compressed data',
  internalAttr: 'zip internal attributes',
  comments: 'zip member comments',
  /** Same headers in the same order: what is left is where things sit. */
  layout: 'zip layout (offsets, gaps, data descriptors)',
} as const;

export function hexText(value: number): string {
  return `0x${value.toString(16)}`;
}

/** A member's MS-DOS date and time, read as UTC: `2020-02-02 00:00:00`. */
export function dosTimeText(entry: { dosDate: number; dosTime: number }): string {
  try {
    return isoSeconds(fromDosDateTime(entry)).replace('T', ' ').replace('Z', '');
  } catch {
    return `invalid ${hexText(entry.dosDate)}/${hexText(entry.dosTime)}`;
  }
}

/** External attributes as a Unix mode (octal, as tar modes are shown) and, when set, the MS-DOS attribute byte. */
export function externalAttrText(value: number): string {
  const unixMode = value >>> 16;
  const dos = value & 0xff;
  if (unixMode === 0) return `MS-DOS ${hexText(dos)}`;
  return `${unixMode.toString(8)}${dos ? ` + MS-DOS ${hexText(dos)}` : ''}`;
}

/** An extra field's header ID (APPNOTE 4.5.2), as the APPNOTE writes it: `0x5455`. */
export function extraIdText(id: number): string {
  return `0x${id.toString(16).padStart(4, '0')}`;
}

export function flagsText(flags: number): string {
  return `${hexText(flags)}${flags & FLAG_DATA_DESCRIPTOR ? ' data descriptor' : ''}`;
}

/** Version made by (APPNOTE 4.4.2): the host system by name, and the spec version. */
export function versionMadeByText(version: number): string {
  const hosts: Record<number, string> = { 0: 'MS-DOS', 3: 'Unix', 10: 'NTFS', 19: 'OS X' };
  const host = hostOf(version);
  return `${hosts[host] ?? `host ${host}`} ${((version & 0xff) / 10).toFixed(1)}`;
}
