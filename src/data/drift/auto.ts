/**
 * `method: auto` — hypothesis tests for small samples, distances for large ones.
 *
 * Rule: with n = dataset count and m = reference count (non-null values), let the effective
 * sample size be n_eff = n·m / (n + m). If n_eff ≤ 1,000, use a p-value test (numeric: KS,
 * categorical: chi-square, alpha 0.05); otherwise a distance (numeric: normalised Wasserstein,
 * categorical: Jensen–Shannon, threshold 0.1).
 *
 * Why: both test statistics grow with n_eff (KS rejects when D > 1.358/√n_eff at α = 0.05), so
 * with millions of rows every immaterial shift is "significant". 1,000 is where the two agree
 * on the size of shift that matters: a mean shift of δ standard deviations of a normal gives
 * normalised W1 = δ and KS D ≈ 2Φ(δ/2) − 1 ≈ 0.4·δ, so the distance threshold W1 = 0.1 is
 * D ≈ 0.04, and the KS test's detectable D at n_eff = 1,000 is 1.358/√1000 ≈ 0.043. Below it
 * the distances are dominated by sampling noise (two samples of 400 and 300 from the same
 * normal already give W1/σ ≈ 0.13 in our fixtures), above it the tests flag shifts smaller
 * than the distance threshold. It matches Evidently's default rule ("reference ≤ 1,000
 * observations: KS / chi-square, otherwise Wasserstein / Jensen–Shannon") when the other
 * sample is much larger (n_eff → m), and extends it to both samples being small.
 */
import type { DriftInput, DriftMethod } from './types.js';

export const AUTO_MAX_EFFECTIVE_N_FOR_TESTS = 1000;

export interface AutoChoice {
  method: DriftMethod;
  effectiveN: number;
  /** Why this method, for the reason sentence. */
  rule: string;
}

/** Picks the method for one column by the rule above. */
export function chooseMethod(input: DriftInput): AutoChoice {
  const n = input.datasetCount;
  const m = input.referenceCount;
  const effectiveN = n + m > 0 ? (n * m) / (n + m) : 0;
  const small = effectiveN <= AUTO_MAX_EFFECTIVE_N_FOR_TESTS;
  const numeric = input.kind === 'numeric';
  const method: DriftMethod = small ? (numeric ? 'ks' : 'chi2') : numeric ? 'wasserstein' : 'jensen-shannon';
  const cmp = small ? '≤' : '>';
  const rule = `auto: effective n ${Math.round(effectiveN)} ${cmp} ${AUTO_MAX_EFFECTIVE_N_FOR_TESTS} → ${small ? 'test' : 'distance'}`;
  return { method, effectiveN, rule };
}
