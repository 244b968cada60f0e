/**
 * Two-sample Kolmogorov–Smirnov test from empirical CDFs evaluated on a common grid.
 *
 * Statistic: D_grid = max_i |F_d(g_i) − F_r(g_i)|. It equals the exact D of scipy.stats.ks_2samp
 * when the grid holds every distinct pooled value; on a coarser grid it is a lower bound, and
 * the exact D lies in [D_grid, upper] with (for x in [g_i, g_i+1), F non-decreasing)
 *
 *   F_d(x) − F_r(x) ≤ F_d(g_i+1) − F_r(g_i)   and   ≥ F_d(g_i) − F_r(g_i+1),
 *   upper = max(D_grid, max_i max(|F_d(g_i+1) − F_r(g_i)|, |F_d(g_i) − F_r(g_i+1)|)),
 *
 * with F(−∞) = 0 and F(+∞) = 1 closing the two outer gaps. On a grid made of both samples'
 * quantiles at steps of 1/G the gap is at most about 1/G (each sample puts ≤ 1/G of its mass
 * between consecutive grid points), so D_grid is within ~1/G of the exact D.
 *
 * p-value: Smirnov's (1948) asymptotic law, P(D > d) ≈ Q(√(n·m/(n+m)) · d) with Q the limiting
 * Kolmogorov survival function (scipy.stats.kstwobign.sf). scipy's ks_2samp(method='asymp')
 * uses the finite-n one-sample law kstwo(round(n·m/(n+m))) instead; the limiting law gives
 * slightly larger (more conservative) p-values, e.g. 0.244 vs 0.232 at n=400, m=300 and
 * 0.095 vs 0.074 at n=8, m=6 (test/fixtures/drift/expected.json). Computing p from D_grid, a lower
 * bound of D, errs the same (conservative) way. The bound is loose where the data have atoms
 * (ties, discrete values: it counts the atom at the next grid point as if it were inside the gap),
 * so it is reported, not used for the decision. With the left limits F(g−) (types.ts) the atom is
 * no longer counted inside the gap: the statistic is exact at atoms on grid points and the bound
 * is tight there.
 */
import { kolmogorovSurvival } from './kolmogorov.js';

export interface KsResult {
  /** D on the grid (a lower bound of the exact D; equal on the pooled-sample grid). */
  statistic: number;
  /** Upper bound of the exact D given only the grid. */
  upperBound: number;
  pValue: number;
  /** The p-value if the exact D were the upper bound (the grid cannot rule out this low a p). */
  pValueAtUpperBound: number;
  /** n·m / (n + m). */
  effectiveN: number;
}

/**
 * KS statistic, its grid bound and asymptotic p-value from two CDFs on a common grid. With the
 * left limits F(g−) (both or neither) the statistic also compares the CDFs just below each grid
 * point, and the bound of a gap uses F(g_i+1−) instead of F(g_i+1): exact at atoms on grid
 * points, and a tighter bound.
 */
export function ksFromCdfGrid(
  datasetCdf: readonly number[],
  referenceCdf: readonly number[],
  datasetCount: number,
  referenceCount: number,
  below?: { dataset: readonly number[]; reference: readonly number[] },
): KsResult {
  let statistic = 0;
  let upperBound = 0;
  let prevD = 0;
  let prevR = 0;
  for (let i = 0; i <= datasetCdf.length; i++) {
    const inside = i < datasetCdf.length;
    const d = inside ? (datasetCdf[i] as number) : 1;
    const r = inside ? (referenceCdf[i] as number) : 1;
    // Just below grid point i (or +∞): the end of the gap that starts at point i − 1.
    const dBelow = inside && below ? (below.dataset[i] as number) : d;
    const rBelow = inside && below ? (below.reference[i] as number) : r;
    if (inside) statistic = Math.max(statistic, Math.abs(d - r), Math.abs(dBelow - rBelow));
    upperBound = Math.max(upperBound, Math.abs(dBelow - prevR), Math.abs(prevD - rBelow));
    prevD = d;
    prevR = r;
  }
  upperBound = Math.min(1, Math.max(upperBound, statistic));
  const effectiveN = (datasetCount * referenceCount) / (datasetCount + referenceCount);
  const pValue = kolmogorovSurvival(Math.sqrt(effectiveN) * statistic);
  const pValueAtUpperBound = kolmogorovSurvival(Math.sqrt(effectiveN) * upperBound);
  return { statistic, upperBound, pValue, pValueAtUpperBound, effectiveN };
}
