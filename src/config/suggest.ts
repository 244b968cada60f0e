/**
 * "Did you mean" for misspelt keys. Keys are few and short, so a plain edit distance is enough.
 */

/** Levenshtein distance: insertions, deletions and substitutions each cost 1. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution);
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/** Spelling-insensitive form: `functionName`, `function_name` and `function-name` are the same key. */
function loose(key: string): string {
  return key.toLowerCase().replace(/[-_\s]/g, '');
}

/**
 * The allowed key the user most likely meant, or undefined when none is close enough to be a
 * helpful guess (a wild suggestion is worse than the list of allowed keys).
 */
export function closestKey(unknown: string, allowed: readonly string[]): string | undefined {
  const sameLoosely = allowed.find((key) => loose(key) === loose(unknown));
  if (sameLoosely !== undefined) return sameLoosely;
  let best: { key: string; distance: number } | undefined;
  for (const key of allowed) {
    const distance = editDistance(loose(unknown), loose(key));
    if (best === undefined || distance < best.distance) best = { key, distance };
  }
  if (best === undefined) return undefined;
  const tolerance = Math.max(1, Math.floor(Math.max(unknown.length, best.key.length) / 3));
  return best.distance <= tolerance ? best.key : undefined;
}
