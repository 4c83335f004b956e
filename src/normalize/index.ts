// The normal form (docs/normal-form.md): one handler per artefact kind, and everything the layers
// above use of it. Only this folder reads or writes a format (src/formats/).
import { basename } from 'node:path';
import type { ArtefactHandler } from './handler.js';
import { sdistHandler } from './sdist/index.js';
import { wheelHandler } from './wheel/index.js';

/**
 * Every artefact kind reprodist knows, one handler each. A new kind is a folder beside sdist/ and
 * wheel/ and one row here: the paths, every verb, the messages and compare take it from its handler.
 */
const handlers: ArtefactHandler[] = [sdistHandler, wheelHandler];

/** The kinds, in the order they are listed in messages. */
export function artefactHandlers(): readonly ArtefactHandler[] {
  return handlers;
}

/** Adds a kind defined outside this folder (a test's toy kind, an extension); it is known to every verb from then on. */
export function registerHandler(handler: ArtefactHandler): void {
  if (handlers.some((known) => known.kind === handler.kind)) throw new TypeError(`registerHandler: a handler of kind ${JSON.stringify(handler.kind)} is registered already`);
  handlers.push(handler);
}

/** The handler whose file-name ending the path has (the longest, should two endings overlap). */
export function handlerFor(path: string): ArtefactHandler | undefined {
  const name = basename(path);
  const matching = handlers.filter((handler) => name.endsWith(handler.suffix) && name.length > handler.suffix.length);
  return matching.sort((x, y) => y.suffix.length - x.suffix.length)[0];
}

/** What the file name says, by its kind's grammar; undefined for a file of no kind or a name off the grammar. */
export function parseArtefactName(path: string) {
  return handlerFor(path)?.parseName(basename(path));
}

/** The kinds in a message: `an sdist (.tar.gz) or a wheel (.whl)`. */
export function describeKinds(): string {
  return handlers.map((handler) => handler.described).join(' or ');
}

/** The file-name endings in a message: `.tar.gz or .whl`. */
export function kindSuffixes(): string {
  return handlers.map((handler) => handler.suffix).join(' or ');
}

export type { ArtefactHandler, ArtefactKind, ArtefactName, MemberHead, MemberRole, MetadataComparison } from './handler.js';
export { MEMBER_ROLE_ORDER } from './handler.js';
export { normalizeProjectName } from './project-name.js';
export { checkArtefact, fileTypeName, normalizeArtefact, sha256File } from './artefact.js';
export type { ArtefactResult, ArtefactStatus } from './artefact.js';
export { defaultJobs, runBatch } from './batch.js';
export type { BatchDisplay } from './batch.js';
export { checkReadable, compareNames, inNameOrder, sortedContentDifferences, spilledContentView, usingContent } from './content.js';
export type { ContentDifference, ContentDifferenceKind, ContentRecord, ContentType, ContentView } from './content.js';
export { RefusedInput, describeError, failureStatus, namingFile } from './failure.js';
export { DEFAULT_EPOCH, DEFAULT_LEVEL, DEFAULT_WHEEL_LEVEL, LEVELS, MAX_EPOCH, MIN_EPOCH } from './options.js';
export type { MtimePolicy, NormalizeOptions } from './options.js';
export type { Change } from './report.js';
export { MAX_EXAMPLES, everyExample } from './report.js';
export { pairMembers } from './pairing.js';
export type { MemberPairing, RenamedRoot } from './pairing.js';
export { removeAllScratchNow, removeOnSignal, removeScratch, removeStaleScratch, scratchPath } from './scratch.js';
