// Which member of B stands where a member of A stands, when the two are releases of one project:
// an sdist's top directory (`pkg-1.0/`, `pkg-1.1/`) and a wheel's `NAME-VERSION.dist-info/` and
// `NAME-VERSION.data/` carry the version in their names, yet hold the same things. compare's content
// differences and both handlers' metadata comparisons pair members through this one rule.
import type { ArtefactKind } from './handler.js';

/** A top-level directory that B names differently from A. */
export interface RenamedRoot {
  a: string;
  b: string;
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
 * Pairs the roots by role: for sdists the one top directory each side has (the sdist format puts
 * every member under `{name}-{version}/`); for wheels the one `.dist-info` and the one `.data`
 * directory (binary distribution format). A side with no such root, or with two, pairs names as
 * they are. Names are content-view names (no trailing slash).
 */
export function pairMembers(kind: ArtefactKind, namesA: readonly string[], namesB: readonly string[]): MemberPairing {
  const rootsA = topLevelNames(namesA);
  const rootsB = topLevelNames(namesB);
  const roles: ((root: string) => boolean)[] = kind === 'sdist' ? [() => true] : [(root) => root.endsWith('.dist-info'), (root) => root.endsWith('.data')];
  const renamedRoots: RenamedRoot[] = [];
  for (const role of roles) {
    const a = [...rootsA].filter(role);
    const b = [...rootsB].filter(role);
    if (a.length === 1 && b.length === 1 && a[0] !== b[0]) renamedRoots.push({ a: a[0]!, b: b[0]! });
  }
  const aOf = new Map(renamedRoots.map((root) => [root.b, root.a]));
  const bOf = new Map(renamedRoots.map((root) => [root.a, root.b]));
  return { renamedRoots, toA: (name) => renameRoot(name, aOf), toB: (name) => renameRoot(name, bOf) };
}

function topLevelNames(names: readonly string[]): Set<string> {
  return new Set(names.map((name) => name.split('/', 1)[0]!));
}

function renameRoot(name: string, renames: ReadonlyMap<string, string>): string {
  if (renames.size === 0) return name;
  const slash = name.indexOf('/');
  const root = slash < 0 ? name : name.slice(0, slash);
  const renamed = renames.get(root);
  return renamed === undefined ? name : renamed + name.slice(root.length);
}
