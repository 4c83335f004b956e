// One handler per artefact kind, behind this interface: the only code that reads or writes a format.
// Every verb goes through it: normalize and check (normalize), verification and digest (readContent),
// compare (readContent, compareMetadata, readMemberHeads).
import type { ByteSink } from '../formats/sink.js';
import type { ContentRecord } from './content.js';
import type { NormalizeOptions } from './options.js';
import type { Change } from './report.js';

export type ArtefactKind = 'sdist' | 'wheel';

export interface HandlerRun {
  /** What the normal form changes compared with the input. */
  changes: Change[];
  /** The input's content view, which the output must equal. */
  content: ContentRecord[];
  /** What is wrong with the artefact that normalizing does not fix (a RECORD that does not match). */
  problems?: string[];
  /** sha256 of the input file, when the handler hashed it in its own read (else the caller reads it again). */
  inputSha256?: string;
  /**
   * Whether the handler verified what it wrote while writing it (asked for with `verify`): the output
   * is then known to hold `content`, and the caller does not read it back.
   */
  verified?: boolean;
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
  matches(fileName: string): boolean;
  /**
   * Writes the normal form of `inputPath` to `sink`; `workDir` may hold its scratch files. With
   * `verify`, a handler that can verifies the output as it writes it and says so (`verified`).
   */
  normalize(inputPath: string, sink: ByteSink, options: NormalizeOptions, workDir: string, verify?: boolean): Promise<HandlerRun>;
  /** The content view of an artefact of this kind. */
  readContent(path: string): Promise<ContentRecord[]>;
  /**
   * How the metadata of A differs from B's. With `sameContent`, bytes that differ where no field
   * does are put down to encoding or layout.
   */
  compareMetadata(a: string, b: string, sameContent: boolean): Promise<MetadataComparison>;
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
