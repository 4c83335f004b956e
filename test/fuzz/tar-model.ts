// The structure-aware fuzzer's view of an sdist: the inflated tar as records (a 512-byte header, its
// data, its block padding) and the tail after the last record (the end blocks and whatever follows),
// mutated field by field and written back, then gzipped (itself one of the things mutated). Each
// mutation names what it did, so a finding says which byte it is about.
import { gunzipSync, gzipSync } from 'node:zlib';
import { Random } from './random.js';

export interface TarRecord {
  header: Buffer;
  data: Buffer;
  padding: Buffer;
}

export interface TarModel {
  records: TarRecord[];
  /** Everything after the last record: the two zero blocks, the record size's padding, trailing bytes. */
  tail: Buffer;
  /** How the tar is gzipped: a gzip mutation's name, or '' for node's plain gzip. */
  gzip: GzipForm;
}

type GzipForm = '' | 'fname' | 'fextra' | 'fcomment' | 'fhcrc' | 'two-members' | 'trailing-zeros' | 'trailing-garbage' | 'stored';

/** The ustar header fields (POSIX.1-1988 and pax), then GNU's fields where ustar has prefix. */
const FIELDS = {
  name: [0, 100], mode: [100, 8], uid: [108, 8], gid: [116, 8], size: [124, 12], mtime: [136, 12], chksum: [148, 8],
  typeflag: [156, 1], linkname: [157, 100], magic: [257, 6], version: [263, 2], uname: [265, 32], gname: [297, 32],
  devmajor: [329, 8], devminor: [337, 8], prefix: [345, 155], pad: [500, 12],
  'gnu atime': [345, 12], 'gnu ctime': [357, 12], 'gnu offset': [369, 12], 'gnu sparse': [386, 96], 'gnu isextended': [482, 1], 'gnu realsize': [483, 12],
} as const satisfies Record<string, readonly [number, number]>;
export type FieldName = keyof typeof FIELDS;

const NUMERIC: readonly FieldName[] = ['mode', 'uid', 'gid', 'size', 'mtime', 'devmajor', 'devminor', 'gnu atime', 'gnu ctime', 'gnu offset', 'gnu realsize'];
const EXTENSION_TYPES = new Set(['x', 'g', 'L', 'K']);
const BLOCK = 512;

function field(header: Buffer, name: FieldName): Buffer {
  const [at, length] = FIELDS[name];
  return header.subarray(at, at + length);
}

export function setField(header: Buffer, name: FieldName, value: Buffer): void {
  const target = field(header, name);
  target.fill(0);
  value.copy(target, 0, 0, Math.min(value.length, target.length));
}

/** The header checksum as POSIX writes it: six octal digits, NUL, space. */
export function fixChecksum(header: Buffer): void {
  field(header, 'chksum').fill(0x20);
  let sum = 0;
  for (const byte of header) sum += byte;
  header.write(`${sum.toString(8).padStart(6, '0')}\0 `, FIELDS.chksum[0], 'latin1');
}

function readSize(header: Buffer): number | undefined {
  const raw = field(header, 'size');
  if (raw[0]! & 0x80) return raw.subarray(1).reduce((n, byte) => n * 256 + byte, 0);
  const text = raw.toString('latin1').replace(/[\0 ]+$/, '').trim();
  return /^[0-7]*$/.test(text) ? parseInt(text || '0', 8) : undefined;
}

function typeOf(record: TarRecord): string {
  return String.fromCharCode(record.header[FIELDS.typeflag[0]]!);
}

function nameOf(record: TarRecord): string {
  return field(record.header, 'name').toString('utf8').replace(/\0.*$/s, '');
}

function paddingFor(length: number): Buffer {
  return Buffer.alloc((BLOCK - (length % BLOCK)) % BLOCK);
}

