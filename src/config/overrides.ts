/**
 * Action inputs and CLI flags that override keys of the file. They are written into the YAML
 * document before validation, so an override is checked by exactly the same rules as the file,
 * and its errors name the input or flag instead of a line.
 */
import { isMap, isScalar, isSeq, parseDocument, YAMLMap } from 'yaml';
import type { Document } from 'yaml';
import type { ConfigError } from './errors.js';
import { configSchema } from './schema.js';

export interface ConfigOverride {
  /** Dotted kebab-case key path, e.g. `rollout.step`, `target.function-name`, `dry-run`. */
  path: string;
  /** Raw text, read as YAML: `20` is a number, `true` a boolean, `[feat, fix]` a list. */
  value: string;
  /** Who set it, for messages, e.g. `input 'alias'` or `flag --set`. */
  source: string;
}

/** Which override set (or created) each key path, so its errors can name the override. */
export type OverrideOrigins = Map<string, string>;

interface SchemaWalk {
  $ref?: string;
  type?: unknown;
  properties?: Record<string, SchemaWalk>;
}

/** The schema node of a key path, following `#/$defs/...` references; undefined off the schema. */
function schemaAt(path: readonly string[]): SchemaWalk | undefined {
  const defs = (configSchema as { $defs?: Record<string, SchemaWalk> }).$defs ?? {};
  let node: SchemaWalk | undefined = configSchema as SchemaWalk;
  for (const segment of path) {
    node = node?.properties?.[segment];
    const ref: string | undefined = node?.$ref?.replace('#/$defs/', '');
    if (ref !== undefined) node = { ...defs[ref], ...node, $ref: undefined };
  }
  return node;
}

/**
 * Read an override's text. YAML rules decide the type, except that a key which can only be a
 * string keeps the text as written: a function named `1234` is not the number 1234.
 */
function readValue(override: ConfigOverride, path: readonly string[]): { value: unknown } | { error: string } {
  const parsed = parseDocument(override.value, { prettyErrors: false });
  const problem = parsed.errors[0];
  if (problem) return { error: `cannot read '${override.value}' as a value: ${problem.message}` };
  const value: unknown = parsed.toJS();
  if (typeof value !== 'string' && value !== null && schemaAt(path)?.type === 'string') return { value: override.value };
  return { value };
}

/**
 * Write the overrides into `doc`, in order (a later override of the same key wins), creating
 * missing sections. Returns who set which path, and overrides that could not be applied.
 */
export function applyOverrides(doc: Document, overrides: readonly ConfigOverride[]): { origins: OverrideOrigins; errors: ConfigError[] } {
  const origins: OverrideOrigins = new Map();
  const errors: ConfigError[] = [];
  for (const override of overrides) {
    const path = override.path.split('.');
    const fail = (message: string) => errors.push({ path: override.path, message, source: override.source });
    if (path.some((segment) => segment === '')) {
      fail('is not a key path (expected e.g. rollout.step)');
      continue;
    }
    const read = readValue(override, path);
    if ('error' in read) {
      fail(read.error);
      continue;
    }
    if (doc.contents === null || (isScalar(doc.contents) && doc.contents.value === null)) doc.contents = new YAMLMap();
    let node: unknown = doc.contents;
    const parents = path.slice(0, -1);
    let blocked: string | undefined;
    for (const [depth, segment] of parents.entries()) {
      let child: unknown;
      if (isMap(node)) {
        child = node.get(segment, true);
        if (child === undefined || (isScalar(child) && child.value === null)) {
          child = new YAMLMap();
          node.set(segment, child);
          const created = path.slice(0, depth + 1).join('.');
          if (!origins.has(created)) origins.set(created, override.source);
        }
      } else if (isSeq(node) && /^\d+$/.test(segment)) {
        child = node.get(Number(segment), true);
      }
      if (child === undefined) {
        blocked = parents.slice(0, depth).join('.') || 'the top level of the file';
        break;
      }
      node = child;
    }
    const last = path.at(-1) ?? '';
    if (blocked === undefined && isMap(node)) {
      node.set(last, doc.createNode(read.value));
    } else if (blocked === undefined && isSeq(node) && /^\d+$/.test(last) && Number(last) < node.items.length) {
      node.set(Number(last), doc.createNode(read.value));
    } else {
      fail(`cannot be set: ${blocked ?? (parents.join('.') || 'the top level of the file')} is not a map of keys`);
      continue;
    }
    origins.set(override.path, override.source);
  }
  return { origins, errors };
}

/** The override behind a key path: the one that set it or one of its parents, if any. */
export function overrideSourceFor(origins: OverrideOrigins, path: readonly string[]): string | undefined {
  for (let length = path.length; length >= 1; length--) {
    const source = origins.get(path.slice(0, length).join('.'));
    if (source !== undefined) return source;
  }
  return undefined;
}
