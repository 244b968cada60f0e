/**
 * The compare judge: the candidate (canary) against the stable version serving at the same
 * time, as a sequential test that may look after every poll. Pure, Kayenta-style: a verdict
 * plus the numbers behind it. docs/judge.md derives every formula used here.
 *
 * Errors. In a metric period where the canary served n and the stable version m invocations,
 * condition on the total number of errors t = x + y. Under "no regression" (canary error rate
 * ≤ stable) the canary's share x is at most Binomial(t, w), w = n / (n + m), whatever the
 * common error rate is (Hoeffding 1963 for sampling without replacement; stochastic order for a
 * better canary); a regression of ratio ρ makes it Binomial(t, ρn / (ρn + m)). The likelihood
 * ratio of one period is therefore
 *
 *   ln f = x · ln ρ − t · ln(1 + (ρ − 1) · w),
 *
 * and the product over periods is a nonnegative supermartingale under the null. Ville's
 * inequality bounds the chance that it EVER reaches 1/α by α, however often it is read: this
 * is Wald's SPRT upper boundary, conditioned so that the unknown common error rate drops out
 * (the Poisson-conditioning idea of Lindon, Sanden & Shirikian, KDD 2022).
 *
 * A regression that starts mid-rollout would first have to climb out of the evidence the
 * healthy minutes piled up against it. So the fail side is a mixture of that product started
 * at every period k with weight π_k = 1/(k(k+1)) (Σ π_k = 1): a convex mixture of test
 * supermartingales is one, so Ville still gives α, and a regression from period k pays only
 * ln(1/π_k) extra (0.7 nats from the start, 5.5 from minute 15). Recursively:
 * E_t = f_t · (E_{t−1} + π_t).
 *
 * ρ per period is `max(ratio, 1 + absolute / ŝ)` with ŝ the stable rate estimated from the
 * EARLIER periods only (a predictable plug-in keeps the supermartingale property), capped at
 * RATIO_CAP: the regression to detect is "at least `ratio` times AND at least `absolute` above
 * the stable rate", so at a 0.1% baseline with absolute 0.5 points it is ≥ 6×, not 2×.
 *
 * The final look. A test that may stop at any poll pays for it against one look at a known
 * time: on a 10-minute plan the mixture catches fewer 2× regressions than a single test at the
 * end could. The plan does fix one time in advance, the decisive step's last deadline (the
 * poll whose `continue` would end it inconclusive), so `final-look-share` (default ½) of α and
 * of β is kept for one fixed-sample test there (finalLookTest) and the looks at every poll get
 * the rest: fail at E ≥ 1/(α(1 − share)) at any poll, or p ≤ α·share at the final look; by the
 * union bound P(any fail | no regression) ≤ α. The final look is reached at most once, at a time
 * that depends on the plan and the traffic volume, not on how the errors split, so its exact
 * conditional p-value stays valid.
 *
 * Verdicts: fail when the (mixture) evidence reaches its bound, or at the final look. Pass only
 * where the loop asks for evidence of health (`requireEvidence`: the last step with stable
 * traffic), with at least minInvocations, when one of these holds:
 *  - the same ratio product since the first shift is ≤ β(1 − share) (Wald's lower boundary);
 *  - a one-sample test puts the canary's rate below stable + absolute (ratio ≤ β, the route that
 *    works at a 0% baseline; it keeps all of β, see judgeCompare);
 *  - at the final look, P(≤ the canary's errors | a min-effect regression) ≤ β·share;
 * at earlier steps "no evidence of a regression and minInvocations" passes, as the threshold
 * judge does.
 *
 * Clustered errors. All of the above assumes each call fails independently. When a version's
 * errors come in runs (a bad container failing consecutive calls, a poisoned cache), a minute's
 * split varies φ times more than the binomial, and the tests over-read it. Every log-likelihood
 * ratio is then divided by φ (`dispersion`): exact for runs of at most φ calls whatever their
 * version (E[ρ^{uB}] ≤ E[ρ^B]^u for u = B/φ ≤ 1, Jensen); 'auto' estimates φ from the Pearson
 * residuals of the per-minute splits around a fitted common ratio (dispersionOf).
 *
 * Minutes in which the weight changed (`excludedMinutes`) are skipped by every comparison: the
 * versions did not serve the same stretch of such a minute (before a shift to 100%, stable's calls
 * all come before it), so a shared incident starting mid-minute would not fall on them in
 * proportion to their calls.
 *
 * Latency: per minute, "canary p99 > (1 + p99-tolerance) × stable p99" has a probability that does
 * not depend on the latency distribution if the canary is no slower than that (exceedanceProbability),
 * so a sequential test of those events has a stated α (latencyEvidence).
  */
import type { CompareJudgeConfig } from '../config/types.js';
import type { VersionMetrics } from '../targets/target.js';
import type { Verdict } from './judge.js';
import type { CountTerm } from './count-sum.js';
import { countSumCdf, countSumMoments, countSumSf } from './count-sum.js';
import { chi2Sf, normCdf, normQuantile, normSf, tSf } from '../model/stats/distributions.js';
import { plural } from '../core/plural.js';