/** Reads the records of an (inflated) tar; what cannot be read as a record is the tail. */
export function parseTar(tar: Buffer): TarModel {
  const records: TarRecord[] = [];
  let at = 0;
  while (at + BLOCK <= tar.length) {
    const header = Buffer.from(tar.subarray(at, at + BLOCK));
    if (header.every((byte) => byte === 0)) break;
    const size = readSize(header);
    const type = String.fromCharCode(header[FIELDS.typeflag[0]]!);
    const dataLength = size !== undefined && !['1', '2', '3', '4', '5', '6'].includes(type) ? size : 0;
    const end = at + BLOCK + dataLength + paddingFor(dataLength).length;
    if (size === undefined || end > tar.length) break;
    records.push({ header, data: Buffer.from(tar.subarray(at + BLOCK, at + BLOCK + dataLength)), padding: Buffer.from(tar.subarray(at + BLOCK + dataLength, end)) });
    at = end;
  }
  return { records, tail: Buffer.from(tar.subarray(at)), gzip: '' };
}

export function parseSdist(bytes: Buffer): TarModel {
  return parseTar(gunzipSync(bytes));
}

export function tarBytes(model: TarModel): Buffer {
  return Buffer.concat([...model.records.flatMap((r) => [r.header, r.data, r.padding]), model.tail]);
}

/** The gzip file: node's gzip, with the model's gzip mutation applied. */
export function sdistBytes(model: TarModel): Buffer {
  const tar = tarBytes(model);
  const plain = gzipSync(tar, { level: model.gzip === 'stored' ? 0 : 6 });
  const withHeader = (flag: number, extra: Buffer) => {
    const head = Buffer.from(plain.subarray(0, 10));
    head[3] = flag;
    return Buffer.concat([head, extra, plain.subarray(10)]);
  };
  switch (model.gzip) {
    case 'fname': return withHeader(0x08, Buffer.from('pkg-1.0.tar\0'));
    case 'fcomment': return withHeader(0x10, Buffer.from('a comment\0'));
    case 'fextra': return withHeader(0x04, Buffer.from([6, 0, 0x41, 0x70, 2, 0, 0, 0]));
    case 'fhcrc': return withHeader(0x02, Buffer.from([0, 0]));
    case 'two-members': {
      const half = Math.floor(tar.length / 2);
      return Buffer.concat([gzipSync(tar.subarray(0, half)), gzipSync(tar.subarray(half))]);
    }
    case 'trailing-zeros': return Buffer.concat([plain, Buffer.alloc(1024)]);
    case 'trailing-garbage': return Buffer.concat([plain, Buffer.from('garbage\n')]);
    default: return plain;
  }
}

/** Members as writers group them: the extension records (pax, GNU long names) with their member. */
function groups(model: TarModel): TarRecord[][] {
  const out: TarRecord[][] = [];
  let current: TarRecord[] = [];
  for (const record of model.records) {
    current.push(record);
    if (!EXTENSION_TYPES.has(typeOf(record))) {
      out.push(current);
      current = [];
    }
  }
  if (current.length > 0) out.push(current);
  return out;
}

function setGroups(model: TarModel, list: TarRecord[][]): void {
  model.records = list.flat();
}

function cloneRecord(record: TarRecord): TarRecord {
  return { header: Buffer.from(record.header), data: Buffer.from(record.data), padding: Buffer.from(record.padding) };
}

export function cloneTar(model: TarModel): TarModel {
  return { records: model.records.map(cloneRecord), tail: Buffer.from(model.tail), gzip: model.gzip };
}

/** A pax extended header's records, each `LEN key=value\n` with LEN counting itself. */
export function paxRecord(key: string, value: string | Buffer): Buffer {
  const body = Buffer.concat([Buffer.from(` ${key}=`), Buffer.from(value), Buffer.from('\n')]);
  let length = body.length + 1;
  while (String(length).length + body.length !== length) length += 1;
  return Buffer.concat([Buffer.from(String(length)), body]);
}

