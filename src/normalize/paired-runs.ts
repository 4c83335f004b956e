// Two archives' members paired by name without holding either side (issue 22): each side's members
// are sorted by the name A gives their place (./pairing.ts renames B's) in sorted runs
// (./sorted-runs.ts) and merge-joined; the pairs are then sorted again by each side's archive order,
// which the metadata comparisons walk: a field difference is noted where A has the member, a member
// only B has where B has it, and the order of the members both have is read off the two orders side
// by side. Memory is a few batches of records, whatever the member count; time is n log n.
import type { RunCodec } from './sorted-runs.js';
import { SortedRecords } from './sorted-runs.js';

/** How many records a batch holds before it is written as a run, and how many bytes of them. */
export interface PairingLimits {
  rowsPerRun: number;
  batchBytes: number;
}

/**
 * Four batches are held at once (each side's, then the two orders of the pairs), each record an
 * object and two or three buffers: about 2 MB of records and 3 MB of objects a batch.
 */
export const PAIRING_LIMITS: PairingLimits = { rowsPerRun: 8192, batchBytes: 2 << 20 };

/** A member of A, of B or of both: the name A gives its place, its place in each (-1 where absent), and each side's header as its kind encodes it. */
export interface MemberPair {
  key: Buffer;
  indexA: number;
  indexB: number;
  headerA: Buffer;
  headerB: Buffer;
}

// A pair's layout, in order: what decode reads and encode writes.
const KEY_LENGTH = 0; // u32: bytes of the key
const INDEX_A = 4; // f64
const INDEX_B = 12; // f64
const HEADER_A_LENGTH = 20; // u32: bytes of A's header
const FIXED_BYTES = 24; // then the key, A's header and B's header

const PAIR_CODEC: RunCodec<MemberPair> & { byteLength(pair: MemberPair): number } = {
  byteLength: (pair) => FIXED_BYTES + pair.key.length + pair.headerA.length + pair.headerB.length,
  encode(pair) {
    const bytes = Buffer.allocUnsafe(PAIR_CODEC.byteLength(pair));
    bytes.writeUInt32LE(pair.key.length, KEY_LENGTH);
    bytes.writeDoubleLE(pair.indexA, INDEX_A);
    bytes.writeDoubleLE(pair.indexB, INDEX_B);
    bytes.writeUInt32LE(pair.headerA.length, HEADER_A_LENGTH);
    let at = FIXED_BYTES;
    for (const part of [pair.key, pair.headerA, pair.headerB]) at += part.copy(bytes, at);
    return bytes;
  },
  decode(bytes) {
    const keyEnd = FIXED_BYTES + bytes.readUInt32LE(KEY_LENGTH);
    const headerAEnd = keyEnd + bytes.readUInt32LE(HEADER_A_LENGTH);
    return {
      key: Buffer.from(bytes.subarray(FIXED_BYTES, keyEnd)),
      indexA: bytes.readDoubleLE(INDEX_A),
      indexB: bytes.readDoubleLE(INDEX_B),
      headerA: Buffer.from(bytes.subarray(keyEnd, headerAEnd)),
      headerB: Buffer.from(bytes.subarray(headerAEnd)),
    };
  },
};

const NO_HEADER = Buffer.alloc(0);

/** By key; one side's names are distinct, and should two be equal, by place. */
const byKey = (x: MemberPair, y: MemberPair) => Buffer.compare(x.key, y.key) || x.indexA - y.indexA || x.indexB - y.indexB;
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

  /** Runs that do not fit a batch go to scratch files in `workDir`. */
  constructor(workDir: string, limits: PairingLimits = PAIRING_LIMITS) {
    this.sideA = new SortedRecords(workDir, PAIR_CODEC, byKey, limits);
    this.sideB = new SortedRecords(workDir, PAIR_CODEC, byKey, limits);
    this.inA = new SortedRecords(workDir, PAIR_CODEC, byIndexA, limits);
    this.inB = new SortedRecords(workDir, PAIR_CODEC, byIndexB, limits);
  }

  /** A's next member: the name it has, and its header. */
  addA(key: Buffer, header: Buffer): void {
    this.sideA.add({ key, indexA: this.countA++, indexB: -1, headerA: header, headerB: NO_HEADER });
  }

  /** B's next member: the name A gives its place, and its header. */
  addB(key: Buffer, header: Buffer): void {
    this.sideB.add({ key, indexA: -1, indexB: this.countB++, headerA: NO_HEADER, headerB: header });
  }

  /** Pairs the members by key (once both sides are added): a merge of the two sides in key order, whose runs are then removed. */
  async pair(): Promise<void> {
    const a = this.sideA.sorted();
    const b = this.sideB.sorted();
    let x = a.next();
    let y = b.next();
    while (!x.done || !y.done) {
      const order = x.done ? 1 : y.done ? -1 : Buffer.compare(x.value.key, y.value.key);
      if (order < 0) {
        this.inA.add(x.value);
        x = a.next();
      } else if (order > 0) {
        this.inB.add(y.value);
        y = b.next();
      } else {
        const pair: MemberPair = { ...x.value, indexB: y.value.indexB, headerB: y.value.headerB };
        this.inA.add(pair);
        this.inB.add(pair);
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

  /** Every member of B in B's order, with A's header where A has it. */
  inOrderOfB(): Iterable<MemberPair> {
    return this.inB.sorted();
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
      if (x.indexB !== y.indexB) yield [position, x.key.toString('utf8'), y.key.toString('utf8')];
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