/** Largest regression ratio tested: beyond it a single stable error would erase all evidence. */
export const RATIO_CAP = 100;

/**
 * Calls of EACH version a minute needs before its p99s are compared. The test is valid at any
 * count (exceedanceProbability is exact for every n and m); below this a p99 is one of the
 * few largest calls, so a minute says little and rests most on the nearest-rank definition.
 */
export const LATENCY_MIN_CALLS = 100;

/** Odds ratios of "canary p99 above (1 + p99-tolerance) × stable's" the latency test averages over. */
export const LATENCY_ODDS_RATIOS: readonly number[] = [4, 16];

export interface CompareJudgeInput {
  /** Canary metrics since the first shift (the test uses all its evidence, not a window). */
  canary: VersionMetrics;
  /** Stable metrics over the same window. */
  stable: VersionMetrics;
  config: CompareJudgeConfig;
  minInvocations: number;
  /**
   * True at the step whose pass lets the candidate take all traffic (the last step where the
   * stable version still serves): there a pass needs evidence AGAINST a regression. Earlier
   * steps pass on "no evidence of a regression" and the evidence keeps accumulating.
   */
  requireEvidence: boolean;
  /**
   * True at the decisive step's last look: the poll whose `continue` would end the step
   * inconclusive (the deadline after its extension, or its planned end when extensions are
   * off). Happens at most once per rollout, at a time fixed by the plan, so a fixed-sample test
   * there spends its share of α and β only once (see FinalLook).
   */
  finalLook?: boolean;
  /**
   * Starts (ms) of the minutes in which the canary's weight changed (the loop's shifts, the first
   * one included): such a minute mixes two weights, so within it the two versions did not serve
   * the same stretch of time, and a shared incident starting mid-minute would land on them out of
   * proportion to their calls. The error and latency tests skip them.
   */
  excludedMinutes?: ReadonlySet<number>;
  /** What the counted events are called in the reasons (`errors`; a metric query's metric name). */
  noun?: string;
}

/** The fixed-sample test at the final look, with the share of α and β it was given. */
export interface FinalLook {
  /** Canary errors over the compared minutes, the statistic (UMP for a constant ratio). */
  canaryErrors: number;
  /** All errors over the compared minutes. */
  totalErrors: number;
  /** P(≥ canaryErrors | no regression, each minute's calls and error total): the fail side. */
  pValue: number;
  /** P(≤ canaryErrors | a regression of the tested ratio): the pass side. */
  passPValue: number;
  /** α · final-look-share: the fail side's level. */
  alpha: number;
  /** β · final-look-share: the pass side's level (of the ratio route; the absolute route keeps β). */
  beta: number;
}

/** One period both versions served, with the regression ratio tested in it. */
export interface ComparePeriod {
  startMs: number;
  canaryInvocations: number;
  canaryErrors: number;
  stableInvocations: number;
  stableErrors: number;
  /** ρ for this period, from the stable data of earlier periods only. */
  ratio: number;
  /** ln of this period's likelihood ratio. */
  logLikelihoodRatio: number;
}

export interface ErrorEvidence {
  periods: ComparePeriod[];
  /** The fail side: the mixture over start periods (e-value of "a regression since some minute"). */
  evidence: number;
  /** The pass side: the product of all per-period likelihood ratios since the first shift. */
  likelihoodRatio: number;
  /** Pooled stable error rate estimate (errors + ½) / (invocations + 1). */
  stableRateEstimate: number;
  /**
   * Likelihood ratio of "canary rate = stable estimate + absolute" against "canary rate =
   * stable estimate" on all canary data: ≤ β says the canary is not `absolute` points worse.
   */
  absoluteLikelihoodRatio: number;
  /** The overdispersion the log-likelihood ratios above were divided by (dispersionOf). */
  dispersion: Dispersion;
}

/**
 * The step whose pass needs evidence against a regression: the last one where the stable
 * version still serves traffic (a 100% final bake has nothing to compare with, so the
 * evidence must be complete before it), or the last step when every step is at 100%.
 */
export function decisiveStepIndex(steps: ReadonlyArray<{ weight: number }>): number {
  for (let index = steps.length - 1; index >= 0; index--) if (steps[index]!.weight < 1) return index;
  return steps.length - 1;
}

/** ρ tested in a period, from the stable invocations and errors seen before it. */
export function regressionRatio(config: CompareJudgeConfig, stableErrorsBefore: number, stableInvocationsBefore: number): number {
  const estimate = (stableErrorsBefore + 0.5) / (stableInvocationsBefore + 1);
  return Math.min(RATIO_CAP, Math.max(config.minEffect.ratio, 1 + config.minEffect.absolute / estimate));
}

/** ln of one period's conditional likelihood ratio: x·ln ρ − (x + y)·ln(1 + (ρ − 1)·n/(n + m)). */
export function periodLogLikelihoodRatio(ratio: number, canary: { invocations: number; errors: number }, stable: { invocations: number; errors: number }): number {
  const total = canary.invocations + stable.invocations;
  if (total === 0 || stable.invocations === 0) return 0; // no concurrent stable traffic: no comparison
  const share = canary.invocations / total;
  const errors = canary.errors + stable.errors;
  return canary.errors * Math.log(ratio) - errors * Math.log1p((ratio - 1) * share);
}

