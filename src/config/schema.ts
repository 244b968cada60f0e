/**
 * The published JSON Schema of model-release.yml and the validator compiled from it.
 * The schema file is the user-facing contract (editors use it through yaml-language-server);
 * the JSON import is inlined by ncc, so the bundle needs no file at run time.
 */
import schema from '../../schema/model-release.schema.json' with { type: 'json' };
import Ajv2020 from 'ajv/dist/2020.js';
import type { ErrorObject, KeywordDefinition } from 'ajv/dist/2020.js';

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
  enum?: unknown[];
  const?: unknown;
  properties?: Record<string, unknown>;
  oneOf?: SchemaNode[];
  anyOf?: SchemaNode[];
  /** Message for any failure of this node; also shown by editors (vscode-json-languageservice). */
  errorMessage?: string;
  /** Message for a failed `pattern` of this node; also shown by editors. */
  patternErrorMessage?: string;
}

/**
 * The editor-hint keywords the schema uses, declared as annotations: they never change what is
 * valid. VS Code's JSON language service and yaml-language-server (the editors the schema is
 * published for) show `errorMessage` for a failure of the node it sits on and
 * `patternErrorMessage` for a failed `pattern`, so an editor and `validate` say the same words.
 * Both take a plain string, which is also the string form of ajv-errors' `errorMessage`
 * ("replace this node's errors with one message"), so the meaning is the same everywhere.
 * Declared with a meta-schema, strict mode still checks their values are strings.
 */
export const EDITOR_HINT_KEYWORDS: readonly KeywordDefinition[] = ['errorMessage', 'patternErrorMessage'].map((keyword) => ({
  keyword,
  schemaType: 'string',
  metaSchema: { type: 'string', minLength: 1 },
}));

/** A fresh strict draft 2020-12 validator factory with the editor hints declared; used by the loader and the tests. */
export function createSchemaAjv(options: { allErrors?: boolean; verbose?: boolean } = {}): InstanceType<typeof Ajv2020.default> {
  // ajv's CommonJS default export is the class itself and also its `.default`; `.default` works
  // under NodeNext typing, jest's ESM loader and the ncc bundle alike.
  const ajv = new Ajv2020.default({ strict: true, ...options });
  for (const definition of EDITOR_HINT_KEYWORDS) ajv.addKeyword(definition);
  return ajv;
}

// allErrors: one run reports every problem. verbose: errors carry their schema node and data,
// which the plain-English messages need.
const validate = createSchemaAjv({ allErrors: true, verbose: true }).compile(configSchema);

/** Validate a parsed config document; returns ajv's errors (empty when valid). */
export function validateAgainstSchema(data: unknown): ErrorObject[] {
  return validate(data) ? [] : [...(validate.errors ?? [])];
}
