/**
 * From a key path to a line and column in the YAML the user wrote, so every error can say
 * `model-release.yml:14:7`. Works on yaml's document model, which keeps source ranges.
 */
import { isAlias, isMap, isNode, isScalar, isSeq } from 'yaml';
import type { Document, LineCounter, Node } from 'yaml';

export interface Position {
  line: number;
  column: number;
}

/** The node at a path, and the key node that names it when it sits in a map. */
export interface Located {
  value?: Node;
  key?: Node;
}

function resolve(doc: Document, node: unknown): Node | undefined {
  if (!isNode(node)) return undefined;
  return isAlias(node) ? (node.resolve(doc) as Node | undefined) : node;
}

/** Find the YAML nodes at a key path (map keys compared as text, list items by index). */
export function locate(doc: Document, path: readonly string[]): Located | undefined {
  let located: Located = { value: resolve(doc, doc.contents) };
  for (const segment of path) {
    const node = located.value;
    if (isMap(node)) {
      const pair = node.items.find((p) => (isScalar(p.key) ? String(p.key.value) : String(p.key)) === segment);
      if (!pair) return undefined;
      located = { key: resolve(doc, pair.key), value: resolve(doc, pair.value) };
    } else if (isSeq(node) && /^\d+$/.test(segment)) {
      const item = node.items[Number(segment)];
      if (item === undefined) return undefined;
      located = { value: resolve(doc, item) };
    } else {
      return undefined;
    }
  }
  return located;
}

function start(node: Node | undefined, lineCounter: LineCounter): Position | undefined {
  const offset = node?.range?.[0];
  if (offset === undefined) return undefined;
  const { line, col } = lineCounter.linePos(offset);
  return { line, column: col };
}

/**
 * Where to point for a path: at the value, or at the key that names it (unknown keys, and
 * missing keys of a map, which are best shown at the map's name). An empty value (`rollout:`)
 * has no text of its own, so it is shown at its key. Undefined for nodes not from the text
 * (created by an override).
 */
export function positionOf(
  doc: Document,
  lineCounter: LineCounter,
  path: readonly string[],
  at: 'value' | 'key' = 'value',
): Position | undefined {
  const located = locate(doc, path);
  if (!located) return undefined;
  const emptyValue = isScalar(located.value) && located.value.range?.[0] === located.value.range?.[1];
  if ((at === 'key' || emptyValue) && located.key) return start(located.key, lineCounter);
  return start(located.value, lineCounter) ?? start(located.key, lineCounter);
}

/** The key path of the map key that starts at `offset` (for yaml's duplicate-key errors), if any. */
export function keyPathAtOffset(doc: Document, offset: number): string[] | undefined {
  const search = (node: unknown, path: string[]): string[] | undefined => {
    if (isMap(node)) {
      for (const pair of node.items) {
        const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
        if (isNode(pair.key) && pair.key.range?.[0] === offset) return [...path, key];
        const found = search(pair.value, [...path, key]);
        if (found) return found;
      }
    } else if (isSeq(node)) {
      for (const [index, item] of node.items.entries()) {
        const found = search(item, [...path, String(index)]);
        if (found) return found;
      }
    }
    return undefined;
  };
  return search(doc.contents, []);
}
