/**
 * Response assertions: a JSON Schema (ajv) and simple field rules on dotted paths. Each failed
 * assertion comes back as one sentence naming the field and the value seen.
 */
import Ajv2020 from 'ajv/dist/2020.js';
import type { ValidateFunction } from 'ajv/dist/2020.js';
import type { Expectation, FieldRule } from './payloads.js';

const ajv = new Ajv2020.default({ allErrors: true, strict: false });
const compiled = new WeakMap<object, ValidateFunction>();

/** Compile a schema once (schemas are shared across the requests of a payload). Throws on an invalid schema. */
export function compileSchema(schema: Record<string, unknown>): ValidateFunction {
  let validate = compiled.get(schema);
  if (!validate) {
    validate = ajv.compile(schema);
    compiled.set(schema, validate);
  }
  return validate;
}

/** The value at a dotted path (`a.b.0.c`), or undefined. */
export function valueAt(root: unknown, path: string): unknown {
  let node: unknown = root;
  for (const segment of path.split('.')) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[segment];
  }
  return node;
}

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

function show(value: unknown): string {
  const text = JSON.stringify(value);
  return text === undefined ? 'nothing' : text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

export function checkField(response: unknown, path: string, rule: FieldRule): string[] {
  const value = valueAt(response, path);
  const problems: string[] = [];
  const present = value !== undefined && value !== null;
  if (rule.exists === false) return present ? [`${path} should be absent but is ${show(value)}`] : [];
  if (!present && (rule.exists === true || rule.min !== undefined || rule.max !== undefined || rule.in !== undefined || rule.type !== undefined)) {
    if (!(rule.type === 'null' && value === null)) return [`${path} is missing`];
  }
  if (rule.type !== undefined && typeOf(value) !== rule.type) problems.push(`${path} should be of type ${rule.type} but is ${show(value)}`);
  if (rule.min !== undefined && !(typeof value === 'number' && value >= rule.min)) problems.push(`${path} = ${show(value)} is below min ${rule.min}`);
  if (rule.max !== undefined && !(typeof value === 'number' && value <= rule.max)) problems.push(`${path} = ${show(value)} is above max ${rule.max}`);
  if (rule.in !== undefined && !rule.in.some((allowed) => JSON.stringify(allowed) === JSON.stringify(value))) problems.push(`${path} = ${show(value)} is not one of ${show(rule.in)}`);
  if (rule.equals !== undefined && JSON.stringify(rule.equals) !== JSON.stringify(value)) problems.push(`${path} = ${show(value)}, expected ${show(rule.equals)}`);
  return problems;
}

/** Every failed assertion of one response (empty when all hold). */
export function checkResponse(body: string, expectations: Expectation[]): string[] {
  if (expectations.length === 0) return [];
  let response: unknown;
  try {
    response = JSON.parse(body);
  } catch {
    return [`the response is not JSON: ${show(body)}`];
  }
  const problems: string[] = [];
  for (const expectation of expectations) {
    if (expectation.schema) {
      const validate = compileSchema(expectation.schema);
      if (!validate(response)) {
        for (const e of validate.errors ?? []) problems.push(`schema: ${e.instancePath === '' ? 'the response' : e.instancePath} ${e.message ?? 'is invalid'}`);
      }
    }
    for (const [path, rule] of Object.entries(expectation.fields ?? {})) problems.push(...checkField(response, path, rule));
  }
  return problems;
}
