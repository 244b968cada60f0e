/**
 * "Did you mean" for misspelt keys and values. Keys, enum values, check names and metric names
 * are few and short, so a plain edit distance is enough.
 */

/**
 * Edit distance: insertions, deletions, substitutions and swaps of two neighbouring characters
 * each cost 1 (optimal string alignment). Counting a swap as one edit is what makes `atuo`
 * reach `auto` and `acu` reach `auc`, the commonest slips of the fingers on short words.
 */
export function editDistance(a: string, b: string): number {
  let beforePrevious: number[] = [];
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      let best = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, (beforePrevious[j - 2] ?? 0) + 1);
      current[j] = best;
    }
    beforePrevious = previous;
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
 * helpful guess (a wild suggestion is worse than the list of allowed keys). The same rule serves
 * values (enum values, check names, metric and column names): `closestKey(value, allowed)`.
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

/**
 * `; did you mean 'x'?` to append to a message about a value that is not one of `allowed`, or ''
 * when the value is not a string or no allowed string is close (the message's list then says it).
 */
export function didYouMean(value: unknown, allowed: readonly unknown[]): string {
  if (typeof value !== 'string') return '';
  const words = allowed.filter((word): word is string => typeof word === 'string' && word !== value);
  const guess = closestKey(value, words);
  return guess === undefined ? '' : `; did you mean '${guess}'?`;
}
