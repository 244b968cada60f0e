/**
 * ajv errors in plain English. ajv speaks in schema keywords ("must be >= 1"); users need
 * "must be a number from 1 to 100", one message per problem, at the key they wrote.
 */
import type { ErrorObject } from 'ajv/dist/2020.js';
import { describeBadDuration } from './duration.js';
import { pointerToPath } from './issues.js';
import type { ConfigIssue } from './issues.js';
import { parsePreset } from './plan.js';
import type { SchemaNode } from './schema.js';
import { closestKey, didYouMean } from './suggest.js';

/** One ajv error, translated, remembering where in the schema it came from (for oneOf collapsing). */
interface Entry {
  error: ErrorObject;
  issues: ConfigIssue[];
}

const TYPE_WORDS: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  integer: 'a whole number',
  boolean: 'true or false',
  object: 'a map of keys',
  array: 'a list',
  null: 'empty',
};

function schemaOf(error: ErrorObject): SchemaNode {
  return (error.parentSchema ?? {}) as SchemaNode;
}

function typeList(node: SchemaNode): string[] {
  if (node.type === undefined) return [];
  return Array.isArray(node.type) ? node.type : [node.type];
}

function describeTypes(types: string[]): string {
  return types.map((t) => TYPE_WORDS[t] ?? t).join(' or ');
}

/** The bounds of a numeric node as one phrase, read from the schema so messages never drift from it. */
function rangeMessage(node: SchemaNode, noun: string): string | undefined {
  const low =
    node.minimum !== undefined ? { value: node.minimum, strict: false } : node.exclusiveMinimum !== undefined ? { value: node.exclusiveMinimum, strict: true } : undefined;
  const high =
    node.maximum !== undefined ? { value: node.maximum, strict: false } : node.exclusiveMaximum !== undefined ? { value: node.exclusiveMaximum, strict: true } : undefined;
  if (low && high && !low.strict && !high.strict) return `must be ${noun} from ${low.value} to ${high.value}`;
  const parts: string[] = [];
  if (low) parts.push(low.strict ? `greater than ${low.value}` : `of at least ${low.value}`);
  if (high) parts.push(high.strict ? `less than ${high.value}` : `of at most ${high.value}`);
  return parts.length === 0 ? undefined : `must be ${noun} ${parts.join(' and ')}`;
}

function typeMessage(error: ErrorObject): string {
  const node = schemaOf(error);
  const types = typeList(node);
  if (error.data === null && types.includes('object')) return 'is empty; write {} to use the defaults, or give its keys';
  if (types.every((t) => t === 'number' || t === 'integer')) {
    const range = rangeMessage(node, types.includes('number') ? 'a number' : 'a whole number');
    if (range) return range;
  }
  const expected = `must be ${describeTypes(types)}`;
  return error.data === null ? `${expected}, not empty` : expected;
}

/** Where a data check's name is its key (`- missing: { ... }`), unlike model checks (`- type: metric`). */
const DATA_CHECK_KEYS = '#/properties/data/properties/checks/items/additionalProperties';

function unknownKeyMessage(error: ErrorObject, key: string): string {
  const allowed = Object.keys(schemaOf(error).properties ?? {});
  const data = error.data as Record<string, unknown>;
  if (error.schemaPath === DATA_CHECK_KEYS && key === 'type' && typeof data.type === 'string') {
    // A model check's form (`- type: missing`) used for a data check: say where the name goes.
    const named = closestKey(data.type, allowed);
    const form = 'a data check is named by its key, with its settings inside';
    return named !== undefined ? `unknown key 'type'; ${form}: '- ${named}: { ... }'` : `unknown key 'type'; ${form}, like '- missing: { ... }'; checks: ${allowed.join(', ')}`;
  }
  const guess = closestKey(key, allowed);
  if (guess !== undefined) return `unknown key '${key}'; did you mean '${guess}'?`;
  return `unknown key '${key}'; allowed keys: ${allowed.join(', ')}`;
}

/**
 * Messages that depend on the value, where the schema's fixed words would be vaguer: which
 * duration was meant, which preset limit was crossed. Keyed by the failing schema location.
 */
function valueMessage(error: ErrorObject): string | undefined {
  // Every duration key $refs this definition, so its errors carry this schema path.
  if (error.schemaPath.startsWith('#/$defs/duration/')) return describeBadDuration(error.data);
  if (error.schemaPath === '#/properties/rollout/properties/preset/pattern' && typeof error.data === 'string') {
    const parsed = parsePreset(error.data);
    return parsed.ok ? undefined : parsed.message;
  }
  return undefined;
}

