import { DEFAULT_COMPARE_JUDGE } from '../../src/config/defaults.js';
import type { CompareJudgeConfig, RolloutConfig } from '../../src/config/types.js';
import { MemoryStateStore } from '../../src/core/state.js';
import {
  decisiveStepIndex,
  DISPERSION_CAP,
  errorEvidence,
  estimateDispersion,
  exceedanceProbability,
  finalLookTest,
  judgeCompare,
  LATENCY_MIN_CALLS,
  LATENCY_ODDS_RATIOS,
  percentileRank,
  tCorrection,
  periodLogLikelihoodRatio,
  regressionRatio,
  startWeight,
} from '../../src/rollout/judge-compare.js';
import { binomCdf, binomSfInclusive, normQuantile, normSf } from '../../src/model/stats/distributions.js';
import { runRollout } from '../../src/rollout/loop.js';
import type { VersionMetrics } from '../../src/targets/target.js';
import { SeededRandom } from '../sim/random.js';
import { clopperPearson } from '../support/clopper-pearson.js';
import { FakeTarget } from '../support/fake-target.js';
import type { VersionBehaviour } from '../support/fake-target.js';
import { VirtualClock } from '../support/virtual-clock.js';

const MINUTE = 60_000;
/** The purely sequential judge (no final look) on independent errors (dispersion 1): the formulas below are its own. */
const CONFIG: CompareJudgeConfig = { type: 'compare', alpha: 0.05, beta: 0.1, minEffect: { ratio: 2, absolute: 0.005 }, p99Tolerance: 0.2, finalLookShare: 0, dispersion: 1 };
/** What users get: half of α and β kept for the final look, the dispersion estimated (auto). */
const DEFAULTS: CompareJudgeConfig = { ...DEFAULT_COMPARE_JUDGE, minEffect: { ...DEFAULT_COMPARE_JUDGE.minEffect } };
/** The defaults on the independent-errors assumption (dispersion 1), the judge before `dispersion` existed. */
const BINOMIAL: CompareJudgeConfig = { ...DEFAULTS, dispersion: 1 };

type Period = VersionMetrics['periods'][number];

function metrics(version: string, periods: Array<Partial<Period> & { invocations: number; errors: number }>): VersionMetrics {
  const full: Period[] = periods.map((p, i) => ({ startMs: i * MINUTE, throttles: 0, p99Ms: 100, ...p }));
  const p99s = full.map((p) => p.p99Ms).filter((p): p is number => p !== null);
  return {
    version,
    invocations: full.reduce((s, p) => s + p.invocations, 0),
    errors: full.reduce((s, p) => s + p.errors, 0),
    throttles: 0,
    p99Ms: p99s.length > 0 ? Math.max(...p99s) : null,
    periods: full,
  };
}

function judge(
  canary: VersionMetrics,
  stable: VersionMetrics,
  options: { requireEvidence?: boolean; config?: CompareJudgeConfig; minInvocations?: number; finalLook?: boolean; excludedMinutes?: ReadonlySet<number> } = {},
) {
  return judgeCompare({
    canary,
    stable,
    config: options.config ?? CONFIG,
    minInvocations: options.minInvocations ?? 10,
    requireEvidence: options.requireEvidence ?? true,
    excludedMinutes: options.excludedMinutes,
    finalLook: options.finalLook ?? false,
  });
}

/** Poisson(mean): by multiplication up to 60, a normal with continuity correction above (as bench/judge/run.ts draws it). */
function poisson(random: SeededRandom, mean: number): number {
  if (mean <= 0) return 0;
  if (mean > 60) return Math.max(0, Math.round(mean + Math.sqrt(mean) * random.normal()));
  const limit = Math.exp(-mean);
  let count = 0;
  for (let product = random.next(); product > limit; product *= random.next()) count++;
  return count;
}

/** Binomial(n, p) by geometric gaps between successes. */
function binomial(random: SeededRandom, n: number, p: number): number {
  if (p <= 0 || n === 0) return 0;
  if (p >= 1) return n;
  const logQ = Math.log1p(-p);
  let successes = 0;
  for (let at = Math.floor(Math.log(1 - random.next()) / logQ); at < n; at += 1 + Math.floor(Math.log(1 - random.next()) / logQ)) successes++;
  return successes;
}

/**
 * Errors in `calls` calls at an expected rate `rate`, `runs.share` of them in runs of consecutive
 * failures (a bad container, a poisoned cache) of mean length `runs.length`: exactly that length,
 * or geometric on 1, 2, … with that mean. The rest fail independently.
 */
interface Runs {
  share: number;
  length: number;
  geometric: boolean;
}
function errorsInRuns(random: SeededRandom, calls: number, rate: number, runs: Runs | null): number {
  if (runs === null) return binomial(random, calls, rate);
  let errors = binomial(random, calls, rate * (1 - runs.share));
  const starts = binomial(random, calls, (rate * runs.share) / runs.length);
  for (let r = 0; r < starts; r++) {
    if (!runs.geometric) errors += runs.length;
    else for (errors++; !random.chance(1 / runs.length); ) errors++;
  }
  return Math.min(calls, errors);
}

describe('the likelihood ratio of one period', () => {
  it('is x·ln ρ − (x + y)·ln(1 + (ρ − 1)·w), computed by hand', () => {
    // 100 canary and 900 stable calls (w = 0.1), 3 canary and 9 stable errors, ρ = 2:
    // 3·ln 2 − 12·ln 1.1 = 2.0794 − 1.1437 = 0.9357.
    expect(periodLogLikelihoodRatio(2, { invocations: 100, errors: 3 }, { invocations: 900, errors: 9 })).toBeCloseTo(3 * Math.log(2) - 12 * Math.log(1.1), 12);
    expect(3 * Math.log(2) - 12 * Math.log(1.1)).toBeCloseTo(0.9357, 4);
    // No errors: no evidence either way; no stable traffic: nothing to compare with.
    expect(periodLogLikelihoodRatio(2, { invocations: 100, errors: 0 }, { invocations: 900, errors: 0 })).toBe(0);
    expect(periodLogLikelihoodRatio(2, { invocations: 100, errors: 5 }, { invocations: 0, errors: 0 })).toBe(0);
    // Errors split exactly as traffic: evidence against a 2× regression (negative).
    expect(periodLogLikelihoodRatio(2, { invocations: 500, errors: 5 }, { invocations: 500, errors: 5 })).toBeCloseTo(5 * Math.log(2) - 10 * Math.log(1.5), 12);
  });

  it('tests the larger of ratio and 1 + absolute / stable estimate, from earlier periods only', () => {
    // Before any data the estimate is ½ / 1: the ratio rule applies.
    expect(regressionRatio(CONFIG, 0, 0)).toBe(2);
    // 1% stable: 1 + 0.005 / ((10 + 0.5) / 1001) = 1.4767 < 2 → 2.
    expect(regressionRatio(CONFIG, 10, 1000)).toBe(2);
    // 0.1% stable: 1 + 0.005 / (10.5 / 10001) = 5.7624.
    expect(regressionRatio(CONFIG, 10, 10_000)).toBeCloseTo(1 + 0.005 / (10.5 / 10_001), 10);
    // No stable errors in 1e6 calls: capped at 100.
    expect(regressionRatio(CONFIG, 0, 1_000_000)).toBe(100);
  });

  it('mixes the tests started at each period: E_t = f_t · (E_{t−1} + π_t), π_k = 1/(k(k+1))', () => {
    const canary = metrics('8', [{ invocations: 100, errors: 3 }, { invocations: 100, errors: 4 }]);
    const stable = metrics('7', [{ invocations: 900, errors: 9 }, { invocations: 900, errors: 8 }]);
    const evidence = errorEvidence(canary, stable, CONFIG);
    const rho2 = regressionRatio(CONFIG, 9, 900); // = 2
    expect(rho2).toBe(2);
    const f1 = Math.exp(3 * Math.log(2) - 12 * Math.log(1.1));
    const f2 = Math.exp(4 * Math.log(2) - 12 * Math.log(1.1));
    expect(startWeight(1)).toBe(1 / 2);
    expect(startWeight(2)).toBe(1 / 6);
    expect(evidence.evidence).toBeCloseTo(f2 * (f1 * (1 / 2) + 1 / 6), 10);
    expect(evidence.likelihoodRatio).toBeCloseTo(f1 * f2, 10);
    expect(evidence.periods.map((p) => p.ratio)).toEqual([2, 2]);
  });
});

