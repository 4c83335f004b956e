// The structure-aware fuzzer's view of a wheel: the zip as records (APPNOTE 4.3), each member's local
// header, data and data descriptor with its central directory entry, the bytes around them and the
// end records, mutated field by field and written back with offsets, lengths and counts recomputed.
// A mutation that means to break a computed field (an offset, a count) records a patch, written over
// the record after everything else is laid out.
import { crc32, deflateRawSync, inflateRawSync } from 'node:zlib';
import { Random } from './random.js';

/** Bytes written over a record's fixed part once the file is laid out. */
interface Patch {
  offset: number;
  bytes: Buffer;
}

export interface ZipEntry {
  /** The 30-byte fixed part of the local header (APPNOTE 4.3.7). */
  local: Buffer;
  localName: Buffer;
  localExtra: Buffer;
  data: Buffer;
  descriptor: Buffer;
  /** The 46-byte fixed part of the central directory header (4.3.12). */
  central: Buffer;
  centralName: Buffer;
  centralExtra: Buffer;
  comment: Buffer;
  localPatches: Patch[];
  centralPatches: Patch[];
}

export interface ZipModel {
  /** Bytes before the first local header. */
  prefix: Buffer;
  /** In central directory order. */
  entries: ZipEntry[];
  /** The order the local records are written in, as indexes into entries. */
  localOrder: number[];
  /** Bytes after each local record (by entry), empty unless mutated. */
  afterLocal: Map<ZipEntry, Buffer>;
  beforeCentral: Buffer;
  afterCentral: Buffer;
  /** The zip64 end record's extensible data, when there is one (4.3.14). */
  zip64: Buffer | undefined;
  /** The end of central directory record's 22-byte fixed part (4.3.16) and comment. */
  end: Buffer;
  comment: Buffer;
  endPatches: Patch[];
}

const LOCAL = 0x04034b50;
const CENTRAL = 0x02014b50;
const END = 0x06054b50;
const ZIP64_END = 0x06064b50;
const ZIP64_LOCATOR = 0x07064b50;
const DESCRIPTOR = 0x08074b50;

/** Fixed-part fields: [offset in local, offset in central, width]; local has no central-only fields. */
const ENTRY_FIELDS = {
  version: [4, 6, 2], flags: [6, 8, 2], method: [8, 10, 2], time: [10, 12, 2], date: [12, 14, 2], crc: [14, 16, 4],
  csize: [18, 20, 4], usize: [22, 24, 4], nameLength: [26, 28, 2], extraLength: [28, 30, 2],
  made: [-1, 4, 2], commentLength: [-1, 32, 2], disk: [-1, 34, 2], internal: [-1, 36, 2], external: [-1, 38, 4], offset: [-1, 42, 4],
} as const;
type EntryField = keyof typeof ENTRY_FIELDS;

const END_FIELDS = { disk: 4, cdDisk: 6, entriesOnDisk: 8, entries: 10 } as const;

function slice(bytes: Buffer, at: number, length: number): Buffer {
  if (at < 0 || at + length > bytes.length) throw new Error(`zip record out of bounds at ${at}`);
  return Buffer.from(bytes.subarray(at, at + length));
}

