/**
 * Minimum detectable effect and the pass/fail/inconclusive verdict of a non-inferiority test.
 *
 * For a one-sided test at level α with a roughly normal estimate of standard error SE, the
 * smallest margin the test shows with probability `power` when the two models are truly equal
 * is MDE = (z_{1−α} + z_{power})·SE (e.g. Chow, Shao & Wang, Sample Size Calculations in
 * Clinical Research, §3.2, non-inferiority). A test that did not reject while MDE > margin was
 * never able to: the result is inconclusive, not a verdict about the model.
 */
import { normQuantile } from './distributions.js';

export function minimumDetectableEffect(standardError: number, alpha: number, power: number): number {
  return (normQuantile(1 - alpha) + normQuantile(power)) * standardError;
}

export type NonInferiorityVerdict = 'non-inferior' | 'inferior' | 'inconclusive';

export function nonInferiorityVerdict(pValue: number, alpha: number, mde: number, margin: number): NonInferiorityVerdict {
  if (pValue < alpha) return 'non-inferior';
  return mde > margin ? 'inconclusive' : 'inferior';
}
