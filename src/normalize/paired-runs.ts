// Two archives' members paired by name without holding either side (issue 22): each side's members
// are sorted by the name A gives their place (./pairing.ts renames B's) in sorted runs
// (./sorted-runs.ts) and merge-joined; the pairs are then sorted again by each side's archive order,
// which the metadata comparisons walk: a field difference is noted where A has the member, a member
// only B has where B has it, and the order of the members both have is read off the two orders side
// by side. Memory is a few batches of records, whatever the member count; time is n log n.
import type { MemberPairing } from './pairing.js';
import type { RunCodec } from './sorted-runs.js';
import { SortedRecords } from './sorted-runs.js';

/** How many records a batch holds before it is written as a run, and how many bytes of them. */
export interface PairingLimits {
  rowsPerRun: number;
  batchBytes: number;
}

/**
 * Four batches are held at once (each side's, then the two orders of the pairs), each record an
 * object and its buffer, about 250 bytes at the bench's names. Twice as many rows cost a compare of
 * 10,000 members 8 MiB more; half as many runs made a compare of 1,000,000 members about 15% faster.
 */
export const PAIRING_LIMITS: PairingLimits = { rowsPerRun: 4096, batchBytes: 1 << 20 };

// A pair's layout, in order: what MemberPair reads and pairBytes writes.
const KEY_LENGTH = 0; // u32: bytes of the key
const INDEX_A = 4; // f64: -1 where A does not have the member
const INDEX_B = 12; // f64: -1 where B does not
const HEADER_A_LENGTH = 20; // u32: bytes of A's header
const FIXED_BYTES = 24; // then the key, A's header and B's header

/**
 * A member of A, of B or of both: the name A gives its place, its place in each, and each side's
 * header as its kind encodes it (empty where the side does not have it). It is its encoded bytes,
 * one buffer, which the runs copy as they are; the parts are views made as they are asked for.
 */
export class MemberPair {
  readonly indexA: number;
  readonly indexB: number;
  private readonly keyEnd: number;
  private readonly headerAEnd: number;

  constructor(readonly bytes: Buffer) {
    this.indexA = bytes.readDoubleLE(INDEX_A);
    this.indexB = bytes.readDoubleLE(INDEX_B);
    this.keyEnd = FIXED_BYTES + bytes.readUInt32LE(KEY_LENGTH);
    this.headerAEnd = this.keyEnd + bytes.readUInt32LE(HEADER_A_LENGTH);
  }

  get key(): Buffer {
    return this.bytes.subarray(FIXED_BYTES, this.keyEnd);
  }

  get headerA(): Buffer {
    return this.bytes.subarray(this.keyEnd, this.headerAEnd);
  }

  get headerB(): Buffer {
    return this.bytes.subarray(this.headerAEnd);
  }

  /** The key as text. */
  name(): string {
    return this.bytes.toString('utf8', FIXED_BYTES, this.keyEnd);
  }

  /** Orders by key, as bytes. */
  static compareKeys(x: MemberPair, y: MemberPair): number {
    return x.bytes.compare(y.bytes, FIXED_BYTES, y.keyEnd, FIXED_BYTES, x.keyEnd);
  }

  /** Orders one side's members by key: its names are distinct, and should two be equal, by place. */
  static byKey(x: MemberPair, y: MemberPair): number {
    return MemberPair.compareKeys(x, y) || x.indexA - y.indexA || x.indexB - y.indexB;
  }
}

/** A pair's bytes: `key` as UTF-8 (a string) or as it is (bytes). */
function pairBytes(key: string | Buffer, indexA: number, indexB: number, headerA: Buffer, headerB: Buffer): MemberPair {
  const keyLength = typeof key === 'string' ? Buffer.byteLength(key, 'utf8') : key.length;
  const bytes = Buffer.allocUnsafe(FIXED_BYTES + keyLength + headerA.length + headerB.length);
  bytes.writeUInt32LE(keyLength, KEY_LENGTH);
  bytes.writeDoubleLE(indexA, INDEX_A);
  bytes.writeDoubleLE(indexB, INDEX_B);
  bytes.writeUInt32LE(headerA.length, HEADER_A_LENGTH);
  if (typeof key === 'string') bytes.write(key, FIXED_BYTES, 'utf8');
  else key.copy(bytes, FIXED_BYTES);
  headerA.copy(bytes, FIXED_BYTES + keyLength);
  headerB.copy(bytes, FIXED_BYTES + keyLength + headerA.length);
  return new MemberPair(bytes);
}

const PAIR_CODEC: RunCodec<MemberPair> = {
  byteLength: (pair) => pair.bytes.length,
  encode: (pair, into, at) => void pair.bytes.copy(into, at),
  decode: (bytes) => new MemberPair(Buffer.from(bytes)),
};

const NO_HEADER = Buffer.alloc(0);

const byIndexA = (x: MemberPair, y: MemberPair) => x.indexA - y.indexA;
const byIndexB = (x: MemberPair, y: MemberPair) => x.indexB - y.indexB;

/** Every member of two archives, paired by key: each side added in its archive order, then `pair()`, then read. */
export class PairedRuns {
  private readonly sideA: SortedRecords<MemberPair>;
  private readonly sideB: SortedRecords<MemberPair>;
  private readonly inA: SortedRecords<MemberPair>;
  private readonly inB: SortedRecords<MemberPair>;
  private countA = 0;
  private countB = 0;
  private common = 0;