/** Reads a wheel through its central directory; throws on what it cannot lay out as records. */
export function parseZip(bytes: Buffer): ZipModel {
  let endAt = bytes.length - 22;
  while (endAt >= 0 && bytes.readUInt32LE(endAt) !== END) endAt -= 1;
  if (endAt < 0) throw new Error('no end of central directory record');
  const end = slice(bytes, endAt, 22);
  const comment = Buffer.from(bytes.subarray(endAt + 22, endAt + 22 + end.readUInt16LE(20)));
  let cdAt = end.readUInt32LE(16);
  let count = end.readUInt16LE(10);
  let zip64: Buffer | undefined;
  let cdEnd = endAt;
  if (endAt >= 20 && bytes.readUInt32LE(endAt - 20) === ZIP64_LOCATOR) {
    const recordAt = Number(bytes.readBigUInt64LE(endAt - 12));
    const record = slice(bytes, recordAt, 56);
    if (record.readUInt32LE(0) !== ZIP64_END) throw new Error('no zip64 end record');
    zip64 = slice(bytes, recordAt + 56, Number(record.readBigUInt64LE(4)) - 44);
    cdAt = Number(record.readBigUInt64LE(48));
    count = Number(record.readBigUInt64LE(32));
    cdEnd = recordAt;
  }
  const entries: ZipEntry[] = [];
  let at = cdAt;
  for (let i = 0; i < count; i++) {
    const central = slice(bytes, at, 46);
    if (central.readUInt32LE(0) !== CENTRAL) throw new Error(`no central header at ${at}`);
    const nameLength = central.readUInt16LE(28);
    const extraLength = central.readUInt16LE(30);
    const commentLength = central.readUInt16LE(32);
    const localAt = central.readUInt32LE(42);
    const local = slice(bytes, localAt, 30);
    if (local.readUInt32LE(0) !== LOCAL) throw new Error(`no local header at ${localAt}`);
    const dataAt = localAt + 30 + local.readUInt16LE(26) + local.readUInt16LE(28);
    const csize = central.readUInt32LE(20);
    let descriptor: Buffer = Buffer.alloc(0);
    if (central.readUInt16LE(8) & 0x08) {
      const descriptorAt = dataAt + csize;
      descriptor = slice(bytes, descriptorAt, bytes.readUInt32LE(descriptorAt) === DESCRIPTOR ? 16 : 12);
    }
    entries.push({
      local, localName: slice(bytes, localAt + 30, local.readUInt16LE(26)), localExtra: slice(bytes, localAt + 30 + local.readUInt16LE(26), local.readUInt16LE(28)),
      data: slice(bytes, dataAt, csize), descriptor,
      central, centralName: slice(bytes, at + 46, nameLength), centralExtra: slice(bytes, at + 46 + nameLength, extraLength),
      comment: slice(bytes, at + 46 + nameLength + extraLength, commentLength), localPatches: [], centralPatches: [],
    });
    at += 46 + nameLength + extraLength + commentLength;
  }
  const firstLocal = Math.min(cdAt, ...entries.map((e) => e.central.readUInt32LE(42)));
  return {
    prefix: Buffer.from(bytes.subarray(0, firstLocal)), entries, localOrder: entries.map((_, i) => i), afterLocal: new Map(),
    beforeCentral: Buffer.alloc(0), afterCentral: Buffer.from(bytes.subarray(at, cdEnd)), zip64, end, comment, endPatches: [],
  };
}

function patched(record: Buffer, patches: readonly Patch[]): Buffer {
  const out = Buffer.from(record);
  for (const patch of patches) patch.bytes.copy(out, patch.offset);
  return out;
}

/** Lays the model out: lengths, offsets, sizes and counts computed, then the patches written over them. */
export function zipBytes(model: ZipModel): Buffer {
  const parts: Buffer[] = [model.prefix];
  let at = model.prefix.length;
  const offsets = new Map<ZipEntry, number>();
  for (const index of model.localOrder) {
    const entry = model.entries[index]!;
    offsets.set(entry, at);
    const local = Buffer.from(entry.local);
    local.writeUInt16LE(entry.localName.length, 26);
    local.writeUInt16LE(entry.localExtra.length, 28);
    const record = [patched(local, entry.localPatches), entry.localName, entry.localExtra, entry.data, entry.descriptor, model.afterLocal.get(entry) ?? Buffer.alloc(0)];
    parts.push(...record);
    at += record.reduce((n, b) => n + b.length, 0);
  }
  parts.push(model.beforeCentral);
  at += model.beforeCentral.length;
  const cdAt = at;
  for (const entry of model.entries) {
    const central = Buffer.from(entry.central);
    central.writeUInt16LE(entry.centralName.length, 28);
    central.writeUInt16LE(entry.centralExtra.length, 30);
    central.writeUInt16LE(entry.comment.length, 32);
    central.writeUInt32LE(offsets.get(entry) ?? 0, 42);
    const record = [patched(central, entry.centralPatches), entry.centralName, entry.centralExtra, entry.comment];
    parts.push(...record);
    at += record.reduce((n, b) => n + b.length, 0);
  }
  const cdSize = at - cdAt;
  parts.push(model.afterCentral);
  at += model.afterCentral.length;
  const end = Buffer.from(model.end);
  end.writeUInt16LE(model.entries.length % 0x10000, 8);
  end.writeUInt16LE(model.entries.length % 0x10000, 10);
  end.writeUInt32LE(cdSize, 12);
  end.writeUInt32LE(cdAt, 16);
  end.writeUInt16LE(model.comment.length, 20);
  if (model.zip64) {
    const record = Buffer.alloc(56);
    record.writeUInt32LE(ZIP64_END, 0);
    record.writeBigUInt64LE(BigInt(44 + model.zip64.length), 4);
    record.writeUInt16LE(45, 12);
    record.writeUInt16LE(45, 14);
    record.writeBigUInt64LE(BigInt(model.entries.length), 24);
    record.writeBigUInt64LE(BigInt(model.entries.length), 32);
    record.writeBigUInt64LE(BigInt(cdSize), 40);
    record.writeBigUInt64LE(BigInt(cdAt), 48);
    const locator = Buffer.alloc(20);
    locator.writeUInt32LE(ZIP64_LOCATOR, 0);
    locator.writeBigUInt64LE(BigInt(at), 8);
    locator.writeUInt32LE(1, 16);
    parts.push(record, model.zip64, locator);
  }
  parts.push(patched(end, model.endPatches), model.comment);
  return Buffer.concat(parts);
}

