// What the members of a wheel are to someone reading a release's changes, and which directories hold
// the same things in two releases: everything about the wheel kind that compare needs.
import type { MemberRole } from '../handler.js';

/** `{name}-{version}.dist-info/` and `{name}-{version}.data/` (binary distribution format), each paired across versions by its role. */
export const WHEEL_ROOTS: readonly RegExp[] = [/^(?:.+-(?<version>[^-]+)|.*)\.dist-info$/, /^(?:.+-(?<version>[^-]+)|.*)\.data$/];

/**
 * The core metadata is `.dist-info/METADATA`, RECORD is derived (it hashes every other file), the
 * rest of `.dist-info/` and the `.data/` directories other than purelib and platlib are other; what
 * installs into site-packages is the package.
 */
export function wheelMemberRoles(): (name: string) => MemberRole {
  return (name) => {
    const [top = '', second = ''] = name.split('/', 2);
    const inTop = name.slice(top.length + 1);
    if (top.endsWith('.dist-info')) return inTop === 'METADATA' ? 'core-metadata' : inTop === 'RECORD' ? 'derived' : 'other';
    if (top.endsWith('.data')) return second === 'purelib' || second === 'platlib' ? 'package' : 'other';
    return 'package';
  };
}