/** The sequential evidence about error rates in the periods both versions served, oldest first. */
export function errorEvidence(canary: VersionMetrics, stable: VersionMetrics, config: CompareJudgeConfig, excludedMinutes?: ReadonlySet<number>): ErrorEvidence {
  const stableByStart = new Map(stable.periods.map((p) => [p.startMs, p]));
  const periods: ComparePeriod[] = [];
  let stableErrorsBefore = 0;
  let stableInvocationsBefore = 0;
  for (const c of [...canary.periods].sort((a, b) => a.startMs - b.startMs)) {
    if (excludedMinutes?.has(c.startMs) === true) continue;
    const s = stableByStart.get(c.startMs);
    if (s === undefined || s.invocations === 0 || c.invocations === 0) continue;
    const ratio = regressionRatio(config, stableErrorsBefore, stableInvocationsBefore);
    periods.push({
      startMs: c.startMs,
      canaryInvocations: c.invocations,
      canaryErrors: c.errors,
      stableInvocations: s.invocations,
      stableErrors: s.errors,
      ratio,
      logLikelihoodRatio: periodLogLikelihoodRatio(ratio, c, s),
    });
    stableErrorsBefore += s.errors;
    stableInvocationsBefore += s.invocations;
  }
  const dispersion = dispersionOf(config, periods);
  let logLikelihoodRatio = 0;
  let logEvidence = Number.NEGATIVE_INFINITY;
  for (const [index, period] of periods.entries()) {
    logLikelihoodRatio += period.logLikelihoodRatio / dispersion.factor;
    logEvidence = period.logLikelihoodRatio / dispersion.sequentialFailFactor + logAddExp(logEvidence, Math.log(startWeight(index + 1)));
  }
  const stableRateEstimate = (stable.errors + 0.5) / (stable.invocations + 1);
  const absolute = absoluteLikelihoodRatio(canary.invocations, canary.errors, stableRateEstimate, config.minEffect.absolute);
  return {
    periods,
    evidence: Math.exp(logEvidence),
    likelihoodRatio: Math.exp(logLikelihoodRatio),
    stableRateEstimate,
    absoluteLikelihoodRatio: dispersion.factor === 1 ? absolute : Math.exp(Math.log(absolute) / dispersion.factor),
    dispersion,
  };
}

export interface Dispersion {
  /** 'auto': estimated from the data; 'fixed': the number in the config. */
  mode: 'auto' | 'fixed';
  /** φ: the pass side's log-likelihood ratios are divided by it (1 = independent errors). */
  factor: number;
  /** φ of the fail side's looks at every poll (auto: the estimate widened for its degrees of freedom). */
  sequentialFailFactor: number;
  /** Variance multiplier of the final look's fail side (1: the exact test alone). */
  finalFailFactor: number;
  /** Pearson's X² / df around the fitted common odds ratio; null when fixed or with fewer than 2 minutes with errors. */
  estimate: number | null;
  /** Degrees of freedom of the estimate: minutes with errors less one. */
  degreesOfFreedom: number;
  /** Pearson's test of "no overdispersion" rejects at OVERDISPERSION_LEVEL (auto only). */
  overdispersed: boolean;
}

/** Level of Pearson's test of "no overdispersion" above which the auto dispersion stays 1 on the pass side and the final look. */
export const OVERDISPERSION_LEVEL = 0.05;
/** Tail probability at which the fail side's looks at every poll widen an estimated φ for its degrees of freedom (tCorrection). */
export const DISPERSION_T_LEVEL = 0.025;
/** Largest φ the fail side's looks at every poll divide by, however few minutes the estimate rests on. */
export const DISPERSION_CAP = 10;

/**
 * The overdispersion the tests divide their log-likelihood ratios by (docs/judge.md, "Clustered
 * errors"). Fixed in the config: that number everywhere. Auto, from the compared minutes'
 * Pearson residuals (estimateDispersion):
 *  - the pass side and the final look's pass test use φ̂ when Pearson's test finds
 *    overdispersion at OVERDISPERSION_LEVEL, else 1 (β is approximate either way);
 *  - the fail side's looks at every poll use φ̂ widened like a t-test's critical value for
 *    its degrees of freedom, and no less than the residuals around "no regression" show once
 *    overdispersion is found (they include the excess a false alarm would be made of); with
 *    fewer than two minutes with errors, DISPERSION_CAP;
 *  - the final look's fail test takes the larger of the exact p-value and the normal one with
 *    the variance times max(1, φ̂); once overdispersion is found, Student's t (df of the
 *    estimate) with the variance times the larger of φ̂ and the residuals around "no regression".
 */