export function makeRecord(type: string, name: string, data: Buffer, magic = 'ustar\x0000', mode = 0o644): TarRecord {
  const header = Buffer.alloc(BLOCK);
  setField(header, 'name', Buffer.from(name));
  setField(header, 'mode', Buffer.from(`${mode.toString(8).padStart(7, '0')}\0`));
  for (const id of ['uid', 'gid'] as const) setField(header, id, Buffer.from('0000000\0'));
  setField(header, 'size', Buffer.from(`${data.length.toString(8).padStart(11, '0')}\0`));
  setField(header, 'mtime', Buffer.from('13767521000\0'));
  header.write(type, FIELDS.typeflag[0], 'latin1');
  header.write(magic, FIELDS.magic[0], 'latin1');
  fixChecksum(header);
  return { header, data, padding: paddingFor(data.length) };
}

/** Sets data and its size field together, and pads it to the block. */
function setData(record: TarRecord, data: Buffer): void {
  record.data = data;
  record.padding = paddingFor(data.length);
  setField(record.header, 'size', Buffer.from(`${data.length.toString(8).padStart(11, '0')}\0`));
  fixChecksum(record.header);
}

// ------------------------------------------------------------------------------------ value pools

function topOf(model: TarModel): string {
  const first = model.records.map(nameOf).find((n) => n.includes('/'));
  return first ? first.split('/')[0]! : 'pkg-1.0';
}

/** Names an attacker would try: escapes, aliases of existing members, hidden .pth files, encodings. */
function nameValue(model: TarModel, random: Random): Buffer {
  const top = topOf(model);
  const existing = model.records.length > 0 ? nameOf(random.pick(model.records)) : `${top}/a.py`;
  const names = [
    `${top}/evil.pth`, `${top}/sub/`, `${top}/sub`, top, `${top}/`, `./${existing}`, `${existing}/`, `${existing}/x`, existing.toUpperCase(),
    `${top}//x.py`, `${top}/../x.pth`, `../${top}/x.py`, `/${existing}`, `${top}/a\\..\\..\\x`, `C:\\x.py`, `${top}/.`, `${top}/..`,
    `${top}/caf\u00e9.py`, `${top}/cafe\u0301.py`, `${top}/${'n'.repeat(99)}`, '', '.', './', `${top}/x\0hidden.pth`,
  ];
  return random.oneIn(12) ? Buffer.from(`${top}/\xff\xfe.py`, 'latin1') : Buffer.from(random.pick(names));
}

function linkValue(model: TarModel, random: Random): Buffer {
  const existing = model.records.length > 0 ? nameOf(random.pick(model.records)) : 'a.py';
  const targets = [existing, existing.split('/').pop()!, '.', '..', '../..', '../x', 'sub/../..', '/etc', '', `${existing}/`, 'a'.repeat(100)];
  return Buffer.from(random.pick(targets));
}

/** Spellings of a number as octal fields are written and misread: the value, reformatted, or broken. */
function numberValue(current: Buffer, random: Random): Buffer {
  const width = current.length;
  const text = current.toString('latin1').replace(/[\0 ]+$/, '').trim();
  const value = /^[0-7]+$/.test(text) ? parseInt(text, 8) : 0;
  const octal = value.toString(8);
  const base256 = Buffer.alloc(width);
  base256[0] = 0x80;
  base256.writeUIntBE(value % 2 ** 40, width - 5, 5);
  const spellings = [
    `${octal.padStart(width - 1, '0')}\0`, `${octal.padStart(width - 1, '0')} `, `${octal.padStart(width - 2, ' ')} \0`, `${octal}\0`,
    `${octal.padStart(width, '0')}`, ' '.repeat(width), '\0'.repeat(width), `${octal.padStart(width - 2, '0')}\0x`, `0x${octal}`,
    '9'.repeat(width - 1), '7'.repeat(width), `-${octal}`, `${(value + 1).toString(8)}\0`, `0\0${octal}`, '\xff'.repeat(width - 1),
  ];
  return random.oneIn(8) ? base256 : Buffer.from(random.pick(spellings).slice(0, width), 'latin1');
}

