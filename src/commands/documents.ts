// The documents the verbs return, one shape for all (`command`, `results`, `problems`, `exitCode`):
// what `--json` prints and what the library's functions resolve to. Nothing here refers to the
// command line's own types, so the library's published types stand alone.
import type { Comparison } from '../compare/index.js';
import type { ArtefactResult } from '../normalize/index.js';
import type { GivenSettings } from '../settings/index.js';
import type { ReleaseRebuild, Verification } from '../verify/index.js';

/** The report of normalize and check. */
export interface Report {
  command: 'normalize' | 'check';
  /** The epoch the normal form was written or checked with (absent when the settings could not be used). */
  epoch?: number;
  results: ArtefactResult[];
  /** Arguments and settings that named nothing usable, one line each. */
  problems: string[];
  exitCode: number;
}

/** What normalize and check are given: the paths, and the settings of the normal form. */
export interface ArtefactFlags extends GivenSettings {
  paths: string[];
}

/** The documents a report file (`--html FILE`, commands/reports.ts) can be made of. */
export type ReportDocument = Comparison | Verification | ReleaseRebuild;