export function dispersionOf(config: CompareJudgeConfig, periods: readonly ComparePeriod[]): Dispersion {
  const setting = config.dispersion ?? 'auto';
  const fit = estimateDispersion(periods);
  const df = fit.degreesOfFreedom;
  if (setting !== 'auto') {
    const fixed = Math.max(1, setting); // below 1 would claim less variation than independent calls
    return { mode: 'fixed', factor: fixed, sequentialFailFactor: fixed, finalFailFactor: fixed, estimate: null, degreesOfFreedom: df, overdispersed: fixed > 1 };
  }
  if (df < 1) {
    return { mode: 'auto', factor: 1, sequentialFailFactor: DISPERSION_CAP, finalFailFactor: 1, estimate: null, degreesOfFreedom: df, overdispersed: false };
  }
  const overdispersed = chi2Sf(fit.estimate * df, df) <= OVERDISPERSION_LEVEL;
  const widened = Math.max(fit.estimate * tCorrection(df, DISPERSION_T_LEVEL), overdispersed ? fit.nullEstimate * tCorrection(df + 1, DISPERSION_T_LEVEL) : 1);
  return {
    mode: 'auto',
    factor: overdispersed ? Math.max(1, fit.estimate) : 1,
    sequentialFailFactor: Math.min(DISPERSION_CAP, Math.max(1, widened)),
    finalFailFactor: overdispersed ? Math.max(1, fit.estimate, fit.nullEstimate) : Math.max(1, fit.estimate),
    estimate: fit.estimate,
    degreesOfFreedom: df,
    overdispersed,
  };
}

/** (t_{df}(1 − a) / z(1 − a))²: how much wider a threshold must be when φ is estimated from df degrees of freedom. */
export function tCorrection(df: number, a: number): number {
  if (df < 1) return Number.POSITIVE_INFINITY;
  const key = `${df}:${a}`;
  const known = T_CORRECTIONS.get(key);
  if (known !== undefined) return known;
  const value = tCorrectionUncached(df, a);
  T_CORRECTIONS.set(key, value);
  return value;
}

const T_CORRECTIONS = new Map<string, number>();

function tCorrectionUncached(df: number, a: number): number {
  const z = normQuantile(1 - a);
  let low = z;
  let high = 2 * z;
  while (tSf(high, df) > a) high *= 2;
  for (let i = 0; i < 60; i++) {
    const middle = (low + high) / 2;
    if (tSf(middle, df) > a) low = middle;
    else high = middle;
  }
  return ((low + high) / 2 / z) ** 2;
}

/**
 * Pearson's dispersion estimate of the canary's errors given each minute's error total,
 * around a fitted common odds ratio (so that a constant regression does not read as
 * dispersion): X² / (K − 1) over the K minutes with errors.
 */
export function estimateDispersion(periods: readonly ComparePeriod[]): { estimate: number; nullEstimate: number; degreesOfFreedom: number; fittedOddsRatio: number } {
  const rows = periods
    .map((p) => {
      const calls = p.canaryInvocations + p.stableInvocations;
      return { x: p.canaryErrors, t: p.canaryErrors + p.stableErrors, w: p.canaryInvocations / calls, calls };
    })
    .filter((r) => r.t > 0 && r.w > 0 && r.w < 1);
  const df = rows.length - 1;
  if (df < 1) return { estimate: 1, nullEstimate: 1, degreesOfFreedom: Math.max(0, df), fittedOddsRatio: 1 };
  // Newton on β = ln(odds ratio): score Σ(x − tθ), information Σ tθ(1 − θ).
  let beta = 0;
  const theta = (w: number, b: number) => 1 / (1 + ((1 - w) / w) * Math.exp(-b));
  for (let iteration = 0; iteration < 50; iteration++) {
    let score = 0;
    let information = 0;
    for (const r of rows) {
      const th = theta(r.w, beta);
      score += r.x - r.t * th;
      information += r.t * th * (1 - th);
    }
    if (!(information > 0)) break;
    const step = Math.max(-2, Math.min(2, score / information));
    beta = Math.max(-12, Math.min(12, beta + step));
    if (Math.abs(step) < 1e-10) break;
  }
  const pearson = (b: number, dof: number) => {
    let sum = 0;
    for (const r of rows) {
      const th = theta(r.w, b);
      // Hypergeometric variance (the finite-population factor) under the null, binomial otherwise.
      const variance = r.t * th * (1 - th) * (r.calls > 1 ? (r.calls - r.t) / (r.calls - 1) : 1);
      if (variance > 0) sum += (r.x - r.t * th) ** 2 / variance;
    }
    return sum / dof;
  };
  return { estimate: pearson(beta, df), nullEstimate: pearson(0, df + 1), degreesOfFreedom: df, fittedOddsRatio: Math.exp(beta) };
}

/** π_k = 1/(k(k+1)), k = 1, 2, …: the weight of the test started at the k-th compared period. */
export function startWeight(k: number): number {
  return 1 / (k * (k + 1));
}

function logAddExp(a: number, b: number): number {
  const high = Math.max(a, b);
  return high === Number.NEGATIVE_INFINITY ? high : high + Math.log(Math.exp(a - high) + Math.exp(b - high));
}