const TYPEFLAGS = ['0', '\0', '1', '2', '3', '4', '5', '6', '7', 'x', 'g', 'L', 'K', 'S', 'V', 'M', 'N', 'D', 'A', 'Z'];
const MAGICS = ['ustar\x0000', 'ustar  \0', '\0'.repeat(8), 'ustar\0  ', 'ustar\x0001', 'USTAR\x0000', 'ustar 00'];

function fieldValue(model: TarModel, record: TarRecord, name: FieldName, random: Random): Buffer {
  if (NUMERIC.includes(name)) return numberValue(field(record.header, name), random);
  switch (name) {
    case 'name': return nameValue(model, random);
    case 'prefix': return random.oneIn(2) ? Buffer.from(topOf(model)) : nameValue(model, random);
    case 'linkname': return linkValue(model, random);
    case 'typeflag': return Buffer.from(random.pick(TYPEFLAGS), 'latin1');
    case 'magic': return Buffer.from(random.pick(MAGICS), 'latin1');
    case 'version': return Buffer.from(random.pick(['00', '  ', ' \0', '\0\0', '01']), 'latin1');
    case 'chksum': return Buffer.from(random.pick(['0000000\0', '       \0', '\0'.repeat(8)]), 'latin1');
    case 'uname': case 'gname': return Buffer.from(random.pick(['root', '', 'r\xffot', 'x'.repeat(32)]), 'latin1');
    default: return Buffer.from(random.pick(['\x01', 'x', '1', '\n']), 'latin1');
  }
}

/** A pax record set an attacker would write: a path or size smuggled in, or a malformed record. */
function paxValue(model: TarModel, random: Random): Buffer {
  const record = () => {
    const keys: [string, () => string | Buffer][] = [
      ['path', () => nameValue(model, random)], ['linkpath', () => linkValue(model, random)], ['size', () => random.pick(['0', '1', '512', '2abc', '-1', ' 1', '99999999999999'])],
      ['mtime', () => random.pick(['1600000000.5', '-1', 'x', '1e9'])], ['uid', () => '0'], ['uname', () => 'root'], ['comment', () => 'c'],
      ['hdrcharset', () => random.pick(['BINARY', 'ISO-IR 10646 2000 UTF-8'])], ['SCHILY.xattr.user.x', () => '1'], ['GNU.sparse.major', () => '1'],
      ['GNU.sparse.name', () => nameValue(model, random)], ['VENDOR.path', () => nameValue(model, random)], ['path', () => ''],
    ];
    const [key, value] = random.pick(keys);
    return paxRecord(key, value());
  };
  const broken = [Buffer.from('9 path=x\nzz'), Buffer.from('0 path=x\n'), Buffer.from('12 path=x\n'), Buffer.from('11 pathx\n'), Buffer.from('\n'), Buffer.from('30 path=a\n')];
  const count = 1 + random.below(3);
  const records = Array.from({ length: count }, record);
  if (random.oneIn(5)) records.push(random.pick(broken));
  return Buffer.concat(records);
}

// ------------------------------------------------------------------------------------- mutations

export type TarMutation = (model: TarModel, random: Random) => string;

function pickRecord(model: TarModel, random: Random): [TarRecord, number] | undefined {
  if (model.records.length === 0) return undefined;
  const at = random.below(model.records.length);
  return [model.records[at]!, at];
}

const FIELD_NAMES = Object.keys(FIELDS) as FieldName[];

