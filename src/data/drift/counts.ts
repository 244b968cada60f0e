/** Shared arithmetic on count vectors (bins or categories). */

/** Sum of a count vector. */
export function total(counts: readonly number[]): number {
  let s = 0;
  for (const c of counts) s += c;
  return s;
}

/** Counts divided by their sum; all zeros when the sum is 0. */
export function proportions(counts: readonly number[]): number[] {
  const s = total(counts);
  return counts.map((c) => (s > 0 ? c / s : 0));
}

/** Formats a statistic for a reason sentence: 3 significant digits, exponent when tiny or huge. */
export function formatNumber(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? '∞' : '−∞';
  if (x === 0) return '0';
  const a = Math.abs(x);
  if (a >= 1e-3 && a < 1e6) return String(Number(x.toPrecision(3)));
  return x.toExponential(2);
}
