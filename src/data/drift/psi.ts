/**
 * Population Stability Index over the same bins (numeric: reference-quantile bins) or
 * categories:  PSI = Σ_i (p_i − q_i) · ln(p_i / q_i),  p = dataset proportions, q = reference.
 * PSI is symmetric in p and q, so which sample is "expected" does not matter.
 *
 * Empty bins: a proportion of exactly 0 is replaced by 1e−4 before the sum, without
 * renormalising (Evidently's `get_binned_data(..., feel_zeroes=True)`); this caps one empty bin's
 * contribution at about q·ln(q/1e−4) instead of infinity. Same rule in
 * test/fixtures/drift/make_expected.py.
 */
import { proportions } from './counts.js';

export const PSI_EPSILON = 1e-4;

/** PSI between two count vectors over the same bins; 0 when both are identical in proportion. */
export function populationStabilityIndex(datasetCounts: readonly number[], referenceCounts: readonly number[]): number {
  const p = proportions(datasetCounts);
  const q = proportions(referenceCounts);
  let psi = 0;
  for (let i = 0; i < p.length; i++) {
    const pi = p[i] === 0 ? PSI_EPSILON : (p[i] as number);
    const qi = q[i] === 0 ? PSI_EPSILON : (q[i] as number);
    psi += (pi - qi) * Math.log(pi / qi);
  }
  return psi;
}
