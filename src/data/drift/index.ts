/**
 * Drift statistics of the data gate: pure functions over the small vectors the SQL side hands
 * over (types.ts). One column at a time (`scoreDrift`), then across columns: p-value correction
 * (`correctPValues`, `correctScores`) and the dataset-level share (`driftShare`);
 * `scoreColumns` chains the three.
 */
import { correctPValues, type CorrectionMethod } from './correction.js';
import { formatNumber as f } from './counts.js';
import { scoreDrift, type ScoreOptions } from './score.js';
import type { DriftInput, DriftScore } from './types.js';

export type { CorrectionMethod } from './correction.js';
export type { ScoreOptions } from './score.js';
export type { AutoChoice } from './auto.js';
export type * from './types.js';
export { scoreDrift } from './score.js';
export { correctPValues } from './correction.js';
export { chooseMethod, AUTO_MAX_EFFECTIVE_N_FOR_TESTS } from './auto.js';
export { DEFAULT_ALPHA, DEFAULT_THRESHOLDS, PSI_WATCH_LEVEL, isTest } from './defaults.js';
export { methodsFor } from './validate.js';
export { kolmogorovSurvival } from './kolmogorov.js';
export { numericInputFromBuckets, nextDown, type BinnedSample } from './binned.js';

const CORRECTION_NAME: Record<Exclude<CorrectionMethod, 'none'>, string> = { holm: 'Holm', bh: 'Benjamini–Hochberg' };

/**
 * Applies the correction across the columns that were tested (scores with a pValue): sets
 * adjustedPValue, re-decides `drifted` on it and appends the adjusted figure to the reason.
 * Distance scores are returned unchanged. With 'none', scores are returned unchanged.
 */
export function correctScores(scores: readonly DriftScore[], method: CorrectionMethod): DriftScore[] {
  if (method === 'none') return scores.map((s) => ({ ...s }));
  const tested = scores.map((s, i) => ({ s, i })).filter(({ s }) => s.pValue !== undefined && Number.isFinite(s.pValue));
  const adjusted = correctPValues(
    tested.map(({ s }) => s.pValue as number),
    method,
  );
  const out = scores.map((s) => ({ ...s }));
  tested.forEach(({ s, i }, k) => {
    const adj = adjusted[k] as number;
    const drifted = adj < s.threshold;
    out[i] = {
      ...s,
      adjustedPValue: adj,
      drifted,
      reason: `${s.reason} ${CORRECTION_NAME[method]}-adjusted across ${tested.length} tested columns: p ${f(adj)} ${drifted ? '<' : '≥'} α ${f(s.threshold)}.`,
    };
  });
  return out;
}

/** Dataset-level drift share: drifted columns over scored columns (0 when there are none). */
export function driftShare(scores: readonly DriftScore[]): { share: number; drifted: number; total: number } {
  const drifted = scores.filter((s) => s.drifted).length;
  return { share: scores.length > 0 ? drifted / scores.length : 0, drifted, total: scores.length };
}

/** Scores every column, corrects the tests' p-values across columns, and sums up. */
export function scoreColumns(
  inputs: readonly DriftInput[],
  options: ScoreOptions & { correction?: CorrectionMethod },
): { scores: DriftScore[]; share: number; drifted: number; total: number } {
  const scores = correctScores(
    inputs.map((input) => scoreDrift(input, options)),
    options.correction ?? 'holm',
  );
  return { scores, ...driftShare(scores) };
}