function cloneEntry(entry: ZipEntry): ZipEntry {
  return {
    ...entry, local: Buffer.from(entry.local), central: Buffer.from(entry.central), localName: Buffer.from(entry.localName), centralName: Buffer.from(entry.centralName),
    localExtra: Buffer.from(entry.localExtra), centralExtra: Buffer.from(entry.centralExtra), localPatches: [...entry.localPatches], centralPatches: [...entry.centralPatches],
  };
}

export function cloneZip(model: ZipModel): ZipModel {
  const entries = model.entries.map(cloneEntry);
  const afterLocal = new Map([...model.afterLocal].map(([entry, bytes]) => [entries[model.entries.indexOf(entry)]!, bytes]));
  return { ...model, entries, localOrder: [...model.localOrder], afterLocal, end: Buffer.from(model.end), endPatches: [...model.endPatches] };
}

// ------------------------------------------------------------------------------------ values

function setBoth(entry: ZipEntry, name: EntryField, value: number): void {
  const [local, central, width] = ENTRY_FIELDS[name];
  if (local >= 0) entry.local.writeUIntLE(value, local, width);
  entry.central.writeUIntLE(value, central, width);
}

function nameText(entry: ZipEntry): string {
  return entry.centralName.toString('utf8');
}

/** The member's content, inflated when it is deflated; undefined when it cannot be. */
function content(entry: ZipEntry): Buffer | undefined {
  const method = entry.central.readUInt16LE(10);
  if (method === 0) return entry.data;
  try {
    return method === 8 ? inflateRawSync(entry.data) : undefined;
  } catch {
    return undefined;
  }
}

/** Replaces the member's content, stored or deflated, with every size and CRC field to match. */
function setContent(entry: ZipEntry, data: Buffer, deflate: boolean): void {
  entry.data = deflate ? deflateRawSync(data) : data;
  setBoth(entry, 'method', deflate ? 8 : 0);
  setBoth(entry, 'crc', crc32(data));
  setBoth(entry, 'csize', entry.data.length);
  setBoth(entry, 'usize', data.length);
  if (entry.descriptor.length > 0) {
    const descriptor = Buffer.alloc(16);
    descriptor.writeUInt32LE(DESCRIPTOR, 0);
    descriptor.writeUInt32LE(crc32(data), 4);
    descriptor.writeUInt32LE(entry.data.length, 8);
    descriptor.writeUInt32LE(data.length, 12);
    entry.descriptor = descriptor;
    entry.local.writeUInt32LE(0, 14);
    entry.local.writeUInt32LE(0, 18);
    entry.local.writeUInt32LE(0, 22);
  }
}

function topOf(model: ZipModel): string {
  const first = model.entries.map(nameText).find((n) => n.includes('/'));
  return first ? first.split('/')[0]! : 'demo';
}

function nameValue(model: ZipModel, random: Random): Buffer {
  const top = topOf(model);
  const existing = model.entries.length > 0 ? nameText(random.pick(model.entries)) : `${top}/a.py`;
  const names = [
    `${top}/evil.pth`, 'evil.pth', `${top}/sub/`, `./${existing}`, `${existing}/`, `${existing}/x`, existing.toUpperCase(), `${top}//x.py`,
    `../${existing}`, `/${existing}`, `${top}\\..\\..\\x.py`, `C:/x.py`, `${top}/caf\u00e9.py`, `${top}/cafe\u0301.py`, '', `${existing}\0.pth`, `${top}/./x.py`,
  ];
  return random.oneIn(10) ? Buffer.from(`${top}/\x82\xe9.py`, 'latin1') : Buffer.from(random.pick(names));
}

