/**
 * A problem found in the configuration before it is placed in the file: the key path and
 * which part of the YAML to point at. The loader turns issues into positioned ConfigErrors.
 */
export interface ConfigIssue {
  /** Key path from the root; list indexes appear as their decimal text (`['rollout', 'steps', '1']`). */
  path: string[];
  message: string;
  /** Point at the value (default), or at the key that names it (unknown keys, missing keys of a map). */
  at?: 'value' | 'key';
}

/** The dotted form users see and overrides use: `rollout.steps.1.percent`. */
export function dottedPath(path: readonly string[]): string {
  return path.join('.');
}

/** `/rollout/steps/1/percent` → `['rollout', 'steps', '1', 'percent']` (JSON Pointer unescaped). */
export function pointerToPath(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'));
}
