/**
 * Pearson's chi-square test of homogeneity on the 2 × K table (dataset counts, reference counts),
 * as scipy.stats.chi2_contingency(table, correction=False):
 *
 *   E_rk = row_r · col_k / N,   X² = Σ (O − E)² / E,   dof = K' − 1,   p = P(χ²_dof ≥ X²)
 *
 * K' counts only the categories (or bins) that are non-empty in at least one sample: a category
 * seen in one sample only is kept (it is strong evidence of drift), one seen in neither is
 * dropped. No Yates continuity correction: with 2 categories the test then equals the two-sided
 * pooled z-test for two proportions (Evidently's choice for binary columns), and Yates is known
 * to be conservative. The chi-square approximation is rough when expected counts fall under 5
 * (Cochran 1954); the count of such cells is returned so the reason can say so.
 */
import chisquareCdf from '@stdlib/stats-base-dists-chisquare-cdf';
import { total } from './counts.js';

export interface ChiSquareResult {
  statistic: number;
  dof: number;
  pValue: number;
  /** Cells (of the 2 × K' table) whose expected count is below 5. */
  smallExpectedCells: number;
}

/** Chi-square homogeneity test of two count vectors over the same categories or bins. */
export function chiSquareHomogeneity(datasetCounts: readonly number[], referenceCounts: readonly number[]): ChiSquareResult {
  const rowD = total(datasetCounts);
  const rowR = total(referenceCounts);
  const n = rowD + rowR;
  let statistic = 0;
  let kept = 0;
  let smallExpectedCells = 0;
  for (let k = 0; k < datasetCounts.length; k++) {
    const od = datasetCounts[k] as number;
    const or = referenceCounts[k] as number;
    const col = od + or;
    if (col === 0) continue;
    kept++;
    const ed = (rowD * col) / n;
    const er = (rowR * col) / n;
    if (ed < 5) smallExpectedCells++;
    if (er < 5) smallExpectedCells++;
    statistic += ((od - ed) * (od - ed)) / ed + ((or - er) * (or - er)) / er;
  }
  const dof = Math.max(0, kept - 1);
  if (dof === 0 || rowD === 0 || rowR === 0) return { statistic: 0, dof, pValue: 1, smallExpectedCells };
  return { statistic, dof, pValue: Math.min(1, Math.max(0, 1 - chisquareCdf(statistic, dof))), smallExpectedCells };
}