const tarMutations: Record<string, TarMutation> = {
  headerField(model, random) {
    const picked = pickRecord(model, random);
    if (!picked) return 'no record';
    const [record, at] = picked;
    const name = random.pick(FIELD_NAMES);
    setField(record.header, name, fieldValue(model, record, name, random));
    const stale = name === 'chksum' || random.oneIn(16);
    if (!stale) fixChecksum(record.header);
    return `record ${at} (${nameOf(record)}): ${name} := ${JSON.stringify(field(record.header, name).toString('latin1'))}${stale ? ', checksum stale' : ''}`;
  },
  sizeDesync(model, random) {
    const picked = pickRecord(model, random);
    if (!picked) return 'no record';
    const [record, at] = picked;
    const size = Math.max(0, record.data.length + random.pick([-1, 1, -BLOCK, BLOCK, 2 * BLOCK, -record.data.length]));
    setField(record.header, 'size', Buffer.from(`${size.toString(8).padStart(11, '0')}\0`));
    fixChecksum(record.header);
    return `record ${at} (${nameOf(record)}): size field ${size}, data ${record.data.length}`;
  },
  data(model, random) {
    const picked = pickRecord(model, random);
    if (!picked) return 'no record';
    const [record, at] = picked;
    const choices = [Buffer.alloc(0), Buffer.from('x'), Buffer.from('import os\n'), Buffer.alloc(BLOCK, 0x41), Buffer.alloc(BLOCK + 1, 0x42), paxValue(model, random)];
    setData(record, random.pick(choices));
    return `record ${at} (${nameOf(record)}): data of ${record.data.length} bytes`;
  },
  padding(model, random) {
    const padded = model.records.filter((r) => r.padding.length > 0);
    if (padded.length === 0) return 'no padding';
    const record = random.pick(padded);
    const fill = random.pick([Buffer.from([1]), Buffer.from('\n'), paxRecord('path', nameValue(model, random)), paxRecord('size', '0'), Buffer.from(' ')]);
    const at = random.oneIn(2) ? 0 : random.below(record.padding.length);
    fill.copy(record.padding, at, 0, Math.min(fill.length, record.padding.length - at));
    return `padding after ${nameOf(record)} (${typeOf(record)}) at +${at}: ${JSON.stringify(fill.toString('latin1'))}`;
  },
  paxHeader(model, random) {
    const list = groups(model);
    const at = random.below(list.length + 1);
    const type = random.oneIn(5) ? 'g' : 'x';
    const records = paxValue(model, random);
    list.splice(at, 0, [makeRecord(type, random.oneIn(2) ? '././@PaxHeader' : `${topOf(model)}/PaxHeaders/x`, records)]);
    setGroups(model, list);
    return `pax ${type} header before member ${at}: ${JSON.stringify(records.toString('latin1'))}`;
  },
  paxEdit(model, random) {
    const paxes = model.records.filter((r) => typeOf(r) === 'x' || typeOf(r) === 'g');
    if (paxes.length === 0) return tarMutations.paxHeader!(model, random);
    const record = random.pick(paxes);
    const added = paxValue(model, random);
    setData(record, random.oneIn(2) ? Buffer.concat([record.data, added]) : Buffer.concat([added, record.data]));
    return `pax header ${nameOf(record)}: records ${JSON.stringify(record.data.toString('latin1'))}`;
  },
  gnuLong(model, random) {
    const list = groups(model);
    const at = random.below(list.length + 1);
    const type = random.pick(['L', 'K']);
    const value = Buffer.concat([type === 'L' ? nameValue(model, random) : linkValue(model, random), random.oneIn(4) ? Buffer.alloc(0) : Buffer.from([0])]);
    list.splice(at, 0, [makeRecord(type, '././@LongLink', value, 'ustar  \0')]);
    setGroups(model, list);
    return `GNU ${type} before member ${at}: ${JSON.stringify(value.toString('latin1'))}`;
  },
  member(model, random) {
    const list = groups(model);
    const top = topOf(model);
    const kinds: [string, () => TarRecord][] = [
      ['file', () => makeRecord('0', nameValue(model, random).toString('latin1'), Buffer.from('import os\n'))],
      ['exec file', () => makeRecord('0', nameValue(model, random).toString('latin1'), Buffer.from('#!/bin/sh\n'), 'ustar\x0000', 0o755)],
      ['directory', () => makeRecord('5', `${top}/d/`, Buffer.alloc(0), 'ustar\x0000', 0o755)],
      ['symlink', () => makeRecord('2', `${top}/l`, Buffer.alloc(0))],
      ['hard link', () => makeRecord('1', `${top}/h`, Buffer.alloc(0))],
    ];
    const [kind, make] = random.pick(kinds);
    const record = make();
    if (kind === 'symlink' || kind === 'hard link') {
      setField(record.header, 'linkname', kind === 'hard link' && model.records.length > 0 ? Buffer.from(nameOf(random.pick(model.records))) : linkValue(model, random));
      fixChecksum(record.header);
    }
    const at = random.below(list.length + 1);
    list.splice(at, 0, [record]);
    setGroups(model, list);
    return `${kind} ${nameOf(record)} -> ${JSON.stringify(field(record.header, 'linkname').toString('latin1').replace(/\0+$/, ''))} at member ${at}`;
  },
  order(model, random) {
    const list = groups(model);
    if (list.length < 2) return 'one member';
    const from = random.below(list.length);
    const to = random.below(list.length);
    const how = random.pick(['move', 'swap', 'duplicate', 'delete', 'split']);
    const moved = nameOf(list[from]!.at(-1)!);
    if (how === 'swap') [list[from], list[to]] = [list[to]!, list[from]!];
    else if (how === 'duplicate') list.splice(to, 0, list[from]!.map(cloneRecord));
    else if (how === 'delete') list.splice(from, 1);
    else if (how === 'split' && list[from]!.length > 1) list.splice(from, 1, [list[from]![0]!], list[from]!.slice(1));
    else list.splice(to, 0, ...list.splice(from, 1));
    setGroups(model, list);
    return `${how} member ${from} (${moved}) to ${to}`;
  },
  tail(model, random) {
    const member = model.records.length > 0 ? random.pick(model.records) : makeRecord('0', `${topOf(model)}/x.py`, Buffer.from('x'));
    const tails: [string, Buffer][] = [
      ['none', Buffer.alloc(0)], ['one zero block', Buffer.alloc(BLOCK)], ['two zero blocks', Buffer.alloc(2 * BLOCK)],
      ['record-size zeros', Buffer.alloc(20 * BLOCK)], ['zeros then a byte', Buffer.concat([Buffer.alloc(2 * BLOCK), Buffer.from([1])])],
      ['end then a member', Buffer.concat([Buffer.alloc(2 * BLOCK), member.header, member.data, member.padding])],
      ['one zero block then a member', Buffer.concat([Buffer.alloc(BLOCK), member.header, member.data, member.padding, Buffer.alloc(2 * BLOCK)])],
      ['half a block', Buffer.alloc(BLOCK / 2)], ['text', Buffer.from('trailing text\n')],
    ];
    const [what, tail] = random.pick(tails);
    model.tail = tail;
    return `tail: ${what}`;
  },
  gzip(model, random) {
    model.gzip = random.pick<GzipForm>(['fname', 'fextra', 'fcomment', 'fhcrc', 'two-members', 'trailing-zeros', 'trailing-garbage', 'stored']);
    return `gzip: ${model.gzip}`;
  },
};

