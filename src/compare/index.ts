// The library side of compare, digest and verify: each returns a structured result (the same one
// `--json` prints) and never prints; bad inputs are in the result, not thrown.
export { compare, compareFiles } from './compare.js';
export type { CompareOptions, Comparison, PairComparison, PairStatus, Verdict } from './compare.js';
export type { MemberDifference, MemberDifferenceKind } from './members.js';
export { contentDigest, digest, DIGEST_TAG, serializeContent } from './digest.js';
export type { DigestResult } from './digest.js';
export { verify, DEFAULT_INDEX_URL } from './verify.js';
export type { CheckStatus, SourceCheck, SourceKind, SourceSummary, Verification, VerifyOptions } from './verify.js';
export type { DownloadProgress } from './download.js';
export { DEFAULT_MAX_BYTES, DEFAULT_TIMEOUT_MS } from './download.js';
export { DEFAULT_BUILD_COMMAND } from './rebuild.js';
