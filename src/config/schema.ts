/**
 * The published JSON Schema of model-release.yml and the validator compiled from it.
 * The schema file is the user-facing contract (editors use it through yaml-language-server);
 * the JSON import is inlined by ncc, so the bundle needs no file at run time.
 */
import schema from '../../schema/model-release.schema.json' with { type: 'json' };
import Ajv2020 from 'ajv/dist/2020.js';
import type { ErrorObject } from 'ajv/dist/2020.js';

/** The parsed JSON Schema (draft 2020-12) of the configuration file. */
export const configSchema = schema;

/** A JSON Schema node, as far as the error messages need to read it. */
export interface SchemaNode {
  type?: string | string[];
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  pattern?: string;
  properties?: Record<string, unknown>;
  oneOf?: SchemaNode[];
  anyOf?: SchemaNode[];
  /** Message for any failure of this node; also shown by editors (vscode-json-languageservice). */
  errorMessage?: string;
  /** Message for a failed `pattern` of this node; also shown by editors. */
  patternErrorMessage?: string;
}

// ajv's CommonJS default export is the class itself and also its `.default`; `.default` works
// under NodeNext typing, jest's ESM loader and the ncc bundle alike.
const ajv = new Ajv2020.default({
  allErrors: true,
  // verbose: errors carry their schema node and data, which the plain-English messages need.
  verbose: true,
  strict: true,
});
// Editor hint keywords: annotations for ajv, messages for us and for editors.
ajv.addVocabulary(['errorMessage', 'patternErrorMessage']);

const validate = ajv.compile(configSchema);

/** Validate a parsed config document; returns ajv's errors (empty when valid). */
export function validateAgainstSchema(data: unknown): ErrorObject[] {
  return validate(data) ? [] : [...(validate.errors ?? [])];
}