function extraField(id: number, data: Buffer): Buffer {
  const head = Buffer.alloc(4);
  head.writeUInt16LE(id, 0);
  head.writeUInt16LE(data.length, 2);
  return Buffer.concat([head, data]);
}

/** Extra fields writers put (timestamps, Unix ids, zip64, alignment) and ones an attacker would. */
function extraValue(model: ZipModel, entry: ZipEntry, random: Random): Buffer {
  const unicodePath = (name: Buffer) => Buffer.concat([Buffer.from([1]), u32(crc32(entry.centralName)), name]);
  const choices: (() => Buffer)[] = [
    () => extraField(0x5455, Buffer.concat([Buffer.from([1]), u32(1600000000)])),
    () => extraField(0x7875, Buffer.from([1, 4, 0, 0, 0, 0, 4, 0, 0, 0, 0])),
    () => extraField(0x7075, unicodePath(nameValue(model, random))),
    () => extraField(0x0001, Buffer.alloc(random.pick([0, 8, 16, 24, 28]))),
    () => extraField(0xd935, Buffer.alloc(random.below(8))),
    () => extraField(0xcafe, Buffer.alloc(0)),
    () => extraField(0x4242, Buffer.from('vendor')),
    () => Buffer.from([0x55, 0x54, 0x20, 0x00, 1]),
    () => Buffer.alloc(1 + random.below(3)),
  ];
  return random.pick(choices)();
}

function u32(value: number): Buffer {
  const out = Buffer.alloc(4);
  out.writeUInt32LE(value >>> 0, 0);
  return out;
}

const MODES = [0o100644, 0o100755, 0o120777, 0o40755, 0o010644, 0o755, 0, 0o100001, 0o140644, 0o104755];

// ------------------------------------------------------------------------------------- mutations

export type ZipMutation = (model: ZipModel, random: Random) => string;

function pickEntry(model: ZipModel, random: Random): ZipEntry | undefined {
  return model.entries.length > 0 ? random.pick(model.entries) : undefined;
}

/** Where a change goes: both headers, or only one of them (the two then disagree). */
type Side = 'both' | 'local' | 'central';

