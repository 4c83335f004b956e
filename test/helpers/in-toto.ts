// Checks an attestation against JSON schemas written from the specifications (test/schemas/): the
// in-toto Statement v1 and, when the predicate is SLSA's verification summary, that predicate too.
// Validated by Ajv, an independent implementation of JSON Schema.
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';

const SCHEMAS = new URL('../schemas/', import.meta.url);
const load = (name: string) => JSON.parse(readFileSync(new URL(name, SCHEMAS), 'utf8')) as object;

// Strict about the schemas themselves (an unknown keyword is an error), not about where `type` and `properties` are stated.
const ajv = new Ajv({ allErrors: true, strict: true, strictTypes: false, strictTuples: false, strictRequired: false });
// Each is known by its $id, which the predicate's schema refers to the statement's by.
const STATEMENT_SCHEMA = 'https://in-toto.io/Statement/v1/schema.json';
const VSA_SCHEMA = 'https://slsa.dev/verification_summary/v1/schema.json';
ajv.addSchema([load('in-toto-statement-v1.schema.json'), load('slsa-verification-summary-v1.schema.json')]);

export const VSA_PREDICATE_TYPE = 'https://slsa.dev/verification_summary/v1';

/** What the schemas find wrong with `statement`, one line each (none: it validates). */
export function attestationProblems(statement: unknown): string[] {
  const problems: string[] = [];
  const check = (schema: string, value: unknown, where: string) => {
    if (ajv.validate(schema, value)) return;
    problems.push(...(ajv.errors ?? []).map((error) => `${where}${error.instancePath}: ${error.message} ${JSON.stringify(error.params)}`));
  };
  check(STATEMENT_SCHEMA, statement, 'statement');
  const { predicateType, predicate } = (statement ?? {}) as { predicateType?: unknown; predicate?: unknown };
  if (predicateType === VSA_PREDICATE_TYPE) check(VSA_SCHEMA, predicate, 'predicate');
  return problems;
}
