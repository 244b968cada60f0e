/**
 * Minimum detectable effect and the verdict of a non-inferiority comparison.
 *
 * The verdict reads the confidence interval of the difference (candidate − production, on the
 * "higher is better" scale) against −margin, and nothing else:
 *  - non-inferior when the whole interval lies above −margin (the one-sided test rejects
 *    "worse by at least the margin");
 *  - inferior when the whole interval lies below −margin (the candidate is shown worse by more
 *    than the margin; with margin ≥ 0 such an interval never contains 0);
 *  - inconclusive only when the interval straddles −margin.
 *
 * For a one-sided test at level α with a roughly normal estimate of standard error SE, the
 * smallest margin the test shows with probability `power` when the two models are truly equal
 * is MDE = (z_{1−α} + z_{power})·SE (e.g. Chow, Shao & Wang, Sample Size Calculations in
 * Clinical Research, §3.2, non-inferiority). The MDE explains an inconclusive result (MDE >
 * margin: the test set is too small to tell at this margin); it never overrides the interval.
 */
import { normQuantile } from './distributions.js';
import type { Direction } from './metrics.js';

export function minimumDetectableEffect(standardError: number, alpha: number, power: number): number {
  return (normQuantile(1 - alpha) + normQuantile(power)) * standardError;
}

export type NonInferiorityVerdict = 'non-inferior' | 'inferior' | 'inconclusive';

/**
 * The verdict from the interval of candidate − production. For a lower-is-better metric the
 * candidate is worse when the difference is positive: the roles of the two ends swap and the
 * line is +margin.
 */
export function nonInferiorityVerdict(interval: readonly [number, number], margin: number, direction: Direction = 'higher'): NonInferiorityVerdict {
  // On the "higher is better" scale: positive = the candidate is better.
  const [lower, upper] = direction === 'higher' ? [interval[0], interval[1]] : [-interval[1], -interval[0]];
  if (lower > -margin) return 'non-inferior';
  // "Inferior" needs the interval wholly below −margin, and never while it still contains 0.
  if (upper < -margin && upper < 0) return 'inferior';
  return 'inconclusive';
}
