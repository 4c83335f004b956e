// Verifying a release: local artefacts against a URL prefix, a PyPI release or a clean rebuild of
// HEAD (verify.ts), with bounded downloads (download.ts) and the rebuild itself (rebuild.ts).
export { verify } from './verify.js';
export type { CheckStatus, SourceCheck, SourceKind, SourceSummary, Verification, VerifyOptions } from './verify.js';
export { SIDE_LABELS } from './verify.js';
export type { DownloadProgress } from './download.js';
export { DEFAULT_ATTEMPTS, DEFAULT_BUILD_COMMAND, DEFAULT_BUILD_TIMEOUT_MS, DEFAULT_INDEX_URL, DEFAULT_MAX_BYTES, DEFAULT_TIMEOUT_MS } from './defaults.js';
export { rebuild } from './rebuild-release.js';
export { parseRelease } from './simple-index.js';
export type { PublishedFile, RebuildOptions, ReleaseRebuild } from './rebuild-release.js';
export type { AttemptReport } from './rebuild-route.js';
export type { FileVerdict } from './verdict.js';
export type { Recipe } from './recipe.js';
export { recipeSummary, recipeToToml } from './recipe.js';
export { rebuildList } from './rebuild-list.js';
export type { ListedRelease, RebuildListReport } from './rebuild-list.js';
export { attestation, writeAttestation } from './attest.js';
