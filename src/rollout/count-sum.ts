/**
 * The distribution of a sum of independent counts, S = Σ X_i, each X_i binomial or
 * hypergeometric with its own parameters: the compare judge's final-look statistic, the
 * canary's errors summed over the compared minutes, where each minute has its own error total
 * and traffic split. @stdlib has each distribution for one term; the sum is a convolution,
 * short enough to be ours.
 *
 * Exact by convolution while the support is at most EXACT_LIMIT wide (O(width²) multiply-adds:
 * about 65 ms at the limit, once per rollout), which covers every rollout with fewer than
 * 20,000 errors in all. Above it the refined normal approximation (a skewness-corrected normal;
 * Volkova 1996, Hong 2013) is used: within 2e-3 of the exact tail already at 3,000 errors
 * (test/unit/count-sum.test.ts), and closer as the counts grow.
 */
import { normCdf } from '../model/stats/distributions.js';

export type CountTerm =
  | { kind: 'binomial'; n: number; p: number }
  /** Successes among `draws` taken without replacement from `population` holding `successes`. */
  | { kind: 'hypergeometric'; population: number; successes: number; draws: number };

/** Largest support width (Σ of each term's largest value) convolved exactly. */
export const EXACT_LIMIT = 20_000;

/** P(S ≤ k). */
export function countSumCdf(terms: readonly CountTerm[], k: number): number {
  const width = supportWidth(terms);
  if (k < 0) return 0;
  if (k >= width) return 1;
  if (width > EXACT_LIMIT) return refinedNormalCdf(terms, k);
  const pmf = countSumPmf(terms);
  let sum = 0;
  for (let j = 0; j <= k; j++) sum += pmf[j]!;
  return Math.min(1, sum);
}

/** P(S ≥ k), summed from the upper side so a small tail keeps its digits. */
export function countSumSf(terms: readonly CountTerm[], k: number): number {
  const width = supportWidth(terms);
  if (k <= 0) return 1;
  if (k > width) return 0;
  if (width > EXACT_LIMIT) return 1 - refinedNormalCdf(terms, k - 1);
  const pmf = countSumPmf(terms);
  let sum = 0;
  for (let j = pmf.length - 1; j >= k; j--) sum += pmf[j]!;
  return Math.min(1, sum);
}

/** The exact pmf of S, index = value. */
export function countSumPmf(terms: readonly CountTerm[]): Float64Array {
  let pmf = Float64Array.of(1);
  for (const term of terms) {
    const step = termPmf(term);
    if (step.length === 1 && step[0] === 1) continue; // a point mass at 0
    const next = new Float64Array(pmf.length + step.length - 1);
    for (let i = 0; i < pmf.length; i++) {
      const a = pmf[i]!;
      if (a === 0) continue;
      for (let j = 0; j < step.length; j++) next[i + j]! += a * step[j]!;
    }
    pmf = next;
  }
  return pmf;
}

/** One term's pmf over 0..max, index = value. */
export function termPmf(term: CountTerm): Float64Array {
  validate(term);
  return term.kind === 'binomial' ? binomialPmf(term.n, term.p) : hypergeometricPmf(term.population, term.successes, term.draws);
}

/** Binomial(n, p), built in log space so a large n does not underflow (1 − p)^n. */
function binomialPmf(n: number, p: number): Float64Array {
  const pmf = new Float64Array(n + 1);
  if (p === 0 || p === 1) {
    pmf[p === 0 ? 0 : n] = 1;
    return pmf;
  }
  const logOdds = Math.log(p) - Math.log1p(-p);
  let logTerm = n * Math.log1p(-p);
  pmf[0] = Math.exp(logTerm);
  for (let k = 1; k <= n; k++) {
    logTerm += Math.log((n - k + 1) / k) + logOdds;
    pmf[k] = Math.exp(logTerm);
  }
  return pmf;
}

/**
 * Hypergeometric, by the ratio P(k+1)/P(k) = (K−k)(t−k) / ((k+1)(N−K−t+k+1)) walked out from
 * the mode in log space and normalised: no factorials, so no overflow at any population.
 */
