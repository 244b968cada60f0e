/**
 * Jensen–Shannon distance (the square root of the JS divergence) with natural logarithms, as
 * scipy.spatial.distance.jensenshannon(p, q) and Evidently (base e): values in [0, √ln2 ≈ 0.833].
 *
 *   JSD = ½ KL(p ‖ m) + ½ KL(q ‖ m),  m = (p + q) / 2
 *
 * Empty bins need no smoothing: a term with p_i = 0 contributes 0 (0·ln 0 = 0), and m_i > 0
 * wherever p_i or q_i is, so the distance is finite for categories present in one sample only.
 */
import { proportions } from './counts.js';

/** JS distance between two count vectors over the same bins or categories. */
export function jensenShannonDistance(datasetCounts: readonly number[], referenceCounts: readonly number[]): number {
  const p = proportions(datasetCounts);
  const q = proportions(referenceCounts);
  let divergence = 0;
  for (let i = 0; i < p.length; i++) {
    const pi = p[i] as number;
    const qi = q[i] as number;
    const mi = (pi + qi) / 2;
    if (pi > 0) divergence += 0.5 * pi * Math.log(pi / mi);
    if (qi > 0) divergence += 0.5 * qi * Math.log(qi / mi);
  }
  // Rounding can leave −1e−17 for identical inputs.
  return Math.sqrt(Math.max(0, divergence));
}