const zipMutations: Record<string, ZipMutation> = {
  field(model, random) {
    const entry = pickEntry(model, random);
    if (!entry) return 'no entry';
    const name = random.pick(Object.keys(ENTRY_FIELDS) as EntryField[]);
    const [localAt, centralAt, width] = ENTRY_FIELDS[name];
    const current = entry.central.readUIntLE(centralAt, width);
    const value = random.pick([0, 1, current + 1, current - 1, 2 ** (8 * width) - 1, random.next() % 2 ** (8 * width), 20, 45, 63, 0x314]) & (2 ** (8 * width) - 1);
    const side: Side = localAt < 0 ? 'central' : random.pick<Side>(['both', 'local', 'central']);
    const bytes = Buffer.alloc(width);
    bytes.writeUIntLE(Math.max(0, value) % 2 ** (8 * width), 0, width);
    if (side !== 'central') entry.localPatches.push({ offset: localAt, bytes });
    if (side !== 'local') entry.centralPatches.push({ offset: centralAt, bytes });
    return `${nameText(entry)}: ${side} ${name} := ${bytes.readUIntLE(0, width)}`;
  },
  flags(model, random) {
    const entry = pickEntry(model, random);
    if (!entry) return 'no entry';
    const bit = random.pick([0, 1, 2, 3, 4, 5, 6, 11, 12, 13, 14, 15]);
    const side = random.pick<Side>(['both', 'both', 'local', 'central']);
    if (side !== 'central') entry.local.writeUInt16LE(entry.local.readUInt16LE(6) ^ (1 << bit), 6);
    if (side !== 'local') entry.central.writeUInt16LE(entry.central.readUInt16LE(8) ^ (1 << bit), 8);
    return `${nameText(entry)}: ${side} flag bit ${bit} toggled`;
  },
  name(model, random) {
    const entry = pickEntry(model, random);
    if (!entry) return 'no entry';
    const old = nameText(entry);
    const name = nameValue(model, random);
    const side = random.pick<Side>(['both', 'both', 'local', 'central']);
    if (side !== 'central') entry.localName = name;
    if (side !== 'local') entry.centralName = name;
    if (random.oneIn(3)) setBoth(entry, 'flags', entry.central.readUInt16LE(8) ^ 0x800);
    return `${old}: ${side} name := ${JSON.stringify(name.toString('latin1'))}`;
  },
  extra(model, random) {
    const entry = pickEntry(model, random);
    if (!entry) return 'no entry';
    const extra = extraValue(model, entry, random);
    const side = random.pick<Side>(['both', 'local', 'central']);
    if (side !== 'central') entry.localExtra = Buffer.concat([entry.localExtra, extra]);
    if (side !== 'local') entry.centralExtra = Buffer.concat([entry.centralExtra, extra]);
    return `${nameText(entry)}: ${side} extra += ${extra.toString('hex')}`;
  },
  attributes(model, random) {
    const entry = pickEntry(model, random);
    if (!entry) return 'no entry';
    const mode = random.pick(MODES);
    const dos = random.pick([0, 0, 0x10, 0x01, 0x20]);
    const host = random.pick([3, 3, 0, 11, 19]);
    entry.central.writeUInt32LE(((mode << 16) | dos) >>> 0, 38);
    entry.central[5] = host;
    return `${nameText(entry)}: mode ${mode.toString(8)}, DOS attributes ${dos}, host ${host}`;
  },
  content(model, random) {
    const entry = pickEntry(model, random);
    if (!entry) return 'no entry';
    const data = random.oneIn(2) ? content(entry) ?? Buffer.from('x') : random.pick([Buffer.alloc(0), Buffer.from('import os\n'), Buffer.from('../evil')]);
    const deflate = random.oneIn(2);
    setContent(entry, data, deflate);
    return `${nameText(entry)}: ${data.length} bytes ${deflate ? 'deflated' : 'stored'}`;
  },
  descriptor(model, random) {
    const entry = pickEntry(model, random);
    if (!entry) return 'no entry';
    const data = content(entry);
    if (!data) return 'no content';
    const adding = entry.descriptor.length === 0;
    setBoth(entry, 'flags', entry.central.readUInt16LE(8) ^ 0x08);
    entry.descriptor = adding ? Buffer.alloc(16) : Buffer.alloc(0);
    setContent(entry, data, entry.central.readUInt16LE(10) === 8);
    if (adding && random.oneIn(3)) entry.descriptor = entry.descriptor.subarray(4);
    return `${nameText(entry)}: data descriptor ${adding ? `added (${entry.descriptor.length} bytes)` : 'removed'}`;
  },
  comment(model, random) {
    const entry = pickEntry(model, random);
    const text = Buffer.from(random.pick(['c', 'PK\x05\x06', 'evil.pth']), 'latin1');
    if (entry && random.oneIn(2)) {
      entry.comment = text;
      return `${nameText(entry)}: comment ${JSON.stringify(text.toString('latin1'))}`;
    }
    model.comment = random.oneIn(3) ? Buffer.concat([text, zipBytes(model).subarray(-22)]) : text;
    return `archive comment of ${model.comment.length} bytes`;
  },
  gap(model, random) {
    const fill = random.pick([Buffer.from([0]), Buffer.from('junk'), Buffer.alloc(16), Buffer.from('#!/usr/bin/env python\n')]);
    const where = random.pick(['prefix', 'after a local record', 'before the central directory', 'after the central directory']);
    if (where === 'prefix') model.prefix = Buffer.concat([fill, model.prefix]);
    else if (where === 'after a local record' && model.entries.length > 0) model.afterLocal.set(random.pick(model.entries), fill);
    else if (where === 'before the central directory') model.beforeCentral = Buffer.concat([model.beforeCentral, fill]);
    else model.afterCentral = Buffer.concat([model.afterCentral, fill]);
    return `${fill.length} bytes ${where}`;
  },
  hiddenLocal(model, random) {
    const entry = pickEntry(model, random);
    if (!entry) return 'no entry';
    const hidden = cloneEntry(entry);
    hidden.localName = nameValue(model, random);
    const local = Buffer.from(hidden.local);
    local.writeUInt16LE(hidden.localName.length, 26);
    local.writeUInt16LE(hidden.localExtra.length, 28);
    const record = Buffer.concat([local, hidden.localName, hidden.localExtra, hidden.data, hidden.descriptor]);
    model.beforeCentral = Buffer.concat([model.beforeCentral, record]);
    return `an unlisted local record ${JSON.stringify(hidden.localName.toString('latin1'))} before the central directory`;
  },
  end(model, random) {
    const name = random.pick(Object.keys(END_FIELDS) as (keyof typeof END_FIELDS)[]);
    const value = random.pick([0, 1, model.entries.length + 1, model.entries.length - 1, 0xffff]);
    const bytes = Buffer.alloc(2);
    bytes.writeUInt16LE(Math.max(0, value) & 0xffff, 0);
    model.endPatches.push({ offset: END_FIELDS[name], bytes });
    return `end record ${name} := ${bytes.readUInt16LE(0)}`;
  },
  zip64(model, random) {
    const kind = random.pick(['empty', 'junk', 'hidden directory']);
    if (kind === 'empty') model.zip64 = Buffer.alloc(0);
    else if (kind === 'junk') model.zip64 = Buffer.from('extensible data');
    else model.zip64 = hiddenDirectory(model);
    return `zip64 end record with ${kind} extensible data`;
  },
  order(model, random) {
    const n = model.entries.length;
    if (n < 2) return 'one entry';
    const [i, j] = [random.below(n), random.below(n)];
    const how = random.pick(['central swap', 'local swap', 'duplicate', 'delete']);
    if (how === 'central swap') {
      [model.entries[i], model.entries[j]] = [model.entries[j]!, model.entries[i]!];
      model.localOrder = model.localOrder.map((k) => (k === i ? j : k === j ? i : k));
    } else if (how === 'local swap') {
      [model.localOrder[i], model.localOrder[j]] = [model.localOrder[j]!, model.localOrder[i]!];
    } else if (how === 'duplicate') {
      model.entries.push(cloneEntry(model.entries[i]!));
      model.localOrder.push(n);
    } else {
      dropZipEntry(model, i);
    }
    return `${how} entries ${i} and ${j}`;
  },
};