/** Weights: header fields, pax and padding most, as the classes found so far live there. */
const WEIGHTED: string[] = [
  ...Array(6).fill('headerField'), ...Array(2).fill('sizeDesync'), 'data', ...Array(3).fill('padding'), ...Array(3).fill('paxHeader'),
  ...Array(2).fill('paxEdit'), ...Array(2).fill('gnuLong'), ...Array(2).fill('member'), ...Array(2).fill('order'), ...Array(2).fill('tail'), 'gzip',
];

export function pickTarMutation(random: Random): [string, TarMutation] {
  const name = random.pick(WEIGHTED);
  return [name, tarMutations[name]!];
}

/** Keeps `count` member groups, chosen at random, in their order: a large seed made small. */
export function sampleTar(model: TarModel, count: number, random: Random): void {
  const list = groups(model);
  if (list.length <= count) return;
  const kept = new Set<number>();
  while (kept.size < count) kept.add(random.below(list.length));
  setGroups(model, list.filter((_, i) => kept.has(i)));
}

/** Removes member group `index`: for shrinking a finding; false when there is none. */
export function dropTarGroup(model: TarModel, index: number): boolean {
  const list = groups(model);
  if (index >= list.length) return false;
  list.splice(index, 1);
  setGroups(model, list);
  return true;
}
