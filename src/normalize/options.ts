import { ZLIB_LEVELS } from '../formats/deflate/index.js';
import type { BlockCompressor, WholeDeflater } from '../formats/deflate/index.js';

/**
 * The epoch used when neither --epoch nor SOURCE_DATE_EPOCH gives one: 2020-02-02T00:00:00Z, the
 * same default hatchling uses, so hatchling's own output already carries it. Not 0 and not before
 * 1980: gzip warns about 0, and zip cannot store times before 1980.
 */
export const DEFAULT_EPOCH = 1580601600;
/** 1980-01-01T00:00:00Z, the earliest time a zip can hold; no earlier epoch or mtime is written. */
export const MIN_EPOCH = 315532800;
/** 2107-12-31T23:59:58Z, the latest time a zip can hold (and well inside tar's 11 octal digits). */
export const MAX_EPOCH = 4354819198;

/** `epoch`: every mtime becomes the epoch. `clamp`: older mtimes stay, newer ones become the epoch. */
export type MtimePolicy = 'epoch' | 'clamp';

export interface NormalizeOptions {
  /** Seconds since 1970, a whole number in [MIN_EPOCH, MAX_EPOCH]. */
  epoch: number;
  mtime: MtimePolicy;
  /** A deflate level of LEVELS; when absent, the artefact kind's default (sdists 9, wheels 6). */
  level?: number;
  /** Wheels only: copy the builder's compressed bytes instead of recompressing. */
  keepCompression: boolean;
  /** Runs deflate blocks; a worker pool makes compression parallel without changing bytes. */
  compressor?: BlockCompressor;
  /** Deflates batches of small inputs whole; a worker pool runs them beside this thread, without changing bytes. */
  wholeDeflater?: WholeDeflater;
  /** How many blocks may be compressing at once (1 without a pool). */
  blocksInFlight?: number;
  /** Tells the pool that at least this many bytes are to be compressed, so that it can start its threads early. */
  expectCompression?: (bytes: number) => void;
  /**
   * sdists: how many members are indexed in memory before they go to sorted runs in the scratch
   * directory (src/normalize/sdist/runs.ts; RUN_ROWS when absent). Bytes do not depend on it.
   */
  membersPerRun?: number;
  /** Told, as the output is written, how many uncompressed member bytes are done out of how many. */
  onProgress?: (done: number, total: number) => void;
  /**
   * Told when a phase of a run has ended and what it held is dead (the output written, before it
   * is read back): the command line may collect garbage then (src/commands/dead-buffers.ts).
   */
  phaseDone?: () => void;
}

/** sdists: maximum compression, as Python's tarfile `w:gz` (setuptools) writes them. */
export const DEFAULT_LEVEL = 9;
/**
 * Wheels: level 6, what Python's zipfile (so setuptools, hatchling, flit, poetry) writes. Level 9
 * costs about four times the CPU for under 1% smaller output, over thousands of members.
 */
export const DEFAULT_WHEEL_LEVEL = 6;
/**
 * The levels a user may ask for (src/settings/ holds them to it): zlib's from 1 up. Not 0, which
 * stores without compressing, nor -1, which is 6 by another name.
 */
export const LEVELS = { min: 1, max: ZLIB_LEVELS.max } as const;

/** The mtime a member gets in the normal form. */
export function normalMtime(original: number, options: Pick<NormalizeOptions, 'epoch' | 'mtime'>): number {
  if (options.mtime === 'epoch') return options.epoch;
  return Math.max(MIN_EPOCH, Math.min(Math.floor(original), options.epoch));
}

/** The permission bits of a regular file in the normal form: 0755 iff any x bit was set. */
export function normalFileMode(mode: number): number {
  return mode & 0o111 ? 0o755 : 0o644;
}
