// The content digest (docs/digest.md): sha256 over the content view, so that it is equal for equal
// content however the archive was written (order, headers, compression, explicit or implied
// directories). The serialization is NUL-terminated fields, which no name or link target can hold.
import { createHash } from 'node:crypto';
import { RefusedInput, describeError, failureStatus, inNameOrder, namingFile, usingContent } from '../normalize/index.js';
import type { ArtefactKind, ContentRecord, ContentType } from '../normalize/index.js';
import { loadProjectConfig, resolveArtefacts, resolvePaths } from '../settings/index.js';
import type { Artefact } from '../settings/index.js';

/** The first field of the serialization: names the algorithm, so that a later one cannot collide. */
export const DIGEST_TAG = 'reprodist-digest-v1';

const TYPE_CHAR: Record<ContentType, string> = { file: 'f', directory: 'd', symlink: 'l' };

/**
 * The bytes that are hashed: the tag, then per record in name order (UTF-8 bytes) five fields: type
 * (`f`, `d`, `l`), executable (`1` or `0`), sha256 (hex, files only), name, link target (symlinks
 * only); every field is UTF-8 followed by one NUL byte.
 */
export function serializeContent(records: Iterable<ContentRecord>): Buffer {
  return Buffer.from([...serializedPieces(records)].join(''), 'utf8');
}

/**
 * sha256 (hex) of the serialization of a content view (records in any order; a view in name order,
 * as handlers give, is hashed a record at a time and never held whole).
 */
export function contentDigest(records: Iterable<ContentRecord>): string {
  const hash = createHash('sha256');
  for (const piece of serializedPieces(records)) hash.update(piece, 'utf8');
  return hash.digest('hex');
}

/** The serialization's text: the tag, then one piece per record in name order. */
function* serializedPieces(records: Iterable<ContentRecord>): Generator<string> {
  yield `${DIGEST_TAG}\0`;
  for (const record of inNameOrder(records)) {
    if (record.linkTarget.includes('\0')) throw new RefusedInput(`${record.name}: symlink target contains a NUL byte`);
    const isFile = record.type === 'file';
    const fields = [TYPE_CHAR[record.type], isFile && record.executable ? '1' : '0', isFile ? record.sha256 : '', record.name, record.type === 'symlink' ? record.linkTarget : ''];
    yield `${fields.join('\0')}\0`;
  }
}

export interface DigestResult {
  path: string;
  kind: ArtefactKind;
  status: 'ok' | 'refused' | 'error';
  /** sha256 hex, when `ok`. */
  digest?: string;
  /** For refused and error: one line, naming the file. */
  message?: string;
}

/** digest's document: `--json` prints it and the library's digest() resolves to it. */
export interface DigestReport {
  command: 'digest';
  results: DigestResult[];
  /** Arguments (or settings) that named nothing usable, one line each. */
  problems: string[];
  /** 0 every file digested, 2 otherwise. */
  exitCode: number;
}

/**
 * The content digests of the artefacts that files, directories or globs name (none: the nearest
 * [tool.reprodist] `paths`, else `dist/`). Never throws for a bad input: it is in `problems` or a
 * result's `message`.
 */
export async function digest(paths: readonly string[] = []): Promise<DigestReport> {
  const report: DigestReport = { command: 'digest', results: [], problems: [], exitCode: 0 };
  try {
    const { artefacts, problems } = await resolveArtefacts(resolvePaths(paths, loadProjectConfig()));
    report.problems.push(...problems);
    for (const artefact of artefacts) report.results.push(await digestArtefact(artefact));
  } catch (error) {
    report.problems.push(describeError(error));
  }
  report.exitCode = report.problems.length > 0 || report.results.some((r) => r.status !== 'ok') ? 2 : 0;
  return report;
}

/** The content digest of one artefact; never throws. */
async function digestArtefact({ path, handler }: Artefact): Promise<DigestResult> {
  try {
    return { path, kind: handler.kind, status: 'ok', digest: await usingContent(handler.readContent(path), contentDigest) };
  } catch (error) {
    return { path, kind: handler.kind, status: failureStatus(error), message: describeError(namingFile(path, error)) };
  }
}
