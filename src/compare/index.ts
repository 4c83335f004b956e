// Comparing artefacts: byte-identical or not, and if not, whether the content differs or only what
// reprodist normalizes (compare.ts, members.ts, unified-diff.ts); the content digest (digest.ts).
export { compare, compareFiles } from './compare.js';
export type { CompareOptions, Comparison, PairComparison, PairStatus, Verdict } from './compare.js';
export { readingOrder } from './members.js';
export type { MemberDifference, MemberDifferenceKind } from './members.js';
export { contentDigest, digest, DIGEST_TAG, serializeContent } from './digest.js';
export type { DigestReport, DigestResult } from './digest.js';
