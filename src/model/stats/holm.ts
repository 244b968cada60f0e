/**
 * Holm's step-down adjustment (Holm 1979, Scandinavian Journal of Statistics 6:65) for a
 * family of one-sided tests, as statsmodels.stats.multitest.multipletests(method='holm'):
 * sort the m p-values ascending, multiply the k-th smallest by m − k + 1, carry the running
 * maximum so the adjusted values keep the order, cap at 1. Rejecting where the adjusted p < α
 * keeps the chance of any false rejection in the family at most α, whatever the dependence
 * between the tests.
 */
export function holmAdjust(pValues: readonly number[]): number[] {
  const m = pValues.length;
  const order = pValues.map((p, i) => ({ p: Number.isNaN(p) ? 1 : p, i })).sort((a, b) => a.p - b.p || a.i - b.i);
  const adjusted = new Array<number>(m);
  let running = 0;
  order.forEach(({ p, i }, k) => {
    running = Math.max(running, Math.min(1, (m - k) * p));
    adjusted[i] = running;
  });
  return adjusted;
}
