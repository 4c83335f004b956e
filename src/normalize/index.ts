// The normal form (docs/normal-form.md): one handler per artefact kind, and everything the layers
// above use of it. Only this folder reads or writes a format (src/formats/).
import { basename } from 'node:path';
import type { ArtefactHandler } from './handler.js';
import { sdistHandler } from './sdist/index.js';
import { wheelHandler } from './wheel/index.js';

/** Every artefact kind reprodist knows, one handler each. */
export const handlers: readonly ArtefactHandler[] = [sdistHandler, wheelHandler];

export function handlerFor(path: string): ArtefactHandler | undefined {
  const name = basename(path);
  return handlers.find((handler) => handler.matches(name));
}

export type { ArtefactHandler, ArtefactKind, MemberHead, MetadataComparison } from './handler.js';
export { checkArtefact, fileTypeName, normalizeArtefact, sha256File } from './artefact.js';
export type { ArtefactResult, ArtefactStatus } from './artefact.js';
export { defaultJobs, runBatch } from './batch.js';
export type { BatchDisplay } from './batch.js';
export { compareNames, contentDifferences } from './content.js';
export type { ContentDifference, ContentDifferenceKind, ContentRecord, ContentType } from './content.js';
export { RefusedInput, describeError, failureStatus, namingFile } from './failure.js';
export type { FailureStatus } from './failure.js';
export { DEFAULT_EPOCH, DEFAULT_LEVEL, DEFAULT_WHEEL_LEVEL, LEVELS, MAX_EPOCH, MIN_EPOCH } from './options.js';
export type { MtimePolicy, NormalizeOptions } from './options.js';
export type { Change } from './report.js';
export { MAX_EXAMPLES } from './report.js';
export { pairMembers } from './pairing.js';
export type { MemberPairing, RenamedRoot } from './pairing.js';
export { removeAllScratchNow, removeOnSignal, removeScratch, removeStaleScratch, scratchPath } from './scratch.js';
export { MAX_LINK_TARGET_BYTES, MAX_RECORD_BYTES } from './limits.js';
