/**
 * The distributions the model gate needs, all from @stdlib (a maintained numerical library),
 * wrapped with names that say which tail is meant.
 */
import binomialCdf from '@stdlib/stats-base-dists-binomial-cdf';
import chisquareCdf from '@stdlib/stats-base-dists-chisquare-cdf';
import normalCdf from '@stdlib/stats-base-dists-normal-cdf';
import normalQuantile from '@stdlib/stats-base-dists-normal-quantile';
import tCdf from '@stdlib/stats-base-dists-t-cdf';

/** Φ(x), the standard normal CDF. */
export function normCdf(x: number): number {
  return normalCdf(x, 0, 1);
}

/** P(Z > x) for a standard normal Z. */
export function normSf(x: number): number {
  return normalCdf(-x, 0, 1);
}

/** Φ⁻¹(p). */
export function normQuantile(p: number): number {
  return normalQuantile(p, 0, 1);
}

/** P(X ≤ k) for X ~ Binomial(n, p). */
export function binomCdf(k: number, n: number, p: number): number {
  return binomialCdf(k, n, p);
}

/** P(X ≥ k) for X ~ Binomial(n, p). */
export function binomSfInclusive(k: number, n: number, p: number): number {
  if (k <= 0) return 1;
  return 1 - binomialCdf(k - 1, n, p);
}

/** P(X > x) for X ~ χ²(df). */
export function chi2Sf(x: number, df: number): number {
  return 1 - chisquareCdf(x, df);
}

/** P(T > t) for T ~ Student t(df). */
export function tSf(t: number, df: number): number {
  return tCdf(-t, df);
}