/**
 * zipfile (3.11-3.13) reads the zip64 end record at the locator - 56 whatever the locator says: the
 * extensible data ends with a second record there, pointing at a central directory hidden before it,
 * whose entries rename the real members.
 */
export function hiddenDirectory(model: ZipModel): Buffer {
  const laidOut = zipBytes({ ...model, zip64: undefined });
  const zip64At = laidOut.length - 22 - model.comment.length;
  const end = laidOut.subarray(zip64At);
  const directory = Buffer.from(laidOut.subarray(end.readUInt32LE(16), end.readUInt32LE(16) + end.readUInt32LE(12)));
  const firstNameLength = directory.length >= 46 ? directory.readUInt16LE(28) : 0;
  if (firstNameLength >= 6) directory.write('x.pth', 46 + firstNameLength - 5, 'latin1');
  const fake = Buffer.alloc(56);
  fake.writeUInt32LE(ZIP64_END, 0);
  fake.writeBigUInt64LE(44n, 4);
  fake.writeUInt16LE(45, 12);
  fake.writeUInt16LE(45, 14);
  fake.writeBigUInt64LE(BigInt(model.entries.length), 24);
  fake.writeBigUInt64LE(BigInt(model.entries.length), 32);
  fake.writeBigUInt64LE(BigInt(directory.length), 40);
  fake.writeBigUInt64LE(BigInt(zip64At + 56), 48);
  return Buffer.concat([directory, fake]);
}

const WEIGHTED: string[] = [
  ...Array(4).fill('field'), ...Array(3).fill('flags'), ...Array(3).fill('name'), ...Array(3).fill('extra'), ...Array(2).fill('attributes'),
  'content', 'descriptor', 'comment', ...Array(2).fill('gap'), 'hiddenLocal', ...Array(2).fill('end'), ...Array(2).fill('zip64'), ...Array(2).fill('order'),
];

export function pickZipMutation(random: Random): [string, ZipMutation] {
  const name = random.pick(WEIGHTED);
  return [name, zipMutations[name]!];
}

/** Removes entry `index` (its local record too); false when there is none. */
export function dropZipEntry(model: ZipModel, index: number): boolean {
  if (index >= model.entries.length) return false;
  model.entries.splice(index, 1);
  model.localOrder = model.localOrder.filter((k) => k !== index).map((k) => (k > index ? k - 1 : k));
  return true;
}

/** Keeps `count` entries chosen at random (the RECORD among them when there is one): a large seed made small. */
export function sampleZip(model: ZipModel, count: number, random: Random): void {
  while (model.entries.length > count) {
    const index = random.below(model.entries.length);
    if (!nameText(model.entries[index]!).endsWith('.dist-info/RECORD') || random.oneIn(4)) dropZipEntry(model, index);
  }
}
