// One handler per artefact kind, behind this interface: the only code that reads or writes a format.
// Every verb goes through it: normalize and check (normalize), verification and digest (readContent),
// compare (readContent, compareMetadata, readMemberHeads).
import type { ByteSink } from '../formats/sink.js';
import type { ContentDifference, ContentView } from './content.js';
import type { NormalizeOptions } from './options.js';
import type { MemberPairing } from './pairing.js';
import type { Change } from './report.js';

/** The kind's name in results and `--json` (`sdist`, `wheel`): one per handler. */
export type ArtefactKind = string;

/** What an artefact's file name says, by its kind's grammar. */
export interface ArtefactName {
  kind: ArtefactKind;
  /** The normalized project name: lower case, each run of `-`, `_`, `.` one `-` (PEP 503). */
  project: string;
  version: string;
  /** Wheels: `python-abi-platform`, the tags that say where it installs. */
  tags?: string;
}

/**
 * What a member is to someone reading a release's changes, in the order compare shows them: the
 * core metadata (what the release is), the importable package, everything else (docs, tests,
 * tooling), then what a build derives from the others (a wheel's RECORD, an sdist's egg-info).
 */
export type MemberRole = 'core-metadata' | 'package' | 'other' | 'derived';

/** Ranks of the roles, in reading order. */
export const MEMBER_ROLE_ORDER: readonly MemberRole[] = ['core-metadata', 'package', 'other', 'derived'];

export interface HandlerRun {
  /** What the normal form changes compared with the input. */
  changes: Change[];
  /** The input's content view, which the output must equal (read for colliding names, then against the output); released by the caller. */
  content: ContentView;
  /** What is wrong with the artefact that normalizing does not fix (a RECORD that does not match). */
  problems?: string[];
  /**
   * Whether the handler verified what it wrote while writing it (asked for with `verify`): the output
   * is then known to hold `content`, and the caller does not read it back.
   */
  verified?: boolean;
  /**
   * How the output at `path` differs from `content` (none when it holds it), for a handler that
   * checked each member's data as it wrote it (asked for with `verify`) but must read the output's
   * structure back: the caller uses it instead of comparing with `readContent`, which reads every
   * member again.
   */
  readWritten?: (path: string) => Promise<ContentDifference[]>;
}

/** How two artefacts' metadata (everything the content view leaves out) differ. */
export interface MetadataComparison {
  /** Fields named as in check's output (`gzip ...`, `tar ...`, `zip ...`), with counts and examples. */
  changes: Change[];
  /** How many member headers (directory entries included) both archives have: what the counts are out of. */
  commonMembers: number;
}

/** The start of one member's data, for showing how it differs. */
export interface MemberHead {
  /** The member's full size. */
  size: number;
  /** Its first bytes, at most the limit asked for. */
  head: Buffer;
}

export interface ArtefactHandler {
  kind: ArtefactKind;
  /** The file-name ending that makes a file this kind (`.tar.gz`): directories and globs look for `*{suffix}`. */
  suffix: string;
  /** The kind in messages, with its article and ending: `an sdist (.tar.gz)`. */
  described: string;
  /** compare's words for two differently named files paired as one project's (`sdist`, `wheel for the same tags`). */
  pairedAs: string;
  /** What the file name says (project, version, tags), or undefined when it does not follow the kind's grammar. */
  parseName(fileName: string): ArtefactName | undefined;
  /**
   * The top-level directories that hold the same things in two releases though their names carry
   * the version (an sdist's `{name}-{version}/`, a wheel's `.dist-info/` and `.data/`): one pattern
   * per role, whose `version` group, when it matches, is the version the directory names.
   */
  roots: readonly RegExp[];
  /**
   * Metadata fields (as compareMetadata names them) that the normal form keeps rather than sets: two
   * artefacts of the same content that differ in one still differ once both are normalized (an
   * sdist's hard link against two copies of a file).
   */
  preservedFields: readonly string[];
  /** Given every member name of one artefact (content-view names, readable more than once), the role of each member. */
  memberRoles(names: Iterable<string>): (name: string) => MemberRole;
  /**
   * Writes the normal form of `inputPath` to `sink`; `workDir` may hold its scratch files. With
   * `verify`, a handler that can verifies the output as it writes it and says so (`verified`).
   */
  normalize(inputPath: string, sink: ByteSink, options: NormalizeOptions, workDir: string, verify?: boolean): Promise<HandlerRun>;
  /** The content view of an artefact of this kind, once the whole artefact is read and its rules hold; released by the caller. */
  readContent(path: string): Promise<ContentView>;
  /**
   * How the metadata of A differs from B's, B's members paired with A's by `pairing` (the one compare
   * made of the content views). With `sameContent`, bytes that differ where no field does are put
   * down to encoding or layout.
   */
  compareMetadata(a: string, b: string, sameContent: boolean, pairing: MemberPairing): Promise<MetadataComparison>;
  /** The first `limit` bytes of the named file members (hard links read as their target); absent names are left out. */
  readMemberHeads(path: string, names: readonly string[], limit: number): Promise<Map<string, MemberHead>>;
}

/**
 * Keeps the first `limit` bytes of a member's data. With `stopAtLimit` it stops reading there (the
 * size is then what was read); without, it reads to the end, as a tar stream must be.
 */
export async function readHead(chunks: AsyncIterable<Uint8Array>, limit: number, stopAtLimit: boolean): Promise<MemberHead> {
  const kept: Uint8Array[] = [];
  let keptLength = 0;
  let size = 0;
  for await (const chunk of chunks) {
    size += chunk.length;
    if (keptLength < limit) {
      const part = chunk.subarray(0, limit - keptLength);
      kept.push(part);
      keptLength += part.length;
    } else if (stopAtLimit) {
      break;
    }
  }
  return { size, head: Buffer.concat(kept) };
}