describe('judgeCompare', () => {
  it('fails when the evidence reaches 1/α, with the numbers in one sentence', () => {
    // Ten minutes at w = 0.1 where the canary has 3× its share of errors.
    const canary = metrics('8', Array.from({ length: 10 }, () => ({ invocations: 100, errors: 3 })));
    const stable = metrics('7', Array.from({ length: 10 }, () => ({ invocations: 900, errors: 9 })));
    const verdict = judge(canary, stable);
    expect(verdict.verdict).toBe('fail');
    expect(verdict.observed.evidence).toBeGreaterThanOrEqual(20);
    expect(verdict.reason).toMatch(/^Canary 3% vs stable 1% errors: a regression of at least 2×; the step fails — canary 30 of 1000, stable 90 of 9000; evidence [\d.]+ ≥ 1\/α = 20\.$/);
  });

  it('continues with too little data, even with errors', () => {
    const verdict = judge(metrics('8', [{ invocations: 5, errors: 1 }]), metrics('7', [{ invocations: 45, errors: 0 }]));
    expect(verdict.verdict).toBe('continue');
    expect(verdict.reason).toBe('Canary 20% vs stable 0% errors: too few calls to judge yet; needs at least 10 canary calls before the step may pass — canary 1 of 5, stable 0 of 45.');
  });

  it('passes an early step on "no evidence of a regression", the decisive step only on evidence against one', () => {
    const canary = metrics('8', [{ invocations: 100, errors: 1 }]);
    const stable = metrics('7', [{ invocations: 900, errors: 9 }]);
    expect(judge(canary, stable, { requireEvidence: false }).verdict).toBe('pass');
    const decisive = judge(canary, stable, { requireEvidence: true });
    expect(decisive.verdict).toBe('continue');
    expect(decisive.reason).toMatch(/^Canary 1% vs stable 1% errors: no sign of a 2× regression yet; needs more calls to promote — canary 1 of 100, stable 9 of 900; evidence [\d.]+ < 1\/α = 20 to fail, likelihood ratio [\d.]+ > β = 0\.1 to promote\.$/);
    expect(judge(canary, stable, { requireEvidence: false }).reason).toMatch(/^Canary 1% vs stable 1% errors: no sign of a 2× regression; the step passes — canary 1 of 100, stable 9 of 900; evidence [\d.]+ < 1\/α = 20; p99 1× stable \(median of 1 minute\)\.$/);
  });

  it('passes the decisive step when the likelihood ratio since the first shift is ≤ β', () => {
    // 1% on both sides at w = 0.5 for 20 minutes: 100 errors each. ln LR = 100·ln 2 − 200·ln 1.5.
    const canary = metrics('8', Array.from({ length: 20 }, () => ({ invocations: 500, errors: 5 })));
    const stable = metrics('7', Array.from({ length: 20 }, () => ({ invocations: 500, errors: 5 })));
    const verdict = judge(canary, stable);
    expect(verdict.observed.likelihoodRatio).toBeCloseTo(Math.exp(100 * Math.log(2) - 200 * Math.log(1.5)), 12);
    expect(verdict.verdict).toBe('pass');
    expect(verdict.reason).toContain('≤ β = 0.1');
  });

  it('at a 0% baseline, fails on canary-only errors and passes on enough clean canary traffic', () => {
    // Stable never errs: the ratio tested grows with the clean stable traffic (ŝ = ½ / 4501 after
    // 5 minutes of 900 calls, ρ = 1 + 0.005 / ŝ ≈ 46), so each canary error at w = 0.1 adds
    // ln ρ − ln(1 + (ρ − 1)·0.1) ≈ 2.12 nats; the 5 clean minutes leave E = Σπ_k = 1 − 1/6.
    const cleanCanary = Array.from({ length: 5 }, () => ({ invocations: 100, errors: 0 }));
    const cleanStable = Array.from({ length: 5 }, () => ({ invocations: 900, errors: 0 }));
    const rho = 1 + 0.005 / (0.5 / 4501);
    const expected = Math.exp(2 * (Math.log(rho) - Math.log1p((rho - 1) * 0.1))) * (1 - 1 / 6 + 1 / 42);
    const failing = judge(metrics('8', [...cleanCanary, { invocations: 100, errors: 2 }]), metrics('7', [...cleanStable, { invocations: 900, errors: 0 }]));
    expect(failing.observed.evidence).toBeCloseTo(expected, 8);
    expect(expected).toBeGreaterThan(20);
    expect(failing.verdict).toBe('fail');
    // No errors at all: the ratio test has no evidence either way (LR = 1); the absolute route
    // compares rate ŝ + 0.005 with ŝ on 600 clean canary calls: ≈ (1 − 0.005)^600 ≈ 0.05 ≤ β.
    const passing = judge(metrics('8', [...cleanCanary, { invocations: 100, errors: 0 }]), metrics('7', [...cleanStable, { invocations: 900, errors: 0 }]));
    expect(passing.observed.likelihoodRatio).toBe(1);
    expect(passing.observed.absoluteEvidence).toBeCloseTo(0.05, 2);
    expect(passing.verdict).toBe('pass');
    expect(passing.reason).toMatch(/^Canary 0% vs stable 0% errors: enough calls to rule out a rate 0\.5% above stable's; ready to promote — canary 0 of 600, stable 0 of 5400; evidence [\d.]+ ≤ β = 0\.1/);
    // The default split of β leaves this route all of it: the final look adds nothing without errors.
    const passingByDefault = judge(metrics('8', [...cleanCanary, { invocations: 100, errors: 0 }]), metrics('7', [...cleanStable, { invocations: 900, errors: 0 }]), { config: DEFAULTS });
    expect(passingByDefault.verdict).toBe('pass');
    expect(passingByDefault.reason).toContain("rule out a rate 0.5% above stable's; ready to promote");
    expect(passingByDefault.reason).toMatch(/evidence [\d.]+ ≤ β = 0\.1/);
    // 100 clean canary calls are not enough to promote.
    expect(judge(metrics('8', [{ invocations: 100, errors: 0 }]), metrics('7', [{ invocations: 900, errors: 0 }])).verdict).toBe('continue');
  });

  it('fails a canary whose p99 is above (1 + tolerance) × stable’s minute after minute, by a sequential test at level α', () => {
    const minutesAt = (p99Ms: number, count: number, invocations = 500) => Array.from({ length: count }, () => ({ invocations, errors: 0, p99Ms }));
    // 500 + 500 calls: by symmetry each version's p99 is the higher one with probability ½ when
    // both draw from one distribution, so q = ½ in every minute. A slower minute multiplies the
    // test for odds ratio ψ by p1/q = 2ψ/(1 + ψ); the process is the mean over ψ ∈ {4, 16} of
    // E_t(ψ) = f_t(ψ)·(E_{t−1}(ψ) + 1/(t(t + 1))), as the error test mixes over start minutes.
    expect(exceedanceProbability(500, 500)).toBeCloseTo(0.5, 12);
    expect(LATENCY_ODDS_RATIOS).toEqual([4, 16]);
    const byHand = (slower: boolean[]) => {
      const e = [0, 0];
      slower.forEach((s, i) => [4, 16].forEach((psi, j) => (e[j] = (s ? (2 * psi) / (1 + psi) : 2 / (1 + psi)) * (e[j]! + startWeight(i + 1)))));
      return (e[0]! + e[1]!) / 2;
    };
    // Six slower minutes are not enough (19.4 < 1/α = 20), the seventh is.
    const six = judge(metrics('8', minutesAt(130, 6)), metrics('7', minutesAt(100, 6)), { requireEvidence: false });
    expect(six.observed.latencyEvidence).toBeCloseTo(byHand(Array<boolean>(6).fill(true)), 10);
    expect(six.verdict).toBe('pass');
    const seven = judge(metrics('8', minutesAt(130, 7)), metrics('7', minutesAt(100, 7)), { requireEvidence: false });
    expect(seven.observed.latencyEvidence).toBeCloseTo(byHand(Array<boolean>(7).fill(true)), 10);
    expect(seven.verdict).toBe('fail');
    expect(seven.reason).toBe('Canary slower than 1.2× stable (p99 in 7 of 7 compared minutes): a latency regression; the step fails — last p99 130 ms vs 100 ms; evidence 34.9 ≥ 1/α = 20 that it is more than 1.2× slower.');
    // 15% slower is within the tolerance: never a slower minute, the evidence only shrinks.
    const within = judge(metrics('8', minutesAt(115, 12)), metrics('7', minutesAt(100, 12)), { requireEvidence: false });
    expect(within.verdict).toBe('pass');
    expect(within.observed.latencyEvidence).toBeLessThan(0.01);
    expect(within.reason).toContain('p99 1.15× stable (median of 12 minutes)');
    // Two cold-start minutes then ten ordinary ones: not a regression.
    const coldStart = [{ invocations: 500, errors: 0, p99Ms: 900 }, { invocations: 500, errors: 0, p99Ms: 700 }, ...minutesAt(100, 10)];
    expect(judge(metrics('8', coldStart), metrics('7', minutesAt(100, 12)), { requireEvidence: false }).verdict).toBe('pass');
    // A minute with fewer than LATENCY_MIN_CALLS calls of either version is not compared.
    expect(LATENCY_MIN_CALLS).toBe(100);
    const thin = judge(metrics('8', minutesAt(500, 7, 99)), metrics('7', minutesAt(100, 7, 901)), { requireEvidence: false });
    expect(thin.observed.latencyMinutes).toBe(0);
    expect(thin.observed.p99Ratio).toBeNull();
    expect(thin.verdict).toBe('pass');
  });

  it('the chance that one version’s p99 tops the other’s is a hypergeometric tail whatever the distribution (checked by enumeration)', () => {
    // All C(n + m, n) ways the pooled values' ranks can fall to the canary, for small n and m and
    // several percentiles: the nearest-rank canary percentile is above stable's in exactly the
    // fraction of them the formula gives.
    const enumerate = (n: number, m: number, level: number) => {
      const k = percentileRank(n, level);
      const l = percentileRank(m, level);
      let above = 0;
      let all = 0;
      for (let mask = 0; mask < 1 << (n + m); mask++) {
        let ones = 0;
        for (let b = 0; b < n + m; b++) if (mask & (1 << b)) ones++;
        if (ones !== n) continue;
        const canary: number[] = [];
        const stable: number[] = [];
        for (let b = 0; b < n + m; b++) (mask & (1 << b) ? canary : stable).push(b);
        all++;
        if (canary[k - 1]! > stable[l - 1]!) above++;
      }
      return above / all;
    };
    for (const [n, m, level] of [[3, 5, 0.99], [4, 6, 0.5], [6, 4, 0.9], [5, 9, 0.75], [7, 7, 0.99], [2, 11, 0.9]] as const) {
      expect(exceedanceProbability(n, m, level)).toBeCloseTo(enumerate(n, m, level), 12);
    }
    // And the values the benchmarks meet (scipy.stats.hypergeom, same formula): the max of 10 above the max of 90.
    expect(exceedanceProbability(10, 90)).toBeCloseTo(0.1, 12);
    expect(exceedanceProbability(100, 900)).toBeCloseTo(0.30264025006455364, 12);
    expect(exceedanceProbability(300, 700, 0.9)).toBeCloseTo(0.47687911682807604, 12);
  });

  it('the decisive step is the last one where stable still serves', () => {
    expect(decisiveStepIndex([{ weight: 0.1 }, { weight: 0.5 }, { weight: 1 }])).toBe(1);
    expect(decisiveStepIndex([{ weight: 0.1 }, { weight: 0.5 }])).toBe(1);
    expect(decisiveStepIndex([{ weight: 1 }])).toBe(0);
  });
});

describe('the final look', () => {
  const minutes = (n: number, calls: number, errors: number[]) => Array.from({ length: n }, (_, i) => ({ invocations: calls, errors: errors[i]! }));
  /** The default judge on the same data at an ordinary poll of the decisive step and at its final look. */
  const looks = (canaryErrors: number[], stableErrors: number[], calls: number) => {
    const canary = metrics('8', minutes(canaryErrors.length, calls, canaryErrors));
    const stable = metrics('7', minutes(stableErrors.length, calls, stableErrors));
    return { canary, stable, before: judge(canary, stable, { config: DEFAULTS }), last: judge(canary, stable, { config: DEFAULTS, finalLook: true }) };
  };

  it('its p-value is the exact tail of the canary error count given each minute’s calls and error total', () => {
    // Ten minutes of 500 + 500 calls: the sum of ten Hypergeometric(1000, 500, t_k), by exact
    // rational arithmetic (Python fractions) 0.017186125035310952 — a little below the
    // Binomial(100, 0.5) tail, 0.0176, because drawing without replacement is more concentrated.
    const canary = metrics('8', minutes(10, 500, [7, 6, 6, 6, 6, 6, 6, 6, 6, 6]));
    const stable = metrics('7', minutes(10, 500, [4, 4, 4, 4, 4, 4, 4, 4, 4, 3]));
    const test = finalLookTest(errorEvidence(canary, stable, DEFAULTS).periods, DEFAULTS);
    expect(test).toMatchObject({ canaryErrors: 61, totalErrors: 100, alpha: 0.025, beta: 0.05 });
    expect(test.pValue / 0.017186125035310952).toBeCloseTo(1, 9);
    expect(test.pValue).toBeLessThan(binomSfInclusive(61, 100, 0.5));
    // Under a 2× regression the canary's share of each minute's errors is 2·0.5 / (1 + 0.5) = 2/3.
    expect(test.passPValue).toBeCloseTo(binomCdf(61, 100, 2 / 3), 12);
    // Minutes with different splits: checked against the pmf summed by hand for two minutes.
    const uneven = finalLookTest(
      errorEvidence(metrics('8', [{ invocations: 100, errors: 2 }, { invocations: 300, errors: 1 }]), metrics('7', [{ invocations: 300, errors: 1 }, { invocations: 100, errors: 1 }]), DEFAULTS).periods,
      DEFAULTS,
    );
    // x1 ~ Hypergeometric(400 calls, 100 canary, 3 errors), x2 ~ Hypergeometric(400, 300, 2);
    // P(x1 + x2 ≥ 3) summed over the ways to get there, from binomial coefficients.
    const choose = (n: number, k: number) => (k < 0 || k > n ? 0 : Array.from({ length: k }, (_, i) => (n - i) / (i + 1)).reduce((a, b) => a * b, 1));
    const h = (calls: number, canaryCalls: number, errors: number, k: number) => (choose(canaryCalls, k) * choose(calls - canaryCalls, errors - k)) / choose(calls, errors);
    let tail = 0;
    for (let x1 = 0; x1 <= 3; x1++) for (let x2 = 0; x2 <= 2; x2++) if (x1 + x2 >= 3) tail += h(400, 100, 3, x1) * h(400, 300, 2, x2);
    expect(uneven.pValue).toBeCloseTo(tail, 12);
  });

  it('fails a regression the sequential evidence has not yet shown, only at the final look', () => {
    const { canary, stable, before, last } = looks([7, 6, 6, 6, 6, 6, 6, 6, 6, 6], [4, 4, 4, 4, 4, 4, 4, 4, 4, 3], 500);
    expect(before.verdict).toBe('continue');
    expect(before.observed.evidence).toBeLessThan(40);
    expect(before.observed.finalPValue).toBeNull();
    expect(last.verdict).toBe('fail');
    expect((last.observed.finalPValue as number) / 0.017186125035310952).toBeCloseTo(1, 9);
    expect(last.reason).toMatch(/final look: 61 of the 100 errors were the canary's, p = 0\.0172 ≤ 0\.025 if it were no worse than stable\.$/);
    expect(last.reason).toMatch(/^Canary [\d.]+% vs stable [\d.]+% errors: worse than stable at the final look; the step fails — canary 61 of \d+, stable 39 of \d+; final look: /);
    // The purely sequential judge (final-look-share 0) has no final look.
    expect(judge(canary, stable, { config: CONFIG, finalLook: true }).verdict).toBe('continue');
  });

  it('passes a healthy canary the sequential likelihood ratio cannot yet promote', () => {
    // 5% errors on both sides at w = 0.5; 14 of the 30 errors are the canary's. The ratio tested is 2
    // (1 + 0.005 / 2.7% < 2), so under a 2× regression the canary's share would be 2/3.
    const { before, last } = looks([1, 1, 1, 1, 2, 2, 2, 2, 1, 1], [2, 2, 2, 2, 2, 2, 1, 1, 1, 1], 60);
    expect(before.verdict).toBe('continue');
    expect(before.observed.likelihoodRatio).toBeGreaterThan(0.05);
    expect(before.observed.absoluteEvidence).toBeGreaterThan(0.1);
    expect(last.observed.finalPassPValue).toBeCloseTo(binomCdf(14, 30, 2 / 3), 12);
    expect(last.observed.finalPassPValue).toBeLessThanOrEqual(0.05);
    expect(last.verdict).toBe('pass');
    expect(last.reason).toContain("final look: 14 of the 30 errors were the canary's");
    expect(last.reason).toMatch(/^Canary [\d.]+% vs stable [\d.]+% errors: at the final look, too few of the errors are the canary's for a 2× regression; ready to promote — canary 14 of \d+, stable 16 of \d+; /);
    // Without errors there is nothing to compare: never a pass from the final look.
    const clean = judge(metrics('8', minutes(3, 60, [0, 0, 0])), metrics('7', minutes(3, 60, [0, 0, 0])), { config: DEFAULTS, finalLook: true });
    expect(clean.observed.finalPassPValue).toBe(1);
    expect(clean.verdict).toBe('continue');
    expect(clean.reason).toContain('Final look: p = 1 > 0.025 for a regression, p = 1 > 0.05 against one.');
  });

  it('the looks at every poll get the rest of α and β: bound 1/(α·(1 − share))', () => {
    const canary = metrics('8', Array.from({ length: 10 }, () => ({ invocations: 100, errors: 3 })));
    const stable = metrics('7', Array.from({ length: 10 }, () => ({ invocations: 900, errors: 9 })));
    const verdict = judge(canary, stable, { config: DEFAULTS });
    expect(verdict.observed.failThreshold).toBe(40);
    expect(verdict.observed.passThreshold).toBe(0.05);
    expect(verdict.verdict).toBe('fail');
    expect(verdict.reason).toContain("a regression of at least 2×; the step fails — canary 30 of 1000, stable 90 of 9000; evidence");
    expect(verdict.reason).toContain("≥ 1/0.025 = 40 (α 0.05 less the final look's 50%).");
  });
});

describe('judgeCompare on simulated traffic (Poisson arrivals, Bernoulli errors)', () => {
  /** Per-minute counts of a rollout at `rpm` with canary weight `weight`, as the simulator draws them. */
  function simulate(seed: number, minutes: number, rpm: number, weight: number, stableRate: number, canaryRate: number) {
    const random = new SeededRandom(seed);
    const canary: Array<{ invocations: number; errors: number }> = [];
    const stable: Array<{ invocations: number; errors: number }> = [];
    for (let m = 0; m < minutes; m++) {
      const c = { invocations: 0, errors: 0 };
      const s = { invocations: 0, errors: 0 };
      // One draw per request, as test/sim/traffic.ts routes and fails each invocation.
      for (let t = random.exponential(1 / rpm); t < 1; t += random.exponential(1 / rpm)) {
        const version = random.chance(weight) ? c : s;
        version.invocations++;
        if (random.chance(version === c ? canaryRate : stableRate)) version.errors++;
      }
      canary.push(c);
      stable.push(s);
    }
    return { canary, stable };
  }

  /**
   * Minute at which the judge first fails when read after every minute, or null. With a
   * final-look share, the last minute is the final look, as the loop makes it.
   */
  function firstFail(seed: number, minutes: number, rpm: number, weight: number, stableRate: number, canaryRate: number, config: CompareJudgeConfig = CONFIG): number | null {
    const { canary, stable } = simulate(seed, minutes, rpm, weight, stableRate, canaryRate);
    for (let m = 1; m <= minutes; m++) {
      const verdict = judge(metrics('8', canary.slice(0, m)), metrics('7', stable.slice(0, m)), { requireEvidence: m === minutes, config, finalLook: m === minutes });
      if (verdict.verdict === 'fail') return m;
    }
    return null;
  }

  it('healthy at 1% stable errors: false rollbacks stay ≤ α over every look of 400 runs', () => {
    const runs = 400;
    let fails = 0;
    for (let seed = 1; seed <= runs; seed++) if (firstFail(seed, 30, 300, 0.3, 0.01, 0.01) !== null) fails++;
    // α = 0.05 bounds the probability; 3 standard errors of Monte Carlo margin: 0.05 + 3·√(0.05·0.95/400) = 0.083.
    expect(fails / runs).toBeLessThanOrEqual(0.083);
  });

  it('healthy at 1%, with the default final look: every look plus the final one still roll back ≤ α', () => {
    const runs = 400;
    let fails = 0;
    for (let seed = 1; seed <= runs; seed++) if (firstFail(seed, 12, 1000, 0.3, 0.01, 0.01, DEFAULTS) !== null) fails++;
    expect(fails / runs).toBeLessThanOrEqual(0.083);
  });

  it('on a short rollout the final look catches 2× regressions the looks at every poll miss', () => {
    // 1% vs 2% at 1000 req/min, 30% canary, 9 minutes: about 27 vs 63 errors by the end. Both on
    // independent errors (dispersion 1), so that the difference is the final look's.
    const runs = 200;
    let sequential = 0;
    let withFinalLook = 0;
    for (let seed = 1; seed <= runs; seed++) {
      if (firstFail(seed, 9, 1000, 0.3, 0.01, 0.02, CONFIG) !== null) sequential++;
      if (firstFail(seed, 9, 1000, 0.3, 0.01, 0.02, BINOMIAL) !== null) withFinalLook++;
    }
    expect(withFinalLook).toBeGreaterThan(sequential + 0.03 * runs);
  });

  it('a 5× regression at 1% fails quickly, every time', () => {
    const minutes: number[] = [];
    for (let seed = 1; seed <= 100; seed++) minutes.push(firstFail(seed, 30, 1000, 0.1, 0.01, 0.05) ?? Infinity);
    minutes.sort((a, b) => a - b);
    expect(minutes.at(-1)).toBeLessThan(Infinity);
    expect(minutes[50]).toBeLessThanOrEqual(4);
  });
});

describe('clustered errors (overdispersion)', () => {
  const minutesOf = (rows: Array<[number, number]>) => rows.map(([invocations, errors]) => ({ invocations, errors }));

  it('estimates φ by Pearson’s X² around the fitted common odds ratio, and widens it like a t critical value', () => {
    // Four minutes with different splits; reference values from scipy (brentq on the score for
    // the odds ratio, then Σ (x − tθ)² / (tθ(1 − θ)(N − t)/(N − 1)) / (K − 1); around ratio 1: / K).
    const canary = metrics('8', minutesOf([[100, 3], [250, 9], [500, 4], [700, 20]]));
    const stable = metrics('7', minutesOf([[900, 9], [750, 8], [500, 11], [300, 5]]));
    const fit = estimateDispersion(errorEvidence(canary, stable, DEFAULTS).periods);
    expect(fit.fittedOddsRatio).toBeCloseTo(1.5200300617996738, 10);
    expect(fit.estimate).toBeCloseTo(3.7455336948083118, 10);
    expect(fit.nullEstimate).toBeCloseTo(3.689980595187803, 10);
    expect(fit.degreesOfFreedom).toBe(3);
    // (t_{df}(0.975) / z(0.975))², scipy.stats.t.ppf / norm.ppf.
    expect(tCorrection(1, 0.025)).toBeCloseTo(42.02768956622989, 8);
    expect(tCorrection(3, 0.025)).toBeCloseTo(2.636489146116597, 10);
    expect(tCorrection(30, 0.025)).toBeCloseTo(1.0857533506015933, 10);
    // Pearson's test: P(χ²₃ ≥ 11.24) = 0.0105 ≤ 0.05, so overdispersed; the pass side divides by
    // φ̂, the fail side's looks at every poll by max(φ̂ · c(3), φ̂₀ · c(4)), the final look's normal
    // approximation multiplies the variance by max(φ̂, φ̂₀).
    const verdict = judge(canary, stable, { config: DEFAULTS });
    expect(verdict.observed.dispersion).toBeCloseTo(3.7455336948083118, 10);
    expect(verdict.observed.failDispersion).toBeCloseTo(Math.min(10, Math.max(3.7455336948083118 * 2.636489146116597, 3.689980595187803 * tCorrection(4, 0.025))), 8);
    expect(verdict.reason).toContain('Errors overdispersed (clustered): dispersion 3.75, estimated 3.75 from 4 minutes with errors.');
  });

  it('a configured dispersion divides every log-likelihood ratio; 1 is the independent-errors judge', () => {
    const canary = metrics('8', minutesOf([[100, 3], [100, 4]]));
    const stable = metrics('7', minutesOf([[900, 9], [900, 8]]));
    const f1 = 3 * Math.log(2) - 12 * Math.log(1.1);
    const f2 = 4 * Math.log(2) - 12 * Math.log(1.1);
    const halved = errorEvidence(canary, stable, { ...CONFIG, dispersion: 2 });
    expect(halved.evidence).toBeCloseTo(Math.exp(f2 / 2) * (Math.exp(f1 / 2) / 2 + 1 / 6), 12);
    expect(halved.likelihoodRatio).toBeCloseTo(Math.exp((f1 + f2) / 2), 12);
    const binomialEvidence = errorEvidence(canary, stable, { ...CONFIG, dispersion: 1 });
    expect(binomialEvidence.absoluteLikelihoodRatio ** (1 / 2)).toBeCloseTo(halved.absoluteLikelihoodRatio, 12);
    expect(binomialEvidence.evidence).toBeCloseTo(Math.exp(f2) * (Math.exp(f1) / 2 + 1 / 6), 12);
    // The verdict says it, and the final look takes the larger of the exact p-value and the normal
    // one with the variance times φ (ten minutes of 500 + 500 calls: the null mean Σ t_k/2 = 50,
    // the hypergeometric variance Σ t_k·¼·(1000 − t_k)/999).
    const canaryErrors = [7, 6, 6, 6, 6, 6, 6, 6, 6, 6];
    const stableErrors = [4, 4, 4, 4, 4, 4, 4, 4, 4, 3];
    const c = metrics('8', canaryErrors.map((e) => ({ invocations: 500, errors: e })));
    const s = metrics('7', stableErrors.map((e) => ({ invocations: 500, errors: e })));
    const exact = judge(c, s, { config: { ...DEFAULTS, dispersion: 1 }, finalLook: true });
    const tripled = judge(c, s, { config: { ...DEFAULTS, dispersion: 3 }, finalLook: true });
    expect(exact.verdict).toBe('fail');
    expect(exact.observed.finalPValue as number).toBeCloseTo(0.017186125035310952, 12);
    const variance = canaryErrors.reduce((sum, x, k) => sum + ((x + stableErrors[k]!) * 0.25 * (1000 - x - stableErrors[k]!)) / 999, 0);
    expect(tripled.observed.finalPValue).toBeCloseTo(normSf((61 - 0.5 - 50) / Math.sqrt(3 * variance)), 12);
    expect(tripled.verdict).toBe('continue');
    expect(tripled.reason).toContain('Errors counted as clustered: dispersion 3 (config).');
    expect(exact.reason).not.toContain('ispersion');
  });

  it('auto leaves regular splits alone: φ = 1, no note, the same verdict as the independent-errors judge', () => {
    const canary = metrics('8', Array.from({ length: 10 }, () => ({ invocations: 100, errors: 3 })));
    const stable = metrics('7', Array.from({ length: 10 }, () => ({ invocations: 900, errors: 9 })));
    const auto = judge(canary, stable, { config: { ...CONFIG, dispersion: 'auto' } });
    expect(auto.observed.dispersion).toBe(1);
    expect(auto.observed.failDispersion).toBe(1);
    expect(auto.reason).toBe(judge(canary, stable).reason);
    // With errors in one minute only there is nothing to estimate φ from: the looks at every poll
    // assume runs of up to DISPERSION_CAP calls until a second minute has errors.
    const one = judge(metrics('8', [{ invocations: 100, errors: 12 }]), metrics('7', [{ invocations: 900, errors: 9 }]), { config: DEFAULTS, requireEvidence: false });
    expect(one.observed.failDispersion).toBe(DISPERSION_CAP);
    expect(one.verdict).toBe('pass');
    expect(judge(metrics('8', [{ invocations: 100, errors: 12 }]), metrics('7', [{ invocations: 900, errors: 9 }]), { config: BINOMIAL, requireEvidence: false }).verdict).toBe('fail');
  });

  /**
   * Per-minute rollout at `rpm`, both versions failing at `rate` on average with the same runs,
   * judged after every minute; the last minute is the decisive step's final look, and with
   * `decisiveFrom` the steps from there need evidence to pass (a pass there promotes: the run ends).
   */
  function clusteredRollout(seed: number, weights: number[], decisiveFrom: number, rpm: number, rate: number, runs: Runs, config: CompareJudgeConfig): boolean {
    const random = new SeededRandom(seed);
    const canary: Array<{ invocations: number; errors: number }> = [];
    const stable: Array<{ invocations: number; errors: number }> = [];
    for (const [m, weight] of weights.entries()) {
      const n = poisson(random, rpm * weight);
      const k = poisson(random, rpm * (1 - weight));
      canary.push({ invocations: n, errors: errorsInRuns(random, n, rate, runs) });
      stable.push({ invocations: k, errors: errorsInRuns(random, k, rate, runs) });
      const decisive = m >= decisiveFrom;
      const verdict = judge(metrics('8', canary), metrics('7', stable), { config, requireEvidence: decisive, finalLook: m === weights.length - 1 });
      if (verdict.verdict === 'fail') return true;
      if (verdict.verdict === 'pass' && decisive) return false;
    }
    return false;
  }
  const falseRollbacks = (runs: number, ...args: Parameters<typeof clusteredRollout> extends [number, ...infer Rest] ? Rest : never) => {
    let fails = 0;
    for (let seed = 1; seed <= runs; seed++) if (clusteredRollout(seed, ...args)) fails++;
    return fails;
  };

  it('healthy canaries whose errors come in runs: false rollbacks near α where the binomial judge rolls back 25–60%', () => {
    const strong: Runs = { share: 0.5, length: 5, geometric: true }; // half of the errors in runs of mean length 5 (φ = 5)
    const mild: Runs = { share: 0.25, length: 2, geometric: false }; // a quarter in runs of 2 (φ = 1.25)
    const linear = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.9]; // the default plan, one extension
    const half = Array<number>(20).fill(0.5); // 20 minutes at 50%, decided at the final look
    // Strong runs, 1000 req/min, 1% errors, the default plan, 400 runs: binomial 24.3%, auto 5.0%
    // (Clopper–Pearson 95% upper bound 7.6%; 5.9% over 1000 runs: heavy-tailed run lengths are
    // more than a Pearson estimate from ten minutes sees, docs/judge.md).
    const strongAuto = falseRollbacks(400, linear, 8, 1000, 0.01, strong, DEFAULTS);
    expect(falseRollbacks(400, linear, 8, 1000, 0.01, strong, BINOMIAL) / 400).toBeGreaterThan(0.2);
    expect(clopperPearson(strongAuto, 400).upper).toBeLessThan(0.08);
    // Strong runs at 5% for 20 minutes decided at the final look, 300 runs: binomial 58%, auto 2.3%.
    const strong5 = falseRollbacks(300, half, 19, 1000, 0.05, strong, DEFAULTS);
    expect(falseRollbacks(300, half, 19, 1000, 0.05, strong, BINOMIAL) / 300).toBeGreaterThan(0.4);
    expect(strong5 / 300).toBeLessThanOrEqual(0.05);
    // Mild runs at 1% over the same 20 minutes, 600 runs: binomial 6.5%, above α; auto 3.7%.
    expect(falseRollbacks(600, half, 19, 1000, 0.01, mild, BINOMIAL) / 600).toBeGreaterThan(0.05);
    expect(falseRollbacks(600, half, 19, 1000, 0.01, mild, DEFAULTS) / 600).toBeLessThanOrEqual(0.045);
  });
});

describe('minutes in which the weight changed (excludedMinutes)', () => {
  it('are skipped by the error and the latency tests', () => {
    const canary = metrics('8', [{ invocations: 500, errors: 5 }, { invocations: 800, errors: 60, p99Ms: 900 }, { invocations: 500, errors: 5 }]);
    const stable = metrics('7', [{ invocations: 500, errors: 5 }, { invocations: 200, errors: 2 }, { invocations: 500, errors: 5 }]);
    const all = errorEvidence(canary, stable, BINOMIAL);
    const skipped = errorEvidence(canary, stable, BINOMIAL, new Set([MINUTE]));
    expect(all.periods.map((p) => p.startMs)).toEqual([0, MINUTE, 2 * MINUTE]);
    expect(skipped.periods.map((p) => p.startMs)).toEqual([0, 2 * MINUTE]);
    const verdict = judge(canary, stable, { config: BINOMIAL, requireEvidence: false, excludedMinutes: new Set([MINUTE]) });
    expect(verdict.observed.latencyMinutes).toBe(2);
    expect(verdict.observed.evidence).toBeCloseTo(skipped.evidence, 12);
    expect(judge(canary, stable, { config: BINOMIAL, requireEvidence: false }).verdict).toBe('fail');
    expect(verdict.verdict).toBe('pass');
  });

  it('a shared 5× spike that starts at the shift to 100%, mid-minute, no longer rolls back a healthy release', () => {
    // Ten minutes at 25% (1000 req/min, 5% errors in both versions), then the shift to the 100%
    // bake at a random second s of the next minute, and a spike both versions share from then on.
    // That minute's stable calls all came before s, its canary calls mostly after: the spike lands
    // on the canary alone. Judged in the bake (no evidence needed), on independent errors so that
    // only the exclusion is measured (an estimated dispersion also reads that minute as an outlier).
    const runs = 400;
    let kept = 0;
    let skipped = 0;
    for (let seed = 1; seed <= runs; seed++) {
      const random = new SeededRandom(seed);
      const canary: Array<{ invocations: number; errors: number }> = [];
      const stable: Array<{ invocations: number; errors: number }> = [];
      for (let m = 0; m < 10; m++) {
        const n = poisson(random, 250);
        const k = poisson(random, 750);
        canary.push({ invocations: n, errors: binomial(random, n, 0.05) });
        stable.push({ invocations: k, errors: binomial(random, k, 0.05) });
      }
      const s = 1 + 58 * random.next();
      const before = poisson(random, (250 * s) / 60);
      const after = poisson(random, (1000 * (60 - s)) / 60);
      const stableBefore = poisson(random, (750 * s) / 60);
      canary.push({ invocations: before + after, errors: binomial(random, before, 0.05) + binomial(random, after, 0.25) });
      stable.push({ invocations: stableBefore, errors: binomial(random, stableBefore, 0.05) });
      if (judge(metrics('8', canary), metrics('7', stable), { config: BINOMIAL, requireEvidence: false }).verdict === 'fail') kept++;
      if (judge(metrics('8', canary), metrics('7', stable), { config: BINOMIAL, requireEvidence: false, excludedMinutes: new Set([10 * MINUTE]) }).verdict === 'fail') skipped++;
    }
    expect(kept / runs).toBeGreaterThan(0.5); // 303 of 400 (76%) when the straddling minute is compared
    expect(clopperPearson(skipped, runs).upper).toBeLessThanOrEqual(0.01); // none of 400 (upper bound 0.92%)
  });
});

describe('latency on simulated traffic: a heavy tail in both versions', () => {
  // Durations: 99.5% lognormal (p50 80 ms, p99 250 ms, the simulator's healthy profile) and 0.5%
  // uniform on 1–3 s, in both versions; the canary's are `slowdown` times longer. Per minute and
  // version, the nearest-rank p99 (and p90) of that many calls, drawn as order statistics from the
  // top: U(n) = V^(1/n), U(j) = U(j+1)·V^(1/j), mapped through the quantile function.
  const TAIL = 0.005;
  const MU = Math.log(80);
  const SIGMA = (Math.log(250) - MU) / normQuantile(0.99);
  const quantile = (u: number) => (u < 1 - TAIL ? Math.exp(MU + SIGMA * normQuantile(u / (1 - TAIL))) : 1000 + (2000 * (u - (1 - TAIL))) / TAIL);
  const percentileOf = (random: SeededRandom, calls: number, level: number, slowdown: number) => {
    let u = 1;
    for (let j = calls; j >= percentileRank(calls, level); j--) u *= (1 - random.next()) ** (1 / j);
    return quantile(u) * slowdown;
  };
  /** 5 minutes at 25% then 7 at 50% (12), or 10 minutes each at 10%, 25% and 50% (30). */
  const PLANS = { short: [...Array<number>(5).fill(0.25), ...Array<number>(7).fill(0.5)], long: [...Array<number>(10).fill(0.1), ...Array<number>(10).fill(0.25), ...Array<number>(10).fill(0.5)] };
  function failedOnLatency(seed: number, weights: number[], rpm: number, slowdown: number, withP90: boolean): boolean {
    const random = new SeededRandom(seed);
    const canary: Array<Partial<Period> & { invocations: number; errors: number; p90Ms?: number }> = [];
    const stable: Array<Partial<Period> & { invocations: number; errors: number; p90Ms?: number }> = [];
    for (const weight of weights) {
      const n = Math.round(rpm * weight);
      canary.push({ invocations: n, errors: 0, p99Ms: percentileOf(random, n, 0.99, slowdown), ...(withP90 ? { p90Ms: percentileOf(random, n, 0.9, slowdown) } : {}) });
      stable.push({ invocations: rpm - n, errors: 0, p99Ms: percentileOf(random, rpm - n, 0.99, 1), ...(withP90 ? { p90Ms: percentileOf(random, rpm - n, 0.9, 1) } : {}) });
      if (judge(metrics('8', canary), metrics('7', stable), { config: DEFAULTS, requireEvidence: false }).verdict === 'fail') return true;
    }
    return false;
  }
  const count = (runs: number, ...args: [number[], number, number, boolean]) => {
    let failed = 0;
    for (let seed = 1; seed <= runs; seed++) if (failedOnLatency(seed, ...args)) failed++;
    return failed;
  };

  it('healthy releases: none rolled back (the median-of-five p99 rule rolled back 6–23% at 1000–1200 req/min); at the tolerance itself, ≤ α', () => {
    const runs = 500;
    let failed = 0;
    for (const weights of [PLANS.short, PLANS.long]) for (const rpm of [1000, 1200]) failed += count(runs, weights, rpm, 1, false);
    // 2 of 2000 (0.1%; Clopper–Pearson 95% upper bound 0.36%).
    expect(clopperPearson(failed, 4 * runs).upper).toBeLessThanOrEqual(0.005);
    // The guarantee covers every canary no slower than 1.2×, and 1.2× exactly is its worst case:
    // 20 of 500 (4.0%, Clopper–Pearson 95% interval 2.5–6.1%), consistent with ≤ α.
    const boundary = count(runs, PLANS.long, 1000, 1.2, false);
    expect(clopperPearson(boundary, runs).lower).toBeLessThanOrEqual(0.05);
    expect(boundary / runs).toBeLessThanOrEqual(0.06);
  });

  it('a 1.5× slower canary is caught: on p99 alone where minutes are many, on p99 and p90 within the short plan', () => {
    const runs = 300;
    // p99 alone: each minute says little (P(slower) ≈ 0.66–0.86 against q ≈ 0.3–0.7): 290 of 300
    // on the 30-minute plan (96.7%, Clopper–Pearson 95% interval 94.0–98.4%), 183 of 300 within 12
    // minutes (61%, 55.2–66.6%).
    expect(clopperPearson(count(runs, PLANS.long, 1000, 1.5, false), runs).lower).toBeGreaterThanOrEqual(0.9);
    expect(count(runs, PLANS.short, 1000, 1.5, false) / runs).toBeGreaterThanOrEqual(0.55);
    // With p90 too (if the target reports it), every minute says a lot: 300 of 300 within 12 minutes
    // (lower bound 98.8%).
    expect(clopperPearson(count(runs, PLANS.short, 1000, 1.5, true), runs).lower).toBeGreaterThanOrEqual(0.98);
    // And p90 does not make a healthy release look slower.
    expect(count(runs, PLANS.short, 1000, 1, true)).toBe(0);
  });
});

describe('the loop with judge: compare', () => {
  function rolloutConfig(overrides: Partial<RolloutConfig> = {}): RolloutConfig {
    return {
      plan: { strategy: 'steps', steps: [{ percent: 10, durationMs: 10 * MINUTE }, { percent: 50, durationMs: 10 * MINUTE }] },
      pollMs: 15_000,
      finalBakeMs: MINUTE,
      metricDelayMs: MINUTE,
      judge: DEFAULTS,
      minInvocations: 10,
      maxExtensionMs: 10 * MINUTE,
      onInconclusive: 'rollback',
      onExistingCanary: 'refuse',
      ...overrides,
    };
  }

  /** Errors per period drawn per invocation, seeded by period and version: reproducible, not scripted by hand. */
  function bernoulliErrors(rates: Record<string, number>): VersionBehaviour {
    return (period) => {
      const random = new SeededRandom(period.startMs / MINUTE + 1000 * Number(period.version));
      let errors = 0;
      for (let i = 0; i < period.invocations; i++) if (random.chance(rates[period.version] ?? 0)) errors++;
      return { errors };
    };
  }

  async function run(behaviour: VersionBehaviour, config: Partial<RolloutConfig> = {}, requestsPerMinute = 2000) {
    const clock = new VirtualClock();
    const target = new FakeTarget({ clock, version: '7', requestsPerMinute, behaviour });
    const result = await runRollout({ target, clock, state: new MemoryStateStore() }, { candidateVersion: '8', config: rolloutConfig(config), dryRun: false });
    return { result, target };
  }

  it('promotes a healthy candidate at a 1% stable error rate that the seed rule rolls back', async () => {
    const healthy = bernoulliErrors({ '7': 0.01, '8': 0.01 });
    const compare = await run(healthy);
    expect(compare.result.outcome).toBe('promoted');
    expect(compare.target.peek()).toMatchObject({ version: '8', additionalWeights: {} });
    const decisive = compare.result.timeline.filter((r) => r.event === 'observe' && r.verdict === 'pass' && r.step === 2).at(-1);
    expect(decisive?.reason).toContain('enough calls to rule out a 2× regression; ready to promote — ');
    expect(decisive?.reason).toContain("≤ 0.05 (β 0.1 less the final look's share) since the first shift");
    // The judge read everything since the first shift, not a 5-minute window.
    const firstShiftAt = compare.target.appliedWrites().find((w) => w.op === 'shiftTraffic')?.atMs ?? NaN;
    expect(compare.target.metricReads.every((r) => r.window.startMs === firstShiftAt)).toBe(true);

    const seed = await run(healthy, { judge: { type: 'threshold', windowMs: 5 * MINUTE, maxErrors: 0 } });
    expect(seed.result.outcome).toBe('rolled-back');
  });

  it('rolls back a 3× regression within minutes', async () => {
    const { result, target } = await run(bernoulliErrors({ '7': 0.01, '8': 0.03 }));
    expect(result.outcome).toBe('rolled-back');
    expect(result.reason).toMatch(/a regression of at least 2×; the step fails — .*evidence [\d.]+ ≥ 1\/0\.025 = 40 \(α 0\.05 less the final look's 50%\)/);
    const firstShiftAt = target.appliedWrites().find((w) => w.op === 'shiftTraffic')?.atMs ?? NaN;
    const rollbackAt = target.appliedWrites().find((w) => w.op === 'rollBack')?.atMs ?? Infinity;
    expect(rollbackAt - firstShiftAt).toBeLessThan(10 * MINUTE);
  });

  it('gives the judge its final look once, at the decisive step’s last deadline, and nowhere else', async () => {
    // 20 req/min and no errors at all: nothing can promote (no error split to test, too few
    // clean canary calls for the absolute route), so the run goes to the end of the extension.
    const { result, target } = await run(() => ({ errors: 0 }), {}, 20);
    expect(result.outcome).toBe('rolled-back');
    const observations = result.timeline.filter((r) => r.event === 'observe');
    const finalLooks = observations.filter((r) => r.reason.includes('Final look:'));
    expect(finalLooks).toHaveLength(1);
    expect(finalLooks[0]).toBe(observations.at(-1));
    expect(finalLooks[0]).toMatchObject({ step: 2, verdict: 'inconclusive' });
    // At the deadline: the decisive step's planned 10 minutes plus the 10-minute extension.
    const shifts = target.appliedWrites().filter((w) => w.op === 'shiftTraffic');
    const decisiveShiftAt = shifts.at(-1)?.atMs ?? NaN;
    expect(target.appliedWrites().find((w) => w.op === 'rollBack')?.atMs).toBe(decisiveShiftAt + 20 * MINUTE);
    expect(result.reason).toContain('inconclusive after 20m');
  });
});

describe('the reasons people read', () => {
  const plain = (reason: string) => reason.split(' — ')[0];

  it('lead with plain words (rates, what it means, what happens next) and keep the numbers after " — "', () => {
    const cases = [
      judge(metrics('8', Array.from({ length: 10 }, () => ({ invocations: 100, errors: 3 }))), metrics('7', Array.from({ length: 10 }, () => ({ invocations: 900, errors: 9 })))),
      judge(metrics('8', [{ invocations: 5, errors: 1 }]), metrics('7', [{ invocations: 45, errors: 0 }])),
      judge(metrics('8', [{ invocations: 100, errors: 1 }]), metrics('7', [{ invocations: 900, errors: 9 }])),
      judge(metrics('8', [{ invocations: 100, errors: 1 }]), metrics('7', [{ invocations: 900, errors: 9 }]), { requireEvidence: false }),
    ];
    expect(cases.map((v) => [v.verdict, plain(v.reason)])).toEqual([
      ['fail', 'Canary 3% vs stable 1% errors: a regression of at least 2×; the step fails'],
      ['continue', 'Canary 20% vs stable 0% errors: too few calls to judge yet; needs at least 10 canary calls before the step may pass'],
      ['continue', 'Canary 1% vs stable 1% errors: no sign of a 2× regression yet; needs more calls to promote'],
      ['pass', 'Canary 1% vs stable 1% errors: no sign of a 2× regression; the step passes'],
    ]);
    for (const v of cases) {
      // No statistics before the dash; the counts and the test's numbers after it.
      expect(plain(v.reason)).not.toMatch(/evidence|likelihood|α|β|p =/);
      expect(v.reason.split(' — ')[1]).toMatch(/^canary \d+ of \d+, stable \d+ of \d+/);
    }
  });

  it('say so when the canary has served no call yet, instead of a rate of n/a', () => {
    const verdict = judge(metrics('8', [{ invocations: 0, errors: 0 }]), metrics('7', [{ invocations: 900, errors: 14 }]));
    expect(verdict.verdict).toBe('continue');
    expect(verdict.reason).toBe('No canary calls yet (stable 1.56% errors): too few calls to judge yet; needs at least 10 canary calls before the step may pass — canary 0 of 0, stable 14 of 900.');
    expect(judge(metrics('8', [{ invocations: 0, errors: 0 }]), metrics('7', [{ invocations: 0, errors: 0 }])).reason).toMatch(/^No calls of either version yet: too few calls to judge yet; /);
    expect(judge(metrics('8', [{ invocations: 5, errors: 0 }]), metrics('7', [{ invocations: 0, errors: 0 }])).reason).toMatch(/^Canary 0% errors, no stable calls to compare with: too few calls/);
  });

  it('name what is counted when it is not errors (a metric query)', () => {
    const verdict = judgeCompare({
      canary: metrics('8', Array.from({ length: 10 }, () => ({ invocations: 100, errors: 3 }))),
      stable: metrics('7', Array.from({ length: 10 }, () => ({ invocations: 900, errors: 9 }))),
      config: CONFIG,
      minInvocations: 10,
      requireEvidence: true,
      noun: 'ProxyErrors',
    });
    expect(verdict.reason).toMatch(/^Canary 3% vs stable 1% ProxyErrors: a regression of at least 2×; the step fails — /);
  });
});