/** Bernoulli likelihood ratio of rate q0 + absolute against q0 for `errors` in `invocations`. */
function absoluteLikelihoodRatio(invocations: number, errors: number, q0: number, absolute: number): number {
  const q1 = Math.min(q0 + absolute, 1 - 1e-12);
  if (!(absolute > 0) || q0 >= q1) return 1;
  return Math.exp(errors * Math.log(q1 / q0) + (invocations - errors) * Math.log((1 - q1) / (1 - q0)));
}

/**
 * The fixed-sample test at the final look: the stratified exact conditional test (Fisher's
 * exact test per minute, summed: Cochran–Mantel–Haenszel's exact form). If both versions fail
 * with the same probability in a minute, whatever it is, then given that minute's error total
 * t_k the canary's errors are Hypergeometric(n_k + m_k calls, n_k of them canary, t_k drawn),
 * independently across minutes; so the p-value is exact, with no assumption on how the common
 * rate moves from minute to minute. The pass side uses the rare-error view of the sequential
 * test, Binomial(t_k, θ_k) with θ_k = ρ_k w_k / (1 + (ρ_k − 1) w_k), which makes its β
 * approximate as the sequential β is. The sum of the canary's errors is the statistic (the
 * most powerful one against a constant ratio).
 */
export function finalLookTest(periods: readonly ComparePeriod[], config: CompareJudgeConfig, dispersion?: Dispersion): FinalLook {
  const nullTerms: CountTerm[] = [];
  const regressionTerms: CountTerm[] = [];
  let canaryErrors = 0;
  let totalErrors = 0;
  for (const period of periods) {
    const errors = period.canaryErrors + period.stableErrors;
    const calls = period.canaryInvocations + period.stableInvocations;
    const share = period.canaryInvocations / calls;
    nullTerms.push({ kind: 'hypergeometric', population: calls, successes: period.canaryInvocations, draws: errors });
    regressionTerms.push({ kind: 'binomial', n: errors, p: (period.ratio * share) / (1 + (period.ratio - 1) * share) });
    canaryErrors += period.canaryErrors;
    totalErrors += errors;
  }
  let pValue = countSumSf(nullTerms, canaryErrors);
  // No errors at all carry no information about the ratio: never evidence against it.
  let passPValue = totalErrors === 0 ? 1 : countSumCdf(regressionTerms, canaryErrors);
  if (dispersion !== undefined && totalErrors > 0) {
    // Overdispersed counts: the normal approximation with the variance times φ (Student's t
    // with the estimate's degrees of freedom when φ is estimated), whichever p-value is larger,
    // so that φ only ever makes the final look more cautious.
    const h0 = countSumMoments(nullTerms);
    if (dispersion.finalFailFactor > 1 && h0.variance > 0) {
      const z = (canaryErrors - 0.5 - h0.mean) / Math.sqrt(dispersion.finalFailFactor * h0.variance);
      pValue = Math.max(pValue, dispersion.mode === 'auto' && dispersion.overdispersed ? tSf(z, dispersion.degreesOfFreedom) : normSf(z));
    }
    const h1 = countSumMoments(regressionTerms);
    if (dispersion.factor > 1 && h1.variance > 0) {
      passPValue = Math.max(passPValue, normCdf((canaryErrors + 0.5 - h1.mean) / Math.sqrt(dispersion.factor * h1.variance)));
    }
  }
  return {
    canaryErrors,
    totalErrors,
    pValue,
    passPValue,
    alpha: config.alpha * config.finalLookShare,
    beta: config.beta * config.finalLookShare,
  };
}

