/**
 * Trend of a learning curve over its last epochs: the ordinary least-squares slope of loss on
 * epoch with its t-test (n − 2 degrees of freedom), as scipy.stats.linregress. A trend over k
 * epochs, not one noisy epoch, decides whether validation loss is rising.
 */
import { tSf } from './distributions.js';

export interface SlopeTest {
  slope: number;
  standardError: number;
  t: number;
  df: number;
  /** One-sided p-value of H1: slope > 0. */
  pIncreasing: number;
  /** One-sided p-value of H1: slope < 0. */
  pDecreasing: number;
}

export function slopeTest(values: readonly number[]): SlopeTest {
  const n = values.length;
  if (n < 3) throw new Error(`a slope test needs at least 3 points (got ${n})`);
  const meanX = (n - 1) / 2;
  let meanY = 0;
  for (const v of values) meanY += v;
  meanY /= n;
  let sxx = 0;
  let sxy = 0;
  for (let i = 0; i < n; i++) {
    sxx += (i - meanX) * (i - meanX);
    sxy += (i - meanX) * (values[i]! - meanY);
  }
  const slope = sxy / sxx;
  let sse = 0;
  for (let i = 0; i < n; i++) {
    const r = values[i]! - meanY - slope * (i - meanX);
    sse += r * r;
  }
  const df = n - 2;
  const standardError = Math.sqrt(sse / df / sxx);
  // A perfectly straight curve: the sign of the slope is certain.
  const t = standardError === 0 ? (slope === 0 ? 0 : slope > 0 ? Infinity : -Infinity) : slope / standardError;
  return { slope, standardError, t, df, pIncreasing: tSf(t, df), pDecreasing: tSf(-t, df) };
}
