/**
 * First Wasserstein (earth mover's) distance from the two quantile functions, normalised by the
 * reference's standard deviation as Evidently does (`wasserstein_distance(ref, cur) /
 * max(np.std(ref), 0.001)`, population std):
 *
 *   W1 = ∫_0^1 |Q_d(u) − Q_r(u)| du
 *
 * Integrated by the midpoint rule: each probability u_i stands for the interval from halfway to
 * its left neighbour to halfway to its right one (0 and 1 at the ends), over which the quantile
 * difference is taken as constant. With inverse-CDF quantiles (type 1, DuckDB `quantile_disc`)
 * at u_i = (i − ½)/G this is exact when G is a multiple of both sample sizes (every interval
 * then lies inside one order statistic of each sample), and within 0.5 % of
 * scipy.stats.wasserstein_distance at G = 1,000 on the fixtures (test/unit/drift). The extremes
 * never enter as such, so one outlier weighs about 1/n, as in the exact distance.
 *
 * A constant reference (std 0) uses the 0.001 floor: any real difference then reads as a very
 * large normalised distance (drift), an identical constant as 0.
 */

export const WASSERSTEIN_STD_FLOOR = 0.001;

/** W1 between two samples given their quantiles at the same ascending probabilities in [0, 1]. */
export function wassersteinFromQuantiles(
  probabilities: readonly number[],
  datasetQuantiles: readonly number[],
  referenceQuantiles: readonly number[],
): number {
  const n = probabilities.length;
  if (n === 0) return Number.NaN;
  let w = 0;
  let left = 0;
  for (let i = 0; i < n; i++) {
    const right = i + 1 < n ? ((probabilities[i] as number) + (probabilities[i + 1] as number)) / 2 : 1;
    w += (right - left) * Math.abs((datasetQuantiles[i] as number) - (referenceQuantiles[i] as number));
    left = right;
  }
  return w;
}

/** W1 divided by max(reference std, 0.001). */
export function normalisedWasserstein(w1: number, referenceStd: number): number {
  return w1 / Math.max(referenceStd, WASSERSTEIN_STD_FLOOR);
}

/** Left limits and tails of both samples on the grid (types.ts); all optional. */
export interface CdfGridExtras {
  datasetCdfBelow?: readonly number[] | undefined;
  referenceCdfBelow?: readonly number[] | undefined;
  datasetTails?: { below: number; above: number } | undefined;
  referenceTails?: { below: number; above: number } | undefined;
}

/**
 * W1 from the two CDFs on a common ascending grid, the other form of the same integral:
 *
 *   W1 = ∫ |F_d(x) − F_r(x)| dx
 *
 * Between two grid points g_i < g_i+1 the difference h = F_d − F_r starts at
 * a = F_d(g_i) − F_r(g_i) and ends, just before g_i+1, at b = F_d(g_i+1−) − F_r(g_i+1−):
 * - without left limits F(g−), b is taken as a (no mass strictly inside the gap: a left
 *   Riemann sum). Exact when the grid holds every pooled value.
 * - with them, the mass strictly inside the gap is taken as spread evenly, so h is linear from a
 *   to b and the gap contributes Δ·(|a| + |b|)/2, or Δ·(a² + b²)/(2(|a| + |b|)) when h changes
 *   sign. Still exact on a pooled grid (the inside mass is 0, b = a) and for atoms on grid points
 *   (integer columns); on a quantile grid of continuous data the error is second order in the gap
 *   (bench/data, 1,000 reference quantiles plus the 100 extreme values: within 0.52 % of scipy, 0.15 % on
 *   the drifted columns; the unit fixtures: within 0.6 %).
 * Outside the grid: |tail_d − tail_r| per side, exact when one sample has no value beyond that
 * end of the grid (the gate's grid holds the reference's minimum and maximum), a lower bound
 * otherwise; absent tails are 0.
 * It needs only counts per bucket and two sums (one streaming pass in SQL, no sort), which is why
 * the gate uses it instead of quantiles.
 */
export function wassersteinFromCdfGrid(
  grid: readonly number[],
  datasetCdf: readonly number[],
  referenceCdf: readonly number[],
  extras: CdfGridExtras = {},
): number {
  const { datasetCdfBelow: dBelow, referenceCdfBelow: rBelow } = extras;
  const limits = dBelow !== undefined && rBelow !== undefined;
  let w = 0;
  for (let i = 0; i + 1 < grid.length; i++) {
    const width = (grid[i + 1] as number) - (grid[i] as number);
    const a = (datasetCdf[i] as number) - (referenceCdf[i] as number);
    const b = limits ? (dBelow[i + 1] as number) - (rBelow[i + 1] as number) : a;
    w += width * meanAbsOfLinear(a, b);
  }
  const dt = extras.datasetTails ?? { below: 0, above: 0 };
  const rt = extras.referenceTails ?? { below: 0, above: 0 };
  return w + Math.abs(dt.below - rt.below) + Math.abs(dt.above - rt.above);
}

/** Mean of |h| over [0, 1] for h linear from a to b. */
function meanAbsOfLinear(a: number, b: number): number {
  if (a === b) return Math.abs(a);
  if ((a >= 0 && b >= 0) || (a <= 0 && b <= 0)) return (Math.abs(a) + Math.abs(b)) / 2;
  return (a * a + b * b) / (2 * (Math.abs(a) + Math.abs(b)));
}
