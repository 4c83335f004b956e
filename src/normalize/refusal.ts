// What the normal form refuses rather than guesses at: names and links that installers would write
// outside the extraction directory, or read two ways (as Python's tarfile `data` filter, pip and
// installer refuse or differ on them).
import { posix } from 'node:path';
import { quotedName, shownName } from '../formats/errors.js';
import { contentName } from './content.js';
import { RefusedInput } from './failure.js';
import { MAX_HELD_LINK_BYTES, MAX_LINK_HOPS, MAX_NAME_BYTES, MAX_NAME_DEPTH, sizeText } from './limits.js';

/**
 * Validates a member name and returns it without trailing slashes. A name must be canonical: no
 * `.`, `..` or empty segments, no backslash, no drive letter, so that one spelling means one path to
 * every installer (pip strips a shared leading directory by its spelling, and Windows takes `\` and
 * `C:` as path syntax).
 */
export function checkMemberName(raw: string): string {
  const shown = quotedName(raw);
  if (raw.length > MAX_NAME_BYTES || Buffer.byteLength(raw, 'utf8') > MAX_NAME_BYTES) {
    throw new RefusedInput(`member name ${shown} is longer than the limit of ${MAX_NAME_BYTES} bytes`);
  }
  const name = contentName(raw);
  if (name === '') throw new RefusedInput(`member name ${shown} is empty`);
  if (name.includes('\0')) throw new RefusedInput(`member name ${shown} contains a NUL byte`);
  if (name.includes('\ufffd')) throw new RefusedInput(`member name ${shown} is not valid UTF-8`);
  if (name.startsWith('/')) throw new RefusedInput(`member name ${shown} is an absolute path`);
  if (name.includes('\\')) throw new RefusedInput(`member name ${shown} contains a backslash, a path separator to installers on Windows`);
  if (/^[A-Za-z]:/.test(name)) throw new RefusedInput(`member name ${shown} starts with a drive letter`);
  const parts = name.split('/');
  if (parts.length > MAX_NAME_DEPTH) throw new RefusedInput(`member name ${shown} is deeper than the limit of ${MAX_NAME_DEPTH} levels`);
  if (escapes(parts)) throw new RefusedInput(`member name ${shown} uses .. to leave the archive's directory`);
  if (parts.some((part) => part === '' || part === '.' || part === '..')) {
    throw new RefusedInput(`member name ${shown} has a ".", ".." or empty segment (installers would read it as another path)`);
  }
  return name;
}

/** Validates a symlink's target against the link's own place, lexically; returns the target unchanged. */
export function checkLinkTarget(linkPath: string, target: string): string {
  const link = shownName(linkPath);
  if (target === '') throw new RefusedInput(`${link}: symlink with an empty target`);
  if (target.includes('\0')) throw new RefusedInput(`${link}: symlink target contains a NUL byte`);
  if (target.startsWith('/')) throw new RefusedInput(`${link}: symlink to the absolute path ${shownName(target)}`);
  if (target.includes('\\') || /^[A-Za-z]:/.test(target)) throw new RefusedInput(`${link}: symlink to ${quotedName(target)}, a Windows path`);
  if (Buffer.byteLength(target, 'utf8') > MAX_NAME_BYTES) throw new RefusedInput(`${link}: symlink target is longer than the limit of ${MAX_NAME_BYTES} bytes`);
  if (escapes(posix.join(posix.dirname(linkPath), target).split('/'))) {
    throw new RefusedInput(`${link}: symlink to ${shownName(target)} points outside the archive`);
  }
  return target;
}

