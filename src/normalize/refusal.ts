// What the normal form refuses rather than guesses at: names and links that would write outside the
// extraction directory (as Python's tarfile `data` filter and installers refuse them).
import { posix } from 'node:path';
import { contentName } from './content.js';
import { RefusedInput } from './failure.js';

/** Validates a member name and returns it without trailing slashes. */
export function checkMemberName(raw: string): string {
  const name = contentName(raw);
  const shown = JSON.stringify(raw);
  if (name === '') throw new RefusedInput(`member name ${shown} is empty`);
  if (name.includes('\0')) throw new RefusedInput(`member name ${shown} contains a NUL byte`);
  if (name.includes('\ufffd')) throw new RefusedInput(`member name ${shown} is not valid UTF-8`);
  if (name.startsWith('/')) throw new RefusedInput(`member name ${shown} is an absolute path`);
  if (escapes(name)) throw new RefusedInput(`member name ${shown} uses .. to leave the archive's directory`);
  return name;
}

/** Validates a symlink's target against the link's own place; returns the target unchanged. */
export function checkLinkTarget(linkPath: string, target: string): string {
  if (target === '') throw new RefusedInput(`${linkPath}: symlink with an empty target`);
  if (target.startsWith('/')) throw new RefusedInput(`${linkPath}: symlink to the absolute path ${target}`);
  if (escapes(posix.join(posix.dirname(linkPath), target))) {
    throw new RefusedInput(`${linkPath}: symlink to ${target} points outside the archive`);
  }
  return target;
}

/** Whether a relative path climbs above its starting directory at any point. */
function escapes(path: string): boolean {
  let depth = 0;
  for (const part of path.split('/')) {
    if (part === '..') depth -= 1;
    else if (part !== '' && part !== '.') depth += 1;
    if (depth < 0) return true;
  }
  return false;
}

/** Every directory above `path`, nearest first (`a/b/c` gives `a/b`, `a`). */
export function ancestorsOf(path: string): string[] {
  const out: string[] = [];
  for (let dir = posix.dirname(path); dir !== '.' && dir !== '/'; dir = posix.dirname(dir)) out.push(dir);
  return out;
}

/** Refuses a member whose parent path is a member that is not a directory (a file, a link). */
export function checkParentsAreDirectories(members: readonly { path: string; type: string }[]): void {
  const byPath = new Map(members.map((m) => [m.path, m]));
  for (const member of members) {
    for (const dir of ancestorsOf(member.path)) {
      const parent = byPath.get(dir);
      if (parent && parent.type !== 'directory') throw new RefusedInput(`${member.path}: its parent ${dir} is a ${parent.type}, not a directory`);
    }
  }
}
