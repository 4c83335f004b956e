// Which member of B stands where a member of A stands, when the two are releases of one project:
// an sdist's top directory (`pkg-1.0/`, `pkg-1.1/`) and a wheel's `NAME-VERSION.dist-info/` and
// `NAME-VERSION.data/` carry the version in their names, yet hold the same things. compare's content
// differences and both handlers' metadata comparisons pair members through this one rule.
import type { MemberTable } from './member-table.js';

/** A top-level directory that B names differently from A. */
export interface RenamedRoot {
  a: string;
  b: string;
  /** The versions the two names carry, when the role's pattern finds one in both. */
  version?: { a: string; b: string };
}

export interface MemberPairing {
  /** The directories paired by role whose names differ (empty when every name pairs as it is). */
  renamedRoots: RenamedRoot[];
  /** A member name of B as A names the same place. */
  toA(nameB: string): string;
  /** A member name of A as B names the same place. */
  toB(nameA: string): string;
}

/**
 * Pairs the top-level directories by role, one pattern per role as the kind's handler declares
 * (`roots`): for sdists the one top directory each side has, for wheels the one `.dist-info` and
 * the one `.data` directory. A side with no directory of a role, or with two, pairs names as they
 * are. Names are content-view names (no trailing slash).
 */
export function pairMembers(roles: readonly RegExp[], namesA: Iterable<string>, namesB: Iterable<string>): MemberPairing {
  const rootsA = [...topLevelNames(namesA)];
  const rootsB = [...topLevelNames(namesB)];
  const renamedRoots: RenamedRoot[] = [];
  for (const role of roles) {
    const a = rootsA.filter((root) => role.test(root));
    const b = rootsB.filter((root) => role.test(root));
    if (a.length !== 1 || b.length !== 1 || a[0] === b[0]) continue;
    const versionA = role.exec(a[0]!)?.groups?.version;
    const versionB = role.exec(b[0]!)?.groups?.version;
    renamedRoots.push({ a: a[0]!, b: b[0]!, ...(versionA && versionB ? { version: { a: versionA, b: versionB } } : {}) });
  }
  const aOf = new Map(renamedRoots.map((root) => [root.b, root.a]));
  const bOf = new Map(renamedRoots.map((root) => [root.a, root.b]));
  return { renamedRoots, toA: (name) => renameRoot(name, aOf), toB: (name) => renameRoot(name, bOf) };
}

/** The first segment of each name, once each. */
export function topLevelNames(names: Iterable<string>): Set<string> {
  const tops = new Set<string>();
  for (const name of names) tops.add(name.split('/', 1)[0]!);
  return tops;
}

function renameRoot(name: string, renames: ReadonlyMap<string, string>): string {
  if (renames.size === 0) return name;
  const slash = name.indexOf('/');
  const root = slash < 0 ? name : name.slice(0, slash);
  const renamed = renames.get(root);
  return renamed === undefined ? name : renamed + name.slice(root.length);
}

/**
 * Two archives' members paired by a pairing, each side's names a member table (a row per member, in
 * archive order), so that a member is found by name without a map of every name.
 * Each member's partner is found once, when the pairing is made (4 bytes a member on each side),
 * and read by the field comparisons, the order and the count alike. An archive's names are distinct.
 */
export class PairedRows {
  /** A's row of each of B's rows, and B's of each of A's, or -1. */
  private readonly rowsInA: Int32Array;
  private readonly rowsInB: Int32Array;
  private readonly toA: (nameB: string) => string;

  constructor({ toA, toB }: MemberPairing, readonly a: MemberTable, readonly b: MemberTable) {
    this.toA = toA;
    this.rowsInB = Int32Array.from({ length: a.count }, (_, row) => b.find(toB(a.name(row))));
    this.rowsInA = Int32Array.from({ length: b.count }, (_, row) => a.find(toA(b.name(row))));
  }

  /** B's row of the member at A's `row`, or -1. */
  rowInB(row: number): number {
    return this.rowsInB[row]!;
  }

  /** A's row of the member at B's `row`, or -1. */
  rowInA(row: number): number {
    return this.rowsInA[row]!;
  }

  /** How many members both have. */
  commonCount(): number {
    return this.rowsInB.reduce((count, row) => count + (row >= 0 ? 1 : 0), 0);
  }

  /**
   * Where the members both have stand in another order: the position among them (from 1), and A's
   * name of the member A has there and of the one B has there.
   */
  *orderDifferences(): Generator<[position: number, inA: string, inB: string]> {
    let rowB = -1;
    let position = 0;
    for (let row = 0; row < this.a.count; row++) {
      if (this.rowsInB[row]! < 0) continue;
      do rowB += 1;
      while (rowB < this.b.count && this.rowsInA[rowB]! < 0);
      if (rowB === this.b.count) return; // not when the pairing is one to one, as it is for distinct names
      position += 1;
      if (this.rowsInB[row] !== rowB) yield [position, this.a.name(row), this.toA(this.b.name(rowB))];
    }
  }
}
