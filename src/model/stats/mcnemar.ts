/**
 * Paired accuracy: McNemar's test and its generalisation to a non-inferiority margin.
 *
 * b = rows the candidate gets right and production gets wrong, c = the reverse, n = all rows.
 * The accuracy difference is d = (b − c)/n.
 *
 * McNemar (H0: d = 0) is exact (binomial on the b + c discordant pairs) when b + c < 25 and the
 * continuity-corrected chi-square otherwise — the statsmodels `mcnemar` convention.
 *
 * Non-inferiority (H0: d ≤ −margin) needs the variance of b − c under a non-zero d, which the
 * discordant pairs alone do not give (the conditional distribution of b depends on the unknown
 * discordance rate). We use Tango's score statistic (Tango 1998, Statistics in Medicine 17:891),
 * whose restricted MLE handles that nuisance parameter, with the same continuity correction as
 * McNemar's corrected chi-square. At margin 0 it is exactly McNemar's one-sided test, exact when
 * b + c < 25 and corrected chi-square otherwise.
 */
import { binomCdf, binomSfInclusive, chi2Sf, normSf } from './distributions.js';

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
  /** Two-sided (1 − 2α) interval of d from inverting the same test: its lower end is the one-sided bound. */
  interval: [number, number];
  /** One-sided p-value of H0: d ≤ −margin. */
  pValue: number;
  method: 'mcnemar-exact' | 'tango-score-corrected';
  /** √(((b + c)/n) / n): the standard error of d̂ when the two models are equally accurate. */
  standardError: number;
  mcnemar: McNemarTest;
}

/** Non-inferiority of candidate accuracy against production: H0 d ≤ −margin vs H1 d > −margin. */
export function pairedAccuracyNonInferiority(b: number, c: number, n: number, margin: number, alpha: number): PairedAccuracyTest {
  const m = b + c;
  const exact = margin === 0 && m < MCNEMAR_EXACT_BELOW;
  const upperTailP = (delta0: number) => (exact && delta0 === 0 ? exactUpper(b, m) : scoreUpperP(b, c, n, delta0));
  const lowerTailP = (delta0: number) => scoreLowerP(b, c, n, delta0);
  return {
    n,
    b,
    c,
    estimate: (b - c) / n,
    interval: [
      invert((d0) => upperTailP(d0), alpha, 'increasing', exact ? (d0) => exactUpperAt(b, c, n, d0) : undefined),
      invert((d0) => lowerTailP(d0), alpha, 'decreasing', exact ? (d0) => exactLowerAt(b, c, n, d0) : undefined),
    ],
    pValue: upperTailP(-margin),
    method: exact ? 'mcnemar-exact' : 'tango-score-corrected',
    standardError: Math.sqrt(m / n / n),
    mcnemar: mcnemar(b, c),
  };
}

/** P(B ≥ b) for B ~ Binomial(b + c, ½): the one-sided exact McNemar p-value. */
function exactUpper(b: number, m: number): number {
  return m === 0 ? 1 : binomSfInclusive(b, m, 0.5);
}

/**
 * The exact conditional p-value at a non-zero null difference, with the discordance rate at its
 * restricted MLE: used only to place the exact test's confidence bound, never for the decision
 * at a non-zero margin (which uses the score test).
 */
function exactUpperAt(b: number, c: number, n: number, delta0: number): number {
  const m = b + c;
  return m === 0 ? 1 : binomSfInclusive(b, m, conditionalPi(b, c, n, delta0));
}

function exactLowerAt(b: number, c: number, n: number, delta0: number): number {
  const m = b + c;
  return m === 0 ? 1 : binomCdf(b, m, conditionalPi(b, c, n, delta0));
}

/** P(a discordant pair favours the candidate) under d = Δ0, at the restricted MLE. */
function conditionalPi(b: number, c: number, n: number, delta0: number): number {
  const q = restrictedQ01(b, c, n, delta0);
  const p10 = q + delta0;
  return Math.min(1, Math.max(0, p10 / (p10 + q)));
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

/** Continuity-corrected score z for H1: d > Δ0 (a large z favours the candidate). */
export function scoreZ(b: number, c: number, n: number, delta0: number, side: 'upper' | 'lower'): number {
  const q = restrictedQ01(b, c, n, delta0);
  const variance = n * (2 * q + delta0 - delta0 * delta0);
  const x = b - c - n * delta0;
  const corrected = side === 'upper' ? x - 1 : x + 1;
  if (variance <= 0) return corrected > 0 ? Infinity : corrected < 0 ? -Infinity : 0;
  return corrected / Math.sqrt(variance);
}

function scoreUpperP(b: number, c: number, n: number, delta0: number): number {
  return normSf(scoreZ(b, c, n, delta0, 'upper'));
}

function scoreLowerP(b: number, c: number, n: number, delta0: number): number {
  return normSf(-scoreZ(b, c, n, delta0, 'lower'));
}

/**
 * The Δ0 in (−1, 1) where a one-sided p-value crosses α, by bisection. `increasing`: the
 * p-value grows with Δ0 (the lower bound of d); `decreasing`: it shrinks (the upper bound).
 */
function invert(p: (delta0: number) => number, alpha: number, shape: 'increasing' | 'decreasing', override?: (delta0: number) => number): number {
  const f = override ?? p;
  let lo = -1 + 1e-12;
  let hi = 1 - 1e-12;
  for (let i = 0; i < 200 && hi - lo > 1e-12; i++) {
    const mid = (lo + hi) / 2;
    const value = f(mid);
    const belowAlpha = value < alpha;
    // increasing: p < α at mid ⇒ the bound lies above mid.
    if (shape === 'increasing' ? belowAlpha : !belowAlpha) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}
