/** The vendored official SARIF 2.1.0 and OSCAL assessment-results schemas (src/report/schemas), compiled once for the tests. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import type { ValidateFunction } from 'ajv';
import addFormatsImport from 'ajv-formats';

const addFormats = addFormatsImport as unknown as (ajv: Ajv) => Ajv;
export const schemaPath = (p: string) => fileURLToPath(new URL(`../../src/report/schemas/${p}`, import.meta.url));

function validator(file: string, unicodeRegExp: boolean, adapt?: (s: Record<string, unknown>) => void): ValidateFunction {
  const schema = JSON.parse(readFileSync(schemaPath(file), 'utf8')) as Record<string, unknown>;
  adapt?.(schema);
  const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp });
  addFormats(ajv);
  return ajv.compile(schema);
}

// SARIF 2.1.0 is a draft-04 schema; Ajv 8 speaks draft-07. The two draft-04 spellings in it are
// `$schema` and the root `id`; nothing else in the schema differs between the drafts. Its
// patterns are ECMAScript without the `u` flag (one has a bare `]`); OSCAL's need `u` (\p{L}).
export const validateSarif = validator('sarif/sarif-schema-2.1.0-rtm.5.json', false, (s) => {
  delete s.$schema;
  s.$id = s.id;
  delete s.id;
});
export const validateOscal = validator('oscal/oscal_assessment-results_schema.json', true);