/** Judges the canary against the stable version: errors by the sequential test, then latency. Pure. */
export function judgeCompare(input: CompareJudgeInput): Verdict {
  const { canary, stable, config } = input;
  const evidence = errorEvidence(canary, stable, config, input.excludedMinutes);
  const dispersion = evidence.dispersion;
  // α and β are split once, in advance, between the looks at every poll and the final look.
  const sequentialShare = 1 - config.finalLookShare;
  const sequentialBeta = config.beta * sequentialShare;
  const failAt = 1 / (config.alpha * sequentialShare);
  const final = input.finalLook === true && config.finalLookShare > 0 ? finalLookTest(evidence.periods, config, dispersion) : null;
  const bound =
    config.finalLookShare > 0
      ? `1/${round(config.alpha * sequentialShare)} = ${round(failAt)} (α ${config.alpha} less the final look's ${round(config.finalLookShare * 100)}%)`
      : `1/α = ${round(failAt)}`;
  const betaBound = config.finalLookShare > 0 ? `${round(sequentialBeta)} (β ${config.beta} less the final look's share)` : `β = ${config.beta}`;
  const lastRatio = evidence.periods.at(-1)?.ratio ?? regressionRatio(config, 0, 0);
  const latency = latencyEvidence(canary, stable, config.p99Tolerance, input.excludedMinutes);
  const latencyFailAt = 1 / config.alpha;
  const observed: Record<string, number | null> = {
    invocations: canary.invocations,
    errors: canary.errors,
    errorRate: rate(canary.errors, canary.invocations),
    stableInvocations: stable.invocations,
    stableErrors: stable.errors,
    stableErrorRate: rate(stable.errors, stable.invocations),
    evidence: evidence.evidence,
    likelihoodRatio: evidence.likelihoodRatio,
    absoluteEvidence: evidence.absoluteLikelihoodRatio,
    testedRatio: lastRatio,
    failThreshold: failAt,
    passThreshold: sequentialBeta,
    finalPValue: final?.pValue ?? null,
    finalPassPValue: final?.passPValue ?? null,
    dispersion: dispersion.factor,
    failDispersion: dispersion.sequentialFailFactor,
    dispersionEstimate: dispersion.estimate,
    p99Ms: canary.p99Ms,
    stableP99Ms: stable.p99Ms,
    p99Ratio: latency.medianRatio,
    latencyEvidence: latency.evidence,
    latencyMinutes: latency.minutes,
    slowerMinutes: latency.slowerMinutes,
  };
  const verdict = (v: Verdict['verdict'], reason: string): Verdict => ({ verdict: v, reason, observed });
  // Every reason leads with what a person needs (what was seen, what it means, what happens
  // next) and keeps the numbers behind it after " — ".
  const seen = plainRates(canary, stable, input.noun ?? 'errors');
  const counts = `canary ${canary.errors} of ${canary.invocations}, stable ${stable.errors} of ${stable.invocations}`;
  const effect = `${round(lastRatio)}×`;
  const failNote = dispersionNote(dispersion, dispersion.sequentialFailFactor);
  const passNote = dispersionNote(dispersion, dispersion.factor);

  if (evidence.evidence >= failAt) {
    return verdict('fail', `${seen}: a regression of at least ${effect}; the step fails — ${counts}; evidence ${round(evidence.evidence)} ≥ ${bound}.${failNote}`);
  }
  const needed = Math.max(1, input.minInvocations);
  if (latency.evidence >= latencyFailAt) {
    const counted = (name: 'p99' | 'p90') => {
      const minutes = latency.comparisons.filter((c) => c.percentile === name);
      return minutes.length > 0 ? [`${name} in ${minutes.filter((c) => c.slower).length} of ${minutes.length}`] : [];
    };
    const last = latency.comparisons.filter((c) => c.percentile === 'p99').at(-1);
    const lastNote = last !== undefined ? `last p99 ${formatMs(last.canaryMs)} vs ${formatMs(last.stableMs)}; ` : '';
    return verdict(
      'fail',
      `Canary slower than ${round(1 + config.p99Tolerance)}× stable (${[...counted('p99'), ...counted('p90')].join(', ')} compared minutes): a latency regression; the step fails — ${lastNote}evidence ${round(latency.evidence)} ≥ 1/α = ${round(latencyFailAt)} that it is more than ${round(1 + config.p99Tolerance)}× slower.`,
    );
  }
  if (final !== null && final.pValue <= final.alpha) {
    return verdict(
      'fail',
      `${seen}: worse than stable at the final look; the step fails — ${counts}; final look: ${final.canaryErrors} of the ${final.totalErrors} errors were the canary's, p = ${round(final.pValue)} ≤ ${round(final.alpha)} if it were no worse than stable.${dispersionNote(dispersion, dispersion.finalFailFactor)}`,
    );
  }
  if (canary.invocations < needed) {
    return verdict('continue', `${seen}: too few calls to judge yet; needs at least ${plural(needed, 'canary call')} before the step may pass — ${counts}.`);
  }
  const latencyNote = latency.medianRatio !== null ? `; p99 ${round(latency.medianRatio)}× stable (median of ${plural(latency.minutes, 'minute')})` : '';
  if (!input.requireEvidence) {
    return verdict('pass', `${seen}: no sign of a ${effect} regression; the step passes — ${counts}; evidence ${round(evidence.evidence)} < ${bound}${latencyNote}.${passNote}`);
  }
  if (evidence.likelihoodRatio <= sequentialBeta) {
    return verdict('pass', `${seen}: enough calls to rule out a ${effect} regression; ready to promote — ${counts}; likelihood ratio ${round(evidence.likelihoodRatio)} ≤ ${betaBound} since the first shift${latencyNote}.${passNote}`);
  }
  // The absolute route keeps the whole β: it is the low-baseline route, where errors are too
  // rare for the final look's conditional test to add anything (with no errors at all a fixed
  // test needs exactly the clean calls this one does), so splitting β would only cost calls.
  if (evidence.absoluteLikelihoodRatio <= config.beta) {
    return verdict(
      'pass',
      `${seen}: enough calls to rule out a rate ${percent(config.minEffect.absolute)} above stable's; ready to promote — ${counts}; evidence ${round(evidence.absoluteLikelihoodRatio)} ≤ β = ${config.beta}${latencyNote}.${passNote}`,
    );
  }
  if (final !== null && final.passPValue <= final.beta) {
    return verdict(
      'pass',
      `${seen}: at the final look, too few of the errors are the canary's for a ${effect} regression; ready to promote — ${counts}; final look: ${final.canaryErrors} of the ${final.totalErrors} errors were the canary's, p = ${round(final.passPValue)} ≤ ${round(final.beta)} if it were a ≥${effect} regression${latencyNote}.${passNote}`,
    );
  }
  const finalNote = final !== null ? ` Final look: p = ${round(final.pValue)} > ${round(final.alpha)} for a regression, p = ${round(final.passPValue)} > ${round(final.beta)} against one.` : '';
  return verdict(
    'continue',
    `${seen}: no sign of a ${effect} regression yet; needs more calls to promote — ${counts}; evidence ${round(evidence.evidence)} < ${bound} to fail, likelihood ratio ${round(evidence.likelihoodRatio)} > ${betaBound} to promote.${finalNote}${passNote}`,
  );
}

