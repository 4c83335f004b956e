// What the members of an sdist are to someone reading a release's changes, and which directory
// holds the same things in two releases: everything about the sdist kind that compare needs.
import type { MemberRole } from '../handler.js';
import { topLevelNames } from '../pairing.js';

/** The one top directory, `{name}-{version}/` (sdist format): paired across versions by its role. */
export const SDIST_ROOTS: readonly RegExp[] = [/^.*?(?:-(?<version>[^-]+))?$/];

/** Directories with an `__init__.py` that are not the importable package for all that. */
const NOT_PACKAGES = new Set(['test', 'tests', 'testing', 'doc', 'docs', 'example', 'examples', 'benchmark', 'benchmarks']);
/** Modules at the top that build or test the project rather than being installed. */
const NOT_MODULES = new Set(['setup.py', 'conftest.py', 'noxfile.py']);

/**
 * The core metadata is the top-level PKG-INFO; setuptools' `*.egg-info/` is derived from the rest.
 * The importable package is what a wheel built from the sdist would install: everything under
 * `src/` (the src layout), top-level directories that hold an `__init__.py` (bar tests and docs),
 * and top-level modules other than setup.py and test configuration.
 */
export function sdistMemberRoles(names: Iterable<string>): (name: string) => MemberRole {
  const tops = topLevelNames(names);
  const top = tops.size === 1 ? `${[...tops][0]!}/` : '';
  const inTop = (name: string) => (name.startsWith(top) ? name.slice(top.length) : undefined);
  const packages = new Set<string>();
  for (const name of names) {
    const match = /^([^/]+)\/__init__\.py$/.exec(inTop(name) ?? '');
    if (match && !NOT_PACKAGES.has(match[1]!)) packages.add(match[1]!);
  }
  return (name) => {
    const relative = inTop(name);
    if (/(^|\/)[^/]+\.egg-info\/[^/]+$/.test(name)) return 'derived';
    if (relative === undefined) return 'other';
    if (relative === 'PKG-INFO') return 'core-metadata';
    if (relative.startsWith('src/')) return 'package';
    const slash = relative.indexOf('/');
    if (slash > 0 ? packages.has(relative.slice(0, slash)) : /\.pyi?$/.test(relative) && !NOT_MODULES.has(relative)) return 'package';
    return 'other';
  };
}
