// rebuild --attest's Statement, held against JSON schemas of the in-toto Statement v1 and SLSA's
// verification summary v1 written from their specifications (test/schemas/), validated by Ajv. The
// schemas themselves are shown to reject what the specifications forbid, so that a pass means something.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { attestation } from '../../src/verify/index.js';
import type { ReleaseRebuild } from '../../src/verify/index.js';
import { attestationProblems } from '../helpers/in-toto.js';

const WHEEL_SHA256 = 'a'.repeat(64);
const SDIST_SHA256 = 'b'.repeat(64);

/** A rebuild's document as rebuild() resolves it, of one reproduced wheel and its sdist. */
function rebuilt(exitCode: number, wheelVerdict: 'reproduced' | 'differs'): ReleaseRebuild {
  const file = { toolFiles: [], projectFiles: [], notes: [] };
  return {
    command: 'rebuild', name: 'ReproDemo', version: '1.0.0', index: 'http://127.0.0.1:8000', uploadTime: '2023-04-01T12:00:00.000Z',
    attempts: [],
    results: [
      { ...file, name: 'reprodemo-1.0.0-py3-none-any.whl', url: 'http://127.0.0.1:8000/files/w', sha256: WHEEL_SHA256, verdict: wheelVerdict, attempt: 1 },
      { ...file, name: 'reprodemo-1.0.0.tar.gz', url: 'http://127.0.0.1:8000/files/s', sha256: SDIST_SHA256, verdict: 'not-rebuilt' },
    ],
    problems: [],
    exitCode,
  };
}

test('a passed and a failed rebuild each make a Statement that the in-toto v1 and SLSA VSA v1 schemas accept', () => {
  for (const [exitCode, verdict, result] of [[0, 'reproduced', 'PASSED'], [1, 'differs', 'FAILED']] as const) {
    const statement = attestation(rebuilt(exitCode, verdict)) as { subject: unknown; predicate: { verificationResult: string; resourceUri: string } };
    assert.deepEqual(attestationProblems(statement), []);
    assert.deepEqual(statement.subject, [{ name: 'reprodemo-1.0.0-py3-none-any.whl', digest: { sha256: WHEEL_SHA256 } }, { name: 'reprodemo-1.0.0.tar.gz', digest: { sha256: SDIST_SHA256 } }]);
    assert.equal(statement.predicate.verificationResult, result);
    assert.equal(statement.predicate.resourceUri, 'pkg:pypi/reprodemo@1.0.0');
  }
});

test('the schemas reject what the specifications forbid', () => {
  const good = attestation(rebuilt(1, 'differs')) as Record<string, unknown> & { subject: object[]; predicate: Record<string, unknown> };
  const broken: [string, object, RegExp][] = [
    ['another _type', { ...good, _type: 'https://in-toto.io/Statement/v0.1' }, /^statement\/_type: /],
    ['no subject', { ...good, subject: [] }, /^statement\/subject: /],
    ['a subject without a digest', { ...good, subject: [{ name: 'x.whl', uri: 'https://example.com/x.whl' }] }, /^statement\/subject\/0: must have required property 'digest'/],
    ['a sha256 in capitals', { ...good, subject: [{ name: 'x.whl', digest: { sha256: 'AB' } }] }, /^statement\/subject\/0\/digest\/sha256: /],
    ['a predicateType with a capital scheme', { ...good, predicateType: 'HTTPS://slsa.dev/verification_summary/v1' }, /^statement\/predicateType: /],
    ['a local time', { ...good, predicate: { ...good.predicate, timeVerified: '2026-12-02T20:00:00+01:00' } }, /^predicate\/timeVerified: /],
    ['FAILED without a FAILED level', { ...good, predicate: { ...good.predicate, verifiedLevels: [] } }, /^predicate\/verifiedLevels: /],
    ['a policy without a uri', { ...good, predicate: { ...good.predicate, policy: { digest: { sha256: 'ab' } } } }, /^predicate\/policy: must have required property 'uri'/],
    ['no verifier', { ...good, predicate: { ...good.predicate, verifier: undefined } }, /^predicate: must have required property 'verifier'/],
  ];
  for (const [what, statement, expected] of broken) {
    const problems = attestationProblems(JSON.parse(JSON.stringify(statement)));
    assert.ok(problems.some((problem) => expected.test(problem)), `${what}: ${problems.join('\n') || 'accepted'}`);
  }
});