/**
 * The plain-language opening of every error reason: `Canary 1.1% vs stable 1.4% errors`, or
 * `No canary calls yet (stable 1.4% errors)` before the canary served any.
 */
function plainRates(canary: VersionMetrics, stable: VersionMetrics, noun: string): string {
  const canaryRate = percent(rate(canary.errors, canary.invocations));
  const stableRate = percent(rate(stable.errors, stable.invocations));
  if (canary.invocations === 0) return stable.invocations === 0 ? 'No calls of either version yet' : `No canary calls yet (stable ${stableRate} ${noun})`;
  if (stable.invocations === 0) return `Canary ${canaryRate} ${noun}, no stable calls to compare with`;
  return `Canary ${canaryRate} vs stable ${stableRate} ${noun}`;
}

/**
 * The sentence a reason gets when a test divided its log-likelihood ratios (or multiplied its
 * variance) by φ > 1, empty otherwise: the clustering the judge allowed for is part of the verdict.
 */
function dispersionNote(dispersion: Dispersion, factor: number): string {
  if (!(factor > 1)) return '';
  if (dispersion.mode === 'fixed') return ` Errors counted as clustered: dispersion ${round(factor)} (config).`;
  const minutes = dispersion.degreesOfFreedom + 1;
  if (dispersion.estimate === null) return ` Dispersion ${round(factor)}: fewer than 2 minutes with errors to estimate it from.`;
  const estimate = `estimated ${round(dispersion.estimate)} from ${plural(minutes, 'minute')} with errors`;
  return dispersion.overdispersed ? ` Errors overdispersed (clustered): dispersion ${round(factor)}, ${estimate}.` : ` Dispersion ${round(factor)} allowed for (${estimate}).`;
}

/**
 * A period's latency percentiles. VersionMetrics carries p99Ms; a target may also give p90Ms
 * (CloudWatch's Duration p90 for the same minute and version), which the latency test then uses too.
 */
type LatencyPeriodInput = VersionMetrics['periods'][number] & { p90Ms?: number | null };

/** The percentiles the latency test compares, with the nearest rank each one is (p99Rank for 0.99). */
export const LATENCY_PERCENTILES = [
  { name: 'p99', level: 0.99, read: (p: LatencyPeriodInput) => p.p99Ms },
  { name: 'p90', level: 0.9, read: (p: LatencyPeriodInput) => p.p90Ms ?? null },
] as const;

/** One minute and percentile the latency test compared. */
export interface LatencyComparison {
  startMs: number;
  percentile: 'p99' | 'p90';
  canaryInvocations: number;
  stableInvocations: number;
  canaryMs: number;
  stableMs: number;
  /** canary value > (1 + p99-tolerance) × stable value in this minute. */
  slower: boolean;
  /** P(slower) if the canary's calls were no slower than (1 + p99-tolerance) × stable's (exceedanceProbability). */
  nullProbability: number;
}

export interface LatencyEvidence {
  /** The compared minutes, oldest first, per percentile the target reports (p99 first). */
  comparisons: LatencyComparison[];
  /** Minutes compared on p99, and in how many of them the canary's p99 was above (1 + tolerance) × stable's. */
  minutes: number;
  slowerMinutes: number;
  /** The e-value of "the canary is slower than (1 + p99-tolerance) × stable": fail at ≥ 1/α. */
  evidence: number;
  /** Median over the compared minutes of canary p99 / stable p99 (for the report), null without minutes. */
  medianRatio: number | null;
}

/** Nearest-rank index (from 1) of the `level` quantile of `calls` values: ⌈level · calls⌉; p99Rank(n) = ⌈0.99n⌉. */
export function percentileRank(calls: number, level: number): number {
  return Math.min(calls, Math.max(1, Math.ceil(level * calls - 1e-9)));
}

/**
 * P(canary percentile > stable percentile) when a minute's n canary and m stable durations are
 * independent draws from one continuous distribution and each percentile is the nearest-rank order
 * statistic, k = percentileRank(n), l = percentileRank(m). The canary's k-th value is above
 * stable's l-th exactly when at least n − k + 1 of the top n + m − k − l + 1 values of the pooled
 * minute are the canary's; which values are the canary's is a uniformly random n-subset, so this
 * is a hypergeometric tail whatever the distribution is (heavy-tailed or not). A canary slower by
 * a factor c has c × those values, so P(canary percentile > c × stable percentile) is the same
 * number; a canary whose every quantile is at most c × stable's makes it smaller.
 */
