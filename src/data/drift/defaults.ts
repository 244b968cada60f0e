/**
 * Default decision thresholds. A distance is "drifted" when statistic ≥ threshold; a test when
 * its (adjusted) p-value < alpha.
 *
 * - PSI 0.2: the credit-scoring rule of thumb (< 0.1 no significant change, 0.1–0.2 moderate,
 *   ≥ 0.2 significant shift; Siddiqi 2006, "Credit Risk Scorecards", Wiley). We fail at 0.2 and
 *   name 0.1 in the reason as the watch level.
 * - Jensen–Shannon distance 0.1 (natural log) and normalised Wasserstein 0.1: Evidently's
 *   defaults for the same statistics ("Data drift algorithm", docs.evidentlyai.com; its
 *   `jensenshannon_stat_test` and `wasserstein_stat_test` both have default_threshold=0.1).
 * - alpha 0.05 for KS and chi-square (Evidently's 0.95 confidence level).
 */
import type { DriftMethod } from './types.js';

export const PSI_WATCH_LEVEL = 0.1;

export const DEFAULT_THRESHOLDS: Readonly<Record<DriftMethod, number>> = {
  psi: 0.2,
  'jensen-shannon': 0.1,
  wasserstein: 0.1,
  ks: 0.05,
  chi2: 0.05,
};

export const DEFAULT_ALPHA = 0.05;

/** Methods that are hypothesis tests (decide on a p-value) rather than distances. */
export function isTest(method: DriftMethod): method is 'ks' | 'chi2' {
  return method === 'ks' || method === 'chi2';
}
