// The bounds an input must keep (docs/limits.md), in one place: each is refused with a message that
// names it, before the part it bounds is read. They keep a small hostile input from costing more
// memory or time than a big honest one.

/** The longest member name (and sdist symlink target) accepted, in UTF-8 bytes: PATH_MAX on Linux. */
export const MAX_NAME_BYTES = 4096;
/** The deepest member name accepted, in path segments; deeper paths cost memory with every level. */
export const MAX_NAME_DEPTH = 256;

/** The most symlinks followed while resolving one path (Linux's MAXSYMLINKS). */
export const MAX_LINK_HOPS = 40;

/** A symlink's target, in bytes: PATH_MAX on Linux. A wheel member's declared size is checked before it is read. */
export const MAX_LINK_TARGET_BYTES = 4096;

/**
 * The names and targets of the links held until every member is read, in bytes, for each of two
 * kinds: an archive's symlinks, held to resolve each link through the others (40,000 symlinks to 4
 * KB targets, 1 MB of gzip, held 320 MB of them), and an sdist's hard links whose file was in an
 * earlier sorted run, held to be resolved once every run is written (30,000 such links of 4 KB
 * names, 1.5 MB of gzip: 279 MiB).
 */
export const MAX_HELD_LINK_BYTES = 16 << 20;

/**
 * A wheel's RECORD, in bytes (declared size, checked before it is read). A RECORD line is about 100
 * bytes, so this allows some 160,000 files; the largest wheels on PyPI list a few tens of thousands.
 */
export const MAX_RECORD_BYTES = 16 << 20;

/** `16 MiB`, `4096 bytes`: a limit as its message says it. */
export function sizeText(bytes: number): string {
  if (bytes >= 1 << 20 && bytes % (1 << 20) === 0) return `${bytes / (1 << 20)} MiB`;
  if (bytes >= 1 << 10 && bytes % (1 << 10) === 0 && bytes > 4096) return `${bytes / (1 << 10)} KiB`;
  return `${bytes} bytes`;
}

/**
 * The normal form of an sdist names every parent directory of every member, and so does a wheel's
 * content view, so a few deep names can ask for far more rows than the input holds (400 members 250
 * levels deep: 100,000 directories). An sdist's tar, or a wheel's rows, may hold at most this many
 * times the input's members, plus MAX_NAME_DEPTH (the directories of one deepest path, for the
 * smallest inputs)...
 */
export const MAX_OUTPUT_MEMBERS_FACTOR = 4;
/**
 * ...and an sdist's tar at most this many times the input tar's bytes, plus OUTPUT_BYTES_ALLOWANCE (a
 * deepest path's directories with the longest names)...
 */
export const MAX_OUTPUT_BYTES_FACTOR = 4;
export const OUTPUT_BYTES_ALLOWANCE = 2 << 20;
/**
 * ...and the directories a wheel's content view adds at most this many times its entries' names, plus
 * OUTPUT_BYTES_ALLOWANCE. In 917 real wheels (PyPI's, pip's and setuptools' own) they are at most
 * 0.78 of them, and a small wheel's; a wheel's rows are all held in one table, where 4,000 entries of
 * 4 KB names each in directories of its own took 162 MiB under the sdist's factor of 4.
 */
export const MAX_ADDED_DIRECTORY_NAMES_FACTOR = 1;