export function exceedanceProbability(canaryCalls: number, stableCalls: number, level = 0.99): number {
  // Every poll re-reads the minutes since the first shift: remember the last few thousand.
  const key = `${canaryCalls}:${stableCalls}:${level}`;
  const known = EXCEEDANCE.get(key);
  if (known !== undefined) return known;
  if (EXCEEDANCE.size >= 4096) EXCEEDANCE.clear();
  const value = exceedanceProbabilityUncached(canaryCalls, stableCalls, level);
  EXCEEDANCE.set(key, value);
  return value;
}

const EXCEEDANCE = new Map<string, number>();

function exceedanceProbabilityUncached(canaryCalls: number, stableCalls: number, level: number): number {
  const k = percentileRank(canaryCalls, level);
  const l = percentileRank(stableCalls, level);
  const top = canaryCalls + stableCalls - k - l + 1;
  return countSumSf([{ kind: 'hypergeometric', population: canaryCalls + stableCalls, successes: canaryCalls, draws: top }], canaryCalls - k + 1);
}

/**
 * The latency test: in every compared minute with at least LATENCY_MIN_CALLS calls of each
 * version, is the canary's p99 above (1 + p99-tolerance) × stable's? If the canary's durations are
 * no slower than (1 + tolerance) × stable's (every quantile), that happens with probability at
 * most q_i = exceedanceProbability(n_i, m_i), independently from minute to minute. Against "its
 * odds are ψ times that", a minute's likelihood ratio is p1/q_i (slower) or (1 − p1)/(1 − q_i)
 * (not), p1 = ψq_i/(1 − q_i + ψq_i). Averaged over ψ in LATENCY_ODDS_RATIOS and mixed over start
 * minutes as the error test is (weights 1/(k(k+1))), the product is a test supermartingale, so
 * P(it ever reaches 1/α) ≤ α for such a canary, heavy tail or not. With p90s too (p90Ms), the
 * same test on them, averaged with the p99 one (an average of e-values is one).
 */
export function latencyEvidence(canary: VersionMetrics, stable: VersionMetrics, tolerance: number, excludedMinutes?: ReadonlySet<number>): LatencyEvidence {
  const stableByStart = new Map(stable.periods.map((p) => [p.startMs, p as LatencyPeriodInput]));
  const comparisons: LatencyComparison[] = [];
  const processes: number[][] = [];
  for (const percentile of LATENCY_PERCENTILES) {
    const mixture = LATENCY_ODDS_RATIOS.map(() => 0);
    let compared = 0;
    for (const c of [...canary.periods].sort((a, b) => a.startMs - b.startMs) as LatencyPeriodInput[]) {
      // A minute of two weights: the versions' calls come from different stretches of it.
      if (excludedMinutes?.has(c.startMs) === true) continue;
      const s = stableByStart.get(c.startMs);
      if (s === undefined || c.invocations < LATENCY_MIN_CALLS || s.invocations < LATENCY_MIN_CALLS) continue;
      const canaryMs = percentile.read(c);
      const stableMs = percentile.read(s);
      if (canaryMs === null || stableMs === null || !(stableMs > 0)) continue;
      const q = exceedanceProbability(c.invocations, s.invocations, percentile.level);
      if (!(q > 0 && q < 1)) continue;
      const slower = canaryMs > (1 + tolerance) * stableMs;
      compared++;
      for (const [j, odds] of LATENCY_ODDS_RATIOS.entries()) {
        const p1 = (odds * q) / (1 - q + odds * q);
        mixture[j] = (slower ? p1 / q : (1 - p1) / (1 - q)) * (mixture[j]! + startWeight(compared));
      }
      comparisons.push({ startMs: c.startMs, percentile: percentile.name, canaryInvocations: c.invocations, stableInvocations: s.invocations, canaryMs, stableMs, slower, nullProbability: q });
    }
    // A percentile the target does not report is left out of the average (its absence says
    // nothing about the canary), so p99 alone keeps its full evidence.
    if (compared > 0) processes.push(mixture);
  }
  const p99 = comparisons.filter((c) => c.percentile === 'p99');
  const ratios = p99.map((p) => p.canaryMs / p.stableMs).sort((a, b) => a - b);
  const all = processes.flat();
  return {
    comparisons,
    minutes: p99.length,
    slowerMinutes: p99.filter((p) => p.slower).length,
    evidence: all.length > 0 ? all.reduce((sum, e) => sum + e, 0) / all.length : 0,
    medianRatio: ratios.length > 0 ? ratios[Math.floor((ratios.length - 1) / 2)]! : null,
  };
}

function rate(errors: number, invocations: number): number | null {
  return invocations > 0 ? errors / invocations : null;
}

function percent(value: number | null): string {
  return value === null ? 'n/a' : `${Math.round(value * 10000) / 100}%`;
}

/** Evidence spans orders of magnitude: 3 significant digits are enough to read it. */
function round(value: number): string {
  return String(Number(value.toPrecision(3)));
}

function formatMs(ms: number): string {
  return `${Number(ms.toFixed(ms < 10 ? 2 : 1))} ms`;
}