/** Whether a relative path climbs above its starting directory at any point. */
function escapes(parts: readonly string[]): boolean {
  let depth = 0;
  for (const part of parts) {
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

/** The refusal of a second member of one name. */
export function duplicateMember(path: string): RefusedInput {
  return new RefusedInput(`${shownName(path)}: duplicate member name`);
}

/** The refusal of a member under `dir`, a member of another type than a directory. */
export function parentNotADirectory(path: string, dir: string, type: string): RefusedInput {
  return new RefusedInput(`${shownName(path)}: its parent ${shownName(dir)} is a ${type}, not a directory`);
}

/**
 * Refuses a member whose parent path is a member that is not a directory (a file, a link);
 * `typeOf` gives the type of the member of a name, if there is one.
 */
export function checkParentsAreDirectories(paths: Iterable<string>, typeOf: (path: string) => string | undefined): void {
  for (const path of paths) {
    for (const dir of ancestorsOf(path)) {
      const type = typeOf(dir);
      if (type !== undefined && type !== 'directory') throw parentNotADirectory(path, dir, type);
    }
  }
}

/** Links of one kind held until every member is read, counted as they are read: their names and targets within MAX_HELD_LINK_BYTES together. */
export class HeldLinkBytes {
  private bytes = 0;

  /** `what`: the links, as the message names them. */
  constructor(private readonly what: string) {}

  /** A link of `name`, its target `targetBytes` long: refused once the links counted pass the limit. */
  add(name: string, targetBytes: number): void {
    this.bytes += Buffer.byteLength(name, 'utf8') + targetBytes;
    if (this.bytes > MAX_HELD_LINK_BYTES) {
      throw new RefusedInput(`the archive's ${this.what} have more than ${sizeText(MAX_HELD_LINK_BYTES)} of names and targets (at ${shownName(name)}), over the limit for links held until every member is read (docs/limits.md)`);
    }
  }
}

/**
 * Resolves every symlink through the other symlinks of the archive, as the file system will once
 * everything is extracted, and refuses one that leaves `root` (the sdist's top directory, or the
 * wheel's root when `root` is ''), or that loops. `links` maps each symlink's path to its target.
 */
export function checkSymlinksResolved(links: ReadonlyMap<string, string>, root: string): void {
  const rootParts = root === '' ? [] : root.split('/');
  for (const [path, target] of links) {
    let hops = 0;
    const visited = new Set<string>();
    // Resolve the link's directory joined with its target, one segment at a time.
    const todo = [...target.split('/')].reverse();
    const at = posix.dirname(path) === '.' ? [] : posix.dirname(path).split('/');
    const fail = (why: string) => new RefusedInput(`${shownName(path)}: symlink to ${shownName(target)} ${why}`);
    while (todo.length > 0) {
      const part = todo.pop()!;
      if (part === '' || part === '.') continue;
      if (part === '..') {
        if (at.length === 0) throw fail('points outside the archive once the links it passes are followed');
        at.pop();
        continue;
      }
      at.push(part);
      const next = links.get(at.join('/'));
      if (next === undefined) continue;
      // A cycle leads nowhere (the link dangles, as on disk): stop there. A chain longer than the
      // kernel follows is refused, as systems differ on that length.
      const state = `${at.join('/')}\0${todo.join('\0')}`;
      if (visited.has(state)) break;
      visited.add(state);
      hops += 1;
      if (hops > MAX_LINK_HOPS) throw fail(`passes through more than ${MAX_LINK_HOPS} symlinks`);
      at.pop();
      todo.push(...next.split('/').reverse());
    }
    if (at.length < rootParts.length || rootParts.some((part, i) => at[i] !== part)) {
      throw fail(`resolves to ${shownName(at.join('/') || '.')}, outside ${root === '' ? 'the archive' : `the top directory ${shownName(root)}`}`);
    }
  }
}

/** The one directory every member lies in, when there is one (pip extracts an sdist from inside it), else ''. */
export function sharedTopDirectory(paths: Iterable<string>): string {
  let top: string | undefined;
  for (const path of paths) {
    const first = path.split('/')[0]!;
    if (top === undefined) top = first;
    else if (top !== first) return '';
  }
  return top ?? '';
}
