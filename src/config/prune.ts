/**
 * Set aside what the JSON Schema refused, so the rules that need schema-valid input (the cross-key
 * rules of build.ts, plan.ts and the data, model and pretraffic sections) still run on the rest.
 * That is what lets one run report every problem of a file instead of one kind per round.
 */
import type { ErrorObject } from 'ajv/dist/2020.js';
import { pointerToPath } from './issues.js';

type Validate = (data: unknown) => ErrorObject[];

function isContainer(value: unknown): value is Record<string, unknown> | unknown[] {
  return typeof value === 'object' && value !== null;
}

/** The value an error is about: the unknown key itself, else the value at the error's location. */
function refusedPath(error: ErrorObject): string[] {
  const path = pointerToPath(error.instancePath);
  if (error.keyword === 'additionalProperties') return [...path, String((error.params as { additionalProperty: unknown }).additionalProperty)];
  return path;
}

/**
 * Remove the value at `path`. A list item is never removed on its own (the items after it
 * would change index, and their problems would name the wrong item): the whole list goes.
 * Returns the path removed, [] when it was already gone with an ancestor, or undefined when
 * nothing can be removed (the problem is the document itself).
 */
function remove(root: unknown, path: readonly string[]): string[] | undefined {
  const parents: unknown[] = [root];
  for (const segment of path.slice(0, -1)) {
    const parent = parents.at(-1);
    if (!isContainer(parent)) return [];
    parents.push((parent as Record<string, unknown>)[segment]);
  }
  let depth = path.length;
  while (depth > 0 && Array.isArray(parents[depth - 1])) depth--;
  if (depth === 0) return undefined;
  const parent = parents[depth - 1];
  if (isContainer(parent)) delete (parent as Record<string, unknown>)[path[depth - 1] ?? ''];
  return path.slice(0, depth);
}

/**
 * Errors that leave a value the later rules can still read. An `if` failure only summarises
 * its `then`/`else` errors. A `not` with a schema (`not: { $ref: zero-duration }`,
 * `not: { const: compare }`) refuses one value of the right type, which build.ts maps like
 * any other, and a `not: {}` on a map refuses the keys it lacks (`give min, max or both`),
 * not its type; keeping them lets the rules about their neighbours run (a 0s step and steps
 * that do not increase are two problems of one list). A `not: {}` on a key refuses the key: it goes.
 */
function leavesReadableValue(error: ErrorObject): boolean {
  if (error.keyword === 'if') return true;
  if (error.keyword !== 'not') return false;
  const refusesAnyValue = typeof error.schema === 'object' && error.schema !== null && Object.keys(error.schema).length === 0;
  const isMap = typeof error.data === 'object' && error.data !== null && !Array.isArray(error.data);
  return !refusesAnyValue || isMap;
}

export interface Checkable {
  /** A copy of the document without the refused values. */
  value: unknown;
  /** Key paths removed (a list as a whole when one of its items was refused). */
  removed: string[][];
}

/**
 * The document without the values the schema refused, for the rules that need schema-valid
 * input; or undefined when nothing is left to check (the document itself is refused). Removing
 * a required key makes its map invalid in turn, so this repeats until only errors that leave
 * readable values remain.
 */
export function withoutRefusedValues(data: unknown, errors: readonly ErrorObject[], validate: Validate): Checkable | undefined {
  const value: unknown = structuredClone(data);
  const removed: string[][] = [];
  let blocking = errors.filter((e) => !leavesReadableValue(e));
  // Each round removes at least one value, and a config file is small; the bound only guards a loop.
  for (let round = 0; round < 50 && blocking.length > 0; round++) {
    for (const error of blocking) {
      const path = remove(value, refusedPath(error));
      if (path === undefined) return undefined;
      if (path.length > 0) removed.push(path);
    }
    blocking = validate(value).filter((e) => !leavesReadableValue(e));
  }
  return blocking.length === 0 ? { value, removed } : undefined;
}

/**
 * Whether a later rule's message names a value that was removed (`set model.metrics` after
 * `model.metrics: must be a string`): the key is there, the schema already said what is wrong
 * with it, and "set it" would send the user the wrong way.
 */
export function namesRemovedValue(message: string, removed: readonly string[][]): boolean {
  return removed.some((path) => {
    const dotted = path.join('.').replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    return new RegExp(`(^|[^\\w.-])${dotted}($|[^\\w-])`).test(message);
  });
}