function isMap(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Translate one ajv error on its own (oneOf/anyOf are collapsed afterwards, with their branches). */
function translate(error: ErrorObject): ConfigIssue[] {
  const path = pointerToPath(error.instancePath);
  const node = schemaOf(error);
  const params = error.params as Record<string, unknown>;
  // A problem with a whole map (keys that clash, a rule on the section) is shown at its name.
  // `not: {}` refuses the key outright (a key another key rules out): point at the key, like an unknown one.
  const refusesKey = error.keyword === 'not' && isMap(error.schema) && Object.keys(error.schema as object).length === 0;
  const atKey = path.length > 0 && (refusesKey || isMap(error.data));
  const at = (message: string): ConfigIssue[] => [atKey ? { path, message, at: 'key' } : { path, message }];

  switch (error.keyword) {
    case 'if':
      // "must match the then schema": the errors of the then (or else) branch say what is wrong.
      return [];
    case 'required':
      return [{ path, message: `missing required key '${String(params.missingProperty)}'`, at: 'key' }];
    case 'additionalProperties': {
      const key = String(params.additionalProperty);
      return [{ path: [...path, key], message: unknownKeyMessage(error, key), at: 'key' }];
    }
    case 'oneOf':
    case 'anyOf':
      return []; // decided by collapseAlternatives, which sees the branch errors
  }
  const specific = valueMessage(error);
  if (specific !== undefined) return at(specific);
  // An enum's own words (`must be mlflow or sagemaker`) still get the guess.
  if (node.errorMessage !== undefined) return at(node.errorMessage + (error.keyword === 'enum' ? didYouMean(error.data, params.allowedValues as unknown[]) : ''));

  switch (error.keyword) {
    case 'type':
      return at(typeMessage(error));
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return at(rangeMessage(node, 'a number') ?? `${error.message ?? 'is out of range'}`);
    case 'enum': {
      const allowed = params.allowedValues as unknown[];
      return at(`must be one of: ${allowed.map(String).join(', ')}${didYouMean(error.data, allowed)}`);
    }
    case 'const':
      return at(`must be ${JSON.stringify(params.allowedValue)}`);
    case 'pattern':
      return at(node.patternErrorMessage ?? `must match the pattern ${String(params.pattern)}`);
    case 'minLength':
      return at(params.limit === 1 ? 'must not be empty' : `must have at least ${String(params.limit)} characters`);
    case 'maxLength':
      return at(`must have at most ${String(params.limit)} characters`);
    case 'minItems':
      return at(params.limit === 1 ? 'must list at least one item' : `must list at least ${String(params.limit)} items`);
    case 'uniqueItems': {
      const items = Array.isArray(error.data) ? (error.data as unknown[]) : [];
      return at(`lists ${JSON.stringify(items[Number(params.i)])} more than once`);
    }
    default:
      return at(error.message ?? `fails the schema rule '${error.keyword}'`);
  }
}

/**
 * Replace each failed oneOf/anyOf and the errors of all its branches with the one message that
 * helps: the branch whose type the value has explains what is wrong with it; if no branch has
 * the value's type, the message lists the types that would do.
 */
function collapseAlternatives(entries: Entry[]): Entry[] {
  const alternatives = entries
    .filter((e) => e.error.keyword === 'oneOf' || e.error.keyword === 'anyOf')
    // Innermost first, so an outer alternative sees its inner ones already collapsed.
    .sort((a, b) => b.error.schemaPath.length - a.error.schemaPath.length);
  let remaining = entries;
  for (const alternative of alternatives) {
    const prefix = `${alternative.error.schemaPath}/`;
    const branches = new Map<string, Entry[]>();
    remaining = remaining.filter((entry) => {
      if (!entry.error.schemaPath.startsWith(prefix)) return true;
      const index = entry.error.schemaPath.slice(prefix.length).split('/')[0] ?? '';
      branches.set(index, [...(branches.get(index) ?? []), entry]);
      return false;
    });
    const node = schemaOf(alternative.error);
    const path = pointerToPath(alternative.error.instancePath);
    const params = alternative.error.params as Record<string, unknown>;
    if (node.errorMessage !== undefined) {
      // `instances: atuo` against `match, auto or a whole number`: guess among the words allowed.
      const words = (node.oneOf ?? node.anyOf ?? []).flatMap((branch) => [...(branch.enum ?? []), ...(branch.const !== undefined ? [branch.const] : [])]);
      alternative.issues = [{ path, message: node.errorMessage + didYouMean(alternative.error.data, words) }];
    } else if (Array.isArray(params.passingSchemas)) {
      alternative.issues = [{ path, message: 'matches more than one of the allowed forms' }];
    } else {
      const typeMatched = [...branches.values()].find(
        (branch) => !branch.some((e) => e.error.keyword === 'type' && e.error.instancePath === alternative.error.instancePath),
      );
      const types = (node.oneOf ?? node.anyOf ?? []).flatMap(typeList);
      alternative.issues = typeMatched
        ? typeMatched.flatMap((e) => e.issues)
        : [{ path, message: `must be ${describeTypes([...new Set(types)])}` }];
    }
  }
  return remaining;
}

/** Turn ajv's errors for the config into plain-English issues, one per problem. */
export function describeSchemaErrors(errors: readonly ErrorObject[]): ConfigIssue[] {
  const entries = errors.map((error) => ({ error, issues: translate(error) }));
  return collapseAlternatives(entries).flatMap((entry) => entry.issues);
}
