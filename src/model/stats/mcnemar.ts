/**
 * Paired accuracy: McNemar's test, and Tango's score test and interval for the difference.
 *
 * b = rows the candidate gets right and production gets wrong, c = the reverse, n = all rows.
 * The accuracy difference is d = (b − c)/n = p10 − p01.
 *
 * McNemar (H0: d = 0, two-sided) is reported as statsmodels reports it: exact (binomial on the
 * b + c discordant pairs) when b + c < 25, the continuity-corrected chi-square otherwise.
 *
 * The decision uses one interval for d, whatever the margin: Tango's asymptotic score interval
 * (Tango 1998, Statistics in Medicine 17:891), the inversion of the score test of H0: d = Δ0
 * whose variance uses the restricted MLE of the discordance under that Δ0. It stays inside
 * [−1, 1], cannot reach past what the discordant pairs allow (with c = 0 its upper end stays
 * near b/n, not at 1), and is among the intervals Fagerland, Lydersen & Laake (2014, Statistics
 * in Medicine 33:2850) recommend for paired proportions. The one-sided p-values of the same
 * statistic at Δ0 = −margin agree with the interval: p < α exactly when the bound clears the
 * margin. At Δ0 = 0 the statistic is McNemar's (b − c)/√(b + c), without continuity correction.
 */
import { binomCdf, chi2Sf, normCdf, normQuantile, normSf } from './distributions.js';

/** Below this many discordant pairs McNemar's test is computed exactly. */
export const MCNEMAR_EXACT_BELOW = 25;

export interface McNemarTest {
  b: number;
  c: number;
  exact: boolean;
  /** min(b, c) when exact, the corrected chi-square otherwise (as statsmodels reports it). */
  statistic: number;
  /** Two-sided p-value of H0: equal accuracy. */
  pValue: number;
}

/** McNemar's test of equal paired accuracy (two-sided), as statsmodels.stats.contingency_tables.mcnemar. */
export function mcnemar(b: number, c: number): McNemarTest {
  const m = b + c;
  if (m < MCNEMAR_EXACT_BELOW) {
    const k = Math.min(b, c);
    return { b, c, exact: true, statistic: k, pValue: m === 0 ? 1 : Math.min(1, 2 * binomCdf(k, m, 0.5)) };
  }
  const statistic = (Math.abs(b - c) - 1) ** 2 / m;
  return { b, c, exact: false, statistic, pValue: chi2Sf(statistic, 1) };
}

export interface PairedAccuracyTest {
  n: number;
  b: number;
  c: number;
  /** (b − c)/n. */
  estimate: number;
  /** Tango's two-sided (1 − 2α) score interval of d: each end is a one-sided (1 − α) bound. */
  interval: [number, number];
  /** One-sided p-value of H0: d ≤ −margin (small: the candidate is not worse by the margin). */
  pValue: number;
  /** One-sided p-value of H0: d ≥ −margin (small: the candidate is worse by more than the margin). */
  pWorse: number;
  /** The score statistic at Δ0 = −margin. */
  z: number;
  method: 'tango-score';
  /** √(((b + c)/n) / n): the standard error of d̂ when the two models are equally accurate. */
  standardError: number;
  mcnemar: McNemarTest;
}

/** Non-inferiority of candidate accuracy against production: H0 d ≤ −margin vs H1 d > −margin. */
export function pairedAccuracyNonInferiority(b: number, c: number, n: number, margin: number, alpha: number): PairedAccuracyTest {
  const z = tangoZ(b, c, n, -margin);
  return {
    n,
    b,
    c,
    estimate: (b - c) / n,
    interval: tangoInterval(b, c, n, alpha),
    pValue: normSf(z),
    pWorse: normCdf(z),
    z,
    method: 'tango-score',
    standardError: Math.sqrt((b + c) / n / n),
    mcnemar: mcnemar(b, c),
  };
}

/**
 * Tango's restricted MLE of p01 (candidate wrong, production right) under d = p10 − p01 = Δ0:
 * the positive root of 2n·q² + W·q − c·Δ0(1 − Δ0) = 0, W = −b − c + (2n − b + c)Δ0.
 */
export function restrictedQ01(b: number, c: number, n: number, delta0: number): number {
  const w = -b - c + (2 * n - b + c) * delta0;
  const disc = w * w + 8 * n * c * delta0 * (1 - delta0);
  return (Math.sqrt(Math.max(0, disc)) - w) / (4 * n);
}

/** Tango's score statistic of H0: d = Δ0, (b − c − nΔ0)/√(n(2q + Δ0 − Δ0²)): decreasing in Δ0, large when d > Δ0. */
export function tangoZ(b: number, c: number, n: number, delta0: number): number {
  const q = restrictedQ01(b, c, n, delta0);
  const variance = n * (2 * q + delta0 - delta0 * delta0);
  const x = b - c - n * delta0;
  if (!(variance > 0)) return x > 0 ? Infinity : x < 0 ? -Infinity : 0;
  return x / Math.sqrt(variance);
}

/**
 * Tango's two-sided (1 − 2α) interval of d: the Δ0 where the statistic equals ±z₁₋α, each found
 * by bisection between the estimate and ±1 (a fixed number of halvings: it always ends). An
 * estimate of ±1 is its own bound there, as in Fagerland, Lydersen & Laake's implementation.
 */
export function tangoInterval(b: number, c: number, n: number, alpha: number): [number, number] {
  if (!(n > 0) || !(b >= 0) || !(c >= 0) || b + c > n) throw new Error(`Tango's interval needs 0 ≤ b, c and b + c ≤ n (got b = ${b}, c = ${c}, n = ${n})`);
  const critical = normQuantile(1 - alpha);
  const estimate = (b - c) / n;
  const lower = estimate <= -1 ? -1 : crossing((d0) => tangoZ(b, c, n, d0), -1, estimate, critical);
  const upper = estimate >= 1 ? 1 : crossing((d0) => tangoZ(b, c, n, d0), estimate, 1, -critical);
  return [lower, upper];
}

/**
 * The Δ0 in [lo, hi] where a decreasing statistic crosses `target`, by bisection: 200 halvings
 * at most, so it ends whatever the statistic returns (NaN included). A statistic still above
 * the target at hi gives hi, still below it at lo gives lo.
 */
function crossing(statistic: (delta0: number) => number, lo: number, hi: number, target: number): number {
  let a = lo;
  let b = hi;
  for (let i = 0; i < 200 && b - a > 1e-14; i++) {
    const mid = (a + b) / 2;
    if (statistic(mid) > target) a = mid;
    else b = mid;
  }
  return (a + b) / 2;
}