function hypergeometricPmf(population: number, successes: number, draws: number): Float64Array {
  const low = Math.max(0, draws - (population - successes));
  const high = Math.min(draws, successes);
  const pmf = new Float64Array(high + 1);
  const mode = Math.min(high, Math.max(low, Math.floor(((draws + 1) * (successes + 1)) / (population + 2))));
  const logRatio = (k: number) => Math.log(((successes - k) * (draws - k)) / ((k + 1) * (population - successes - draws + k + 1)));
  const logs = new Float64Array(high + 1);
  for (let k = mode; k < high; k++) logs[k + 1] = logs[k]! + logRatio(k);
  for (let k = mode; k > low; k--) logs[k - 1] = logs[k]! - logRatio(k - 1);
  let total = 0;
  for (let k = low; k <= high; k++) total += Math.exp(logs[k]!);
  for (let k = low; k <= high; k++) pmf[k] = Math.exp(logs[k]!) / total;
  return pmf;
}

/** Refined normal approximation of P(S ≤ k): Φ(x) + γ(1 − x²)φ(x)/6 at the continuity-corrected x. */
export function refinedNormalCdf(terms: readonly CountTerm[], k: number): number {
  const { mean, variance, thirdMoment } = sumMoments(terms);
  if (variance === 0) return k >= mean ? 1 : 0;
  const sd = Math.sqrt(variance);
  const x = (k + 0.5 - mean) / sd;
  const skew = thirdMoment / (variance * sd);
  const density = Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);
  return Math.min(1, Math.max(0, normCdf(x) + (skew * (1 - x * x) * density) / 6));
}

/** Mean and variance of S (the sum of the terms' own). */
export function countSumMoments(terms: readonly CountTerm[]): { mean: number; variance: number } {
  const { mean, variance } = sumMoments(terms);
  return { mean, variance };
}

/** Mean, variance and third central moment of S: each adds up over independent terms. */
function sumMoments(terms: readonly CountTerm[]): { mean: number; variance: number; thirdMoment: number } {
  const total = { mean: 0, variance: 0, thirdMoment: 0 };
  for (const term of terms) {
    const m = moments(term);
    total.mean += m.mean;
    total.variance += m.variance;
    total.thirdMoment += m.thirdMoment;
  }
  return total;
}

/** Mean, variance and third central moment of one term (the hypergeometric's from Johnson, Kemp & Kotz). */
function moments(term: CountTerm): { mean: number; variance: number; thirdMoment: number } {
  validate(term);
  if (term.kind === 'binomial') {
    const { n, p } = term;
    return { mean: n * p, variance: n * p * (1 - p), thirdMoment: n * p * (1 - p) * (1 - 2 * p) };
  }
  const { population: N, successes: K, draws: t } = term;
  if (N <= 2) {
    // Too small for the closed forms' denominators: from the pmf itself.
    const pmf = termPmf(term);
    const mean = pmf.reduce((s, p, k) => s + p * k, 0);
    return { mean, variance: pmf.reduce((s, p, k) => s + p * (k - mean) ** 2, 0), thirdMoment: pmf.reduce((s, p, k) => s + p * (k - mean) ** 3, 0) };
  }
  const share = K / N;
  return {
    mean: t * share,
    variance: (t * share * (1 - share) * (N - t)) / (N - 1),
    thirdMoment: (t * K * (N - K) * (N - 2 * K) * (N - t) * (N - 2 * t)) / (N ** 3 * (N - 1) * (N - 2)),
  };
}

/** The largest value S can take: Σ of each term's largest value. */
function supportWidth(terms: readonly CountTerm[]): number {
  return terms.reduce((sum, term) => sum + (term.kind === 'binomial' ? term.n : Math.min(term.draws, term.successes)), 0);
}

function validate(term: CountTerm): void {
  const count = (name: string, value: number) => {
    if (!Number.isInteger(value) || value < 0) throw new RangeError(`${term.kind}: ${name} must be a non-negative integer, got ${value}`);
  };
  if (term.kind === 'binomial') {
    count('n', term.n);
    if (!(term.p >= 0 && term.p <= 1)) throw new RangeError(`binomial: p must be in [0, 1], got ${term.p}`);
    return;
  }
  count('population', term.population);
  count('successes', term.successes);
  count('draws', term.draws);
  if (term.successes > term.population || term.draws > term.population) {
    throw new RangeError(`hypergeometric: successes (${term.successes}) and draws (${term.draws}) must not exceed the population (${term.population})`);
  }
}
