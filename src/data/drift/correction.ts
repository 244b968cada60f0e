/**
 * Multiple-testing correction across columns, as statsmodels' `multipletests`:
 *
 * - Holm (1979), controls the family-wise error rate: sort p ascending, p_(1) ≤ … ≤ p_(m);
 *   adj_(i) = max_{j ≤ i} min(1, (m − j + 1) · p_(j)).
 * - Benjamini–Hochberg (1995), controls the false discovery rate:
 *   adj_(i) = min_{j ≥ i} min(1, m / j · p_(j)).
 *
 * Adjusted values are returned in the input order. Non-finite p-values (a column that could not
 * be tested) are passed through as NaN and do not count in m.
 */

export type CorrectionMethod = 'holm' | 'bh' | 'none';

/** Adjusted p-values in input order. */
export function correctPValues(pValues: readonly number[], method: CorrectionMethod): number[] {
  const out = pValues.map((p) => (Number.isFinite(p) ? p : Number.NaN));
  if (method === 'none') return out;
  const order = pValues
    .map((p, i) => ({ p, i }))
    .filter(({ p }) => Number.isFinite(p))
    .sort((a, b) => a.p - b.p || a.i - b.i);
  const m = order.length;
  if (method === 'holm') {
    let running = 0;
    order.forEach(({ p, i }, rank) => {
      running = Math.max(running, Math.min(1, (m - rank) * p));
      out[i] = running;
    });
    return out;
  }
  let running = 1;
  for (let rank = m - 1; rank >= 0; rank--) {
    const { p, i } = order[rank] as { p: number; i: number };
    running = Math.min(running, Math.min(1, (m / (rank + 1)) * p));
    out[i] = running;
  }
  return out;
}
