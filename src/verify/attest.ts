// `rebuild --attest FILE`: an in-toto Statement v1 (https://in-toto.io/Statement/v1) whose subjects
// are the published files' sha256, with SLSA's verification summary predicate
// (https://slsa.dev/verification_summary/v1): PASSED when every rebuilt file is identical or
// reproduced. What rebuild saw (the source commit, the recipe, the attempts, each verdict) is in the
// predicate's `reprodist` field, which consumers that do not know it ignore, as in-toto asks. Unsigned:
// sign it with any signer (docs/rebuild.md#attestations: `cosign attest-blob`).
import { writeFile } from 'node:fs/promises';
import type { ReleaseRebuild } from './rebuild-release.js';

export const STATEMENT_TYPE = 'https://in-toto.io/Statement/v1';
export const VSA_PREDICATE_TYPE = 'https://slsa.dev/verification_summary/v1';
const VERIFIER_ID = 'pkg:npm/reprodist';
const POLICY_URI = 'https://github.com/reprodist/reprodist/blob/main/docs/rebuild.md#verdicts';

export function attestation(result: ReleaseRebuild, timeVerified = new Date()): object {
  const passed = result.exitCode === 0;
  const subject = result.results.filter((file) => file.sha256).map((file) => ({ name: file.name, digest: { sha256: file.sha256! } }));
  return {
    _type: STATEMENT_TYPE,
    subject,
    predicateType: VSA_PREDICATE_TYPE,
    predicate: {
      verifier: { id: VERIFIER_ID },
      timeVerified: timeVerified.toISOString(),
      resourceUri: `pkg:pypi/${result.name.toLowerCase()}@${result.version}`,
      policy: { uri: POLICY_URI },
      verificationResult: passed ? 'PASSED' : 'FAILED',
      // No SLSA build level is verified; a failure is FAILED here too, as the VSA spec asks.
      verifiedLevels: passed ? [] : ['FAILED'],
      reprodist: {
        index: result.index,
        ...(result.uploadTime ? { uploadTime: result.uploadTime } : {}),
        ...(result.source ? { source: result.source } : {}),
        ...(result.recipe ? { recipe: result.recipe } : {}),
        attempts: result.attempts,
        verdicts: result.results.map(({ name, sha256, verdict, attempt, toolFiles, projectFiles, notes, normalizedSha256, rebuiltSha256, message }) => ({
          name, sha256, verdict, attempt, toolFiles, projectFiles, notes, normalizedSha256, rebuiltSha256, message,
        })),
        exitCode: result.exitCode,
      },
    },
  };
}

export async function writeAttestation(path: string, result: ReleaseRebuild): Promise<void> {
  await writeFile(path, `${JSON.stringify(attestation(result), null, 2)}\n`);
}
