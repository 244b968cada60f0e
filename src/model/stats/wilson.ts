/**
 * Wilson score interval for a binomial proportion (Wilson 1927; recommended over the Wald
 * interval by Brown, Cai & DasGupta 2001, Statistical Science 16:101). Same as
 * statsmodels.stats.proportion.proportion_confint(method='wilson').
 */
import { normQuantile } from './distributions.js';

/** Two-sided interval at confidence 1 − `alpha` for `successes` out of `trials`. */
export function wilsonInterval(successes: number, trials: number, alpha: number): [number, number] {
  if (trials <= 0) throw new Error('the Wilson interval needs at least one trial');
  const z = normQuantile(1 - alpha / 2);
  const p = successes / trials;
  const z2 = z * z;
  const centre = (p + z2 / (2 * trials)) / (1 + z2 / trials);
  const half = (z / (1 + z2 / trials)) * Math.sqrt((p * (1 - p)) / trials + z2 / (4 * trials * trials));
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}

/** One-sided lower bound at confidence 1 − `alpha` (the lower end of the two-sided 1 − 2α interval). */
export function wilsonLowerBound(successes: number, trials: number, alpha: number): number {
  return wilsonInterval(successes, trials, 2 * alpha)[0];
}

/** One-sided upper bound at confidence 1 − `alpha`. */
export function wilsonUpperBound(successes: number, trials: number, alpha: number): number {
  return wilsonInterval(successes, trials, 2 * alpha)[1];
}
