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
 * Verdicts: fail when the (mixture) evidence reaches 1/α; pass only where the loop asks for evidence of
 * health (`requireEvidence`: the last step with stable traffic), when either the same ratio
 * product since the first shift is ≤ β (Wald's lower boundary) or a one-sample test puts the canary's rate below stable +
 * absolute (ratio ≤ β, the route that works at a 0% baseline), with at least minInvocations;
 * at earlier steps "no evidence of a regression and minInvocations" passes, as the threshold
 * judge does. Latency: the median over recent shared minutes of canary p99 / stable p99 must
 * stay ≤ 1 + p99-tolerance, judged only with minInvocations of each version in those minutes.
 */
import type { CompareJudgeConfig } from '../config/types.js';
import type { VersionMetrics } from '../targets/target.js';
import type { Verdict } from './judge.js';

/** Largest regression ratio tested: beyond it a single stable error would erase all evidence. */
export const RATIO_CAP = 100;

/** Recent minutes both versions served that the latency rule compares (median of their ratios). */
export const LATENCY_PERIODS = 5;

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
export function errorEvidence(canary: VersionMetrics, stable: VersionMetrics, config: CompareJudgeConfig): ErrorEvidence {
  const stableByStart = new Map(stable.periods.map((p) => [p.startMs, p]));
  const periods: ComparePeriod[] = [];
  let logLikelihoodRatio = 0;
  let logEvidence = Number.NEGATIVE_INFINITY;
  let stableErrorsBefore = 0;
  let stableInvocationsBefore = 0;
  for (const c of [...canary.periods].sort((a, b) => a.startMs - b.startMs)) {
    const s = stableByStart.get(c.startMs);
    if (s === undefined || s.invocations === 0 || c.invocations === 0) continue;
    const ratio = regressionRatio(config, stableErrorsBefore, stableInvocationsBefore);
    const increment = periodLogLikelihoodRatio(ratio, c, s);
    logLikelihoodRatio += increment;
    logEvidence = increment + logAddExp(logEvidence, Math.log(startWeight(periods.length + 1)));
    periods.push({
      startMs: c.startMs,
      canaryInvocations: c.invocations,
      canaryErrors: c.errors,
      stableInvocations: s.invocations,
      stableErrors: s.errors,
      ratio,
      logLikelihoodRatio: increment,
    });
    stableErrorsBefore += s.errors;
    stableInvocationsBefore += s.invocations;
  }
  const stableRateEstimate = (stable.errors + 0.5) / (stable.invocations + 1);
  return {
    periods,
    evidence: Math.exp(logEvidence),
    likelihoodRatio: Math.exp(logLikelihoodRatio),
    stableRateEstimate,
    absoluteLikelihoodRatio: absoluteLikelihoodRatio(canary.invocations, canary.errors, stableRateEstimate, config.minEffect.absolute),
  };
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

/** Judges the canary against the stable version: errors by the sequential test, then latency. Pure. */
export function judgeCompare(input: CompareJudgeInput): Verdict {
  const { canary, stable, config } = input;
  const evidence = errorEvidence(canary, stable, config);
  const failAt = 1 / config.alpha;
  const lastRatio = evidence.periods.at(-1)?.ratio ?? regressionRatio(config, 0, 0);
  const latency = latencyComparison(canary, stable);
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
    passThreshold: config.beta,
    p99Ms: canary.p99Ms,
    stableP99Ms: stable.p99Ms,
    p99Ratio: latency?.ratio ?? null,
  };
  const verdict = (v: Verdict['verdict'], reason: string): Verdict => ({ verdict: v, reason, observed });
  const counts = `Canary errors ${canary.errors} of ${canary.invocations} (${percent(rate(canary.errors, canary.invocations))}) vs stable ${stable.errors} of ${stable.invocations} (${percent(rate(stable.errors, stable.invocations))})`;
  const regression = `a ≥${round(lastRatio)}× regression`;

  if (evidence.evidence >= failAt) {
    return verdict('fail', `${counts}; evidence ${round(evidence.evidence)} ≥ 1/α = ${round(failAt)} for ${regression}.`);
  }
  const needed = Math.max(1, input.minInvocations);
  const latencyJudged = latency !== null && latency.canaryInvocations >= needed && latency.stableInvocations >= needed;
  if (latencyJudged && latency.ratio > 1 + config.p99Tolerance) {
    return verdict(
      'fail',
      `Canary p99 ${formatMs(latency.canaryP99Ms)} vs stable ${formatMs(latency.stableP99Ms)} (median over the last ${latency.periods} shared minutes) is ${round(latency.ratio)}× > ${round(1 + config.p99Tolerance)}× allowed.`,
    );
  }
  if (canary.invocations < needed) {
    return verdict('continue', `${counts}; at least ${needed} canary invocations needed before the step may pass.`);
  }
  const latencyNote = latencyJudged ? `, p99 ${round(latency.ratio)}× stable` : '';
  if (!input.requireEvidence) {
    return verdict('pass', `${counts}; evidence ${round(evidence.evidence)} < 1/α = ${round(failAt)} for ${regression}${latencyNote}.`);
  }
  if (evidence.likelihoodRatio <= config.beta) {
    return verdict('pass', `${counts}; likelihood ratio ${round(evidence.likelihoodRatio)} ≤ β = ${config.beta} against ${regression} since the first shift${latencyNote}.`);
  }
  if (evidence.absoluteLikelihoodRatio <= config.beta) {
    return verdict(
      'pass',
      `${counts}; evidence ${round(evidence.absoluteLikelihoodRatio)} ≤ β = ${config.beta} against a canary rate ${percent(config.minEffect.absolute)} above stable${latencyNote}.`,
    );
  }
  return verdict(
    'continue',
    `${counts}; evidence ${round(evidence.evidence)} < 1/α = ${round(failAt)} for ${regression}, but likelihood ratio ${round(evidence.likelihoodRatio)} > β = ${config.beta}: not enough to promote yet.`,
  );
}

interface LatencyComparison {
  ratio: number;
  canaryP99Ms: number;
  stableP99Ms: number;
  periods: number;
  canaryInvocations: number;
  stableInvocations: number;
}

/**
 * Median per-minute p99 ratio over the last LATENCY_PERIODS minutes both versions served:
 * per-minute pairs cancel load swings both versions see; the median ignores one cold-start
 * minute; recent minutes let a regression that starts mid-rollout show.
 */
function latencyComparison(canary: VersionMetrics, stable: VersionMetrics): LatencyComparison | null {
  const stableByStart = new Map(stable.periods.map((p) => [p.startMs, p]));
  const pairs = canary.periods
    .flatMap((c) => {
      const s = stableByStart.get(c.startMs);
      return c.p99Ms !== null && s?.p99Ms != null && s.p99Ms > 0 ? [{ startMs: c.startMs, c, s, canaryP99: c.p99Ms, stableP99: s.p99Ms }] : [];
    })
    .sort((a, b) => a.startMs - b.startMs)
    .slice(-LATENCY_PERIODS);
  if (pairs.length === 0) return null;
  const byRatio = [...pairs].sort((a, b) => a.canaryP99 / a.stableP99 - b.canaryP99 / b.stableP99);
  const median = byRatio[Math.floor((byRatio.length - 1) / 2)]!;
  return {
    ratio: median.canaryP99 / median.stableP99,
    canaryP99Ms: median.canaryP99,
    stableP99Ms: median.stableP99,
    periods: pairs.length,
    canaryInvocations: pairs.reduce((sum, p) => sum + p.c.invocations, 0),
    stableInvocations: pairs.reduce((sum, p) => sum + p.s.invocations, 0),
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
