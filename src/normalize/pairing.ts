// Which member of B stands where a member of A stands, when the two are releases of one project:
// an sdist's top directory (`pkg-1.0/`, `pkg-1.1/`) and a wheel's `NAME-VERSION.dist-info/` and
// `NAME-VERSION.data/` carry the version in their names, yet hold the same things. compare makes one
// pairing of the content views; its content differences and both handlers' metadata comparisons
// (through ./paired-runs.ts) pair members by it.

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