  /** B's members pair by the name `pairing` gives them in A; runs that do not fit a batch go to scratch files in `workDir`. */
  constructor(workDir: string, private readonly pairing: Pick<MemberPairing, 'toA'>, limits: PairingLimits = PAIRING_LIMITS) {
    this.sideA = new SortedRecords(workDir, PAIR_CODEC, MemberPair.byKey, limits);
    this.sideB = new SortedRecords(workDir, PAIR_CODEC, MemberPair.byKey, limits);
    this.inA = new SortedRecords(workDir, PAIR_CODEC, byIndexA, limits);
    this.inB = new SortedRecords(workDir, PAIR_CODEC, byIndexB, limits);
  }

  /** A's next member: its name, and its header. */
  addA(name: string, header: Buffer): void {
    this.sideA.add(pairBytes(name, this.countA++, -1, header, NO_HEADER));
  }

  /** B's next member: its name (paired under the name A gives its place), and its header. */
  addB(name: string, header: Buffer): void {
    this.sideB.add(pairBytes(this.pairing.toA(name), -1, this.countB++, NO_HEADER, header));
  }

  /** Pairs the members by key (once both sides are added): a merge of the two sides in key order, whose runs are then removed. */
  async pair(): Promise<void> {
    const a = this.sideA.sorted();
    const b = this.sideB.sorted();
    let x = a.next();
    let y = b.next();
    while (!x.done || !y.done) {
      const order = x.done ? 1 : y.done ? -1 : MemberPair.compareKeys(x.value, y.value);
      if (order < 0) {
        this.inA.add(x.value);
        x = a.next();
      } else if (order > 0) {
        this.inB.add(y.value);
        y = b.next();
      } else {
        const { key, indexA, headerA } = x.value;
        const { indexB, headerB } = y.value;
        this.inA.add(pairBytes(key, indexA, indexB, headerA, headerB));
        // B's order is read for the members only B has and for the order: A's header would only be written and read again.
        this.inB.add(pairBytes(key, indexA, indexB, NO_HEADER, headerB));
        this.common += 1;
        x = a.next();
        y = b.next();
      }
    }
    await Promise.all([this.sideA.dispose(), this.sideB.dispose()]);
  }

  /** How many members both have. */
  commonCount(): number {
    return this.common;
  }

  /** Every member of A in A's order, with B's header where B has it (empty, and `indexB` -1, where not). */
  inOrderOfA(): Iterable<MemberPair> {
    return this.inA.sorted();
  }

  /** Every member of B in B's order, with its place in A where A has it (and A's header empty). */
  inOrderOfB(): Iterable<MemberPair> {
    return this.inB.sorted();
  }

  /**
   * What the metadata comparisons read, headers decoded by `decode`: each member both have, in A's
   * order (under A's name), each member only A has, in A's order among them, then each member only
   * B has, in B's order.
   */
  walk<H>(decode: (header: Buffer) => H, visit: { both(name: string, a: H, b: H): void; onlyInA(a: H): void; onlyInB(b: H): void }): void {
    for (const member of this.inOrderOfA()) {
      if (member.indexB < 0) visit.onlyInA(decode(member.headerA));
      else visit.both(member.name(), decode(member.headerA), decode(member.headerB));
    }
    for (const member of this.inOrderOfB()) if (member.indexA < 0) visit.onlyInB(decode(member.headerB));
  }

  /**
   * Where the members both have stand in another order: the position among them (from 1), and the
   * key of the member A has there and of the one B has there.
   */
  *orderDifferences(): Generator<[position: number, inA: string, inB: string]> {
    const a = this.inA.sorted();
    const b = this.inB.sorted();
    for (let position = 1; ; position++) {
      const x = nextPaired(a);
      const y = nextPaired(b);
      if (!x || !y) return;
      if (x.indexB !== y.indexB) yield [position, x.name(), y.name()];
    }
  }

  async dispose(): Promise<void> {
    await Promise.all([this.sideA, this.sideB, this.inA, this.inB].map((records) => records.dispose()));
  }
}

/** The next pair of both sides. */
function nextPaired(pairs: Iterator<MemberPair>): MemberPair | undefined {
  for (let next = pairs.next(); !next.done; next = pairs.next()) if (next.value.indexA >= 0 && next.value.indexB >= 0) return next.value;
  return undefined;
}

/** A kind's header as the pairing carries it: its numbers (f64 each), then its strings (a u32 length and UTF-8 each), in the order listed. */
export interface HeaderLayout<N extends string, S extends string> {
  numbers: readonly N[];
  strings: readonly S[];
}

export type HeaderValues<N extends string, S extends string> = Record<N, number> & Record<S, string>;

/** The header's bytes, laid out as `layout` lists its fields. */
export function encodeHeader<N extends string, S extends string>(layout: HeaderLayout<N, S>, values: HeaderValues<N, S>): Buffer {
  const numbersEnd = 8 * layout.numbers.length;
  const bytes = Buffer.allocUnsafe(layout.strings.reduce((sum, field) => sum + 4 + Buffer.byteLength(values[field], 'utf8'), numbersEnd));
  layout.numbers.forEach((field, i) => bytes.writeDoubleLE(values[field], 8 * i));
  let at = numbersEnd;
  for (const field of layout.strings) {
    const length = bytes.write(values[field], at + 4, 'utf8');
    at = bytes.writeUInt32LE(length, at) + length;
  }
  return bytes;
}

/** The header `encodeHeader` laid out. */
export function decodeHeader<N extends string, S extends string>(layout: HeaderLayout<N, S>, bytes: Buffer): HeaderValues<N, S> {
  const values: Record<string, number | string> = {};
  layout.numbers.forEach((field, i) => (values[field] = bytes.readDoubleLE(8 * i)));
  let at = 8 * layout.numbers.length;
  for (const field of layout.strings) {
    const length = bytes.readUInt32LE(at);
    values[field] = bytes.toString('utf8', at + 4, at + 4 + length);
    at += 4 + length;
  }
  return values as HeaderValues<N, S>;
}
