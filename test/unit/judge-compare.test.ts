import { DEFAULT_COMPARE_JUDGE } from '../../src/config/defaults.js';
import type { CompareJudgeConfig, RolloutConfig } from '../../src/config/types.js';
import { MemoryStateStore } from '../../src/core/state.js';
import {
  decisiveStepIndex,
  errorEvidence,
  finalLookTest,
  judgeCompare,
  LATENCY_MIN_CALLS,
  periodLogLikelihoodRatio,
  regressionRatio,
  startWeight,
} from '../../src/rollout/judge-compare.js';
import { binomCdf, binomSfInclusive } from '../../src/model/stats/distributions.js';
import { runRollout } from '../../src/rollout/loop.js';
import type { VersionMetrics } from '../../src/targets/target.js';
import { SeededRandom, sampleLognormalLatency } from '../sim/random.js';
import { FakeTarget } from '../support/fake-target.js';
import type { VersionBehaviour } from '../support/fake-target.js';
import { VirtualClock } from '../support/virtual-clock.js';

const MINUTE = 60_000;
/** The purely sequential judge (no final look): the formulas below are its own. */
const CONFIG: CompareJudgeConfig = { type: 'compare', alpha: 0.05, beta: 0.1, minEffect: { ratio: 2, absolute: 0.005 }, p99Tolerance: 0.2, finalLookShare: 0 };
/** What users get: half of α and β kept for the final look. */
const DEFAULTS: CompareJudgeConfig = { ...DEFAULT_COMPARE_JUDGE, minEffect: { ...DEFAULT_COMPARE_JUDGE.minEffect } };

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

function judge(canary: VersionMetrics, stable: VersionMetrics, options: { requireEvidence?: boolean; config?: CompareJudgeConfig; minInvocations?: number; finalLook?: boolean } = {}) {
  return judgeCompare({
    canary,
    stable,
    config: options.config ?? CONFIG,
    minInvocations: options.minInvocations ?? 10,
    requireEvidence: options.requireEvidence ?? true,
    finalLook: options.finalLook ?? false,
  });
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
    expect(verdict.reason).toMatch(/^Canary errors 30 of 1000 \(3%\) vs stable 90 of 9000 \(1%\); evidence [\d.]+ ≥ 1\/α = 20 for a ≥2× regression\.$/);
  });

  it('continues with too little data, even with errors', () => {
    const verdict = judge(metrics('8', [{ invocations: 5, errors: 1 }]), metrics('7', [{ invocations: 45, errors: 0 }]));
    expect(verdict.verdict).toBe('continue');
    expect(verdict.reason).toContain('at least 10 canary invocations needed');
  });

  it('passes an early step on "no evidence of a regression", the decisive step only on evidence against one', () => {
    const canary = metrics('8', [{ invocations: 100, errors: 1 }]);
    const stable = metrics('7', [{ invocations: 900, errors: 9 }]);
    expect(judge(canary, stable, { requireEvidence: false }).verdict).toBe('pass');
    const decisive = judge(canary, stable, { requireEvidence: true });
    expect(decisive.verdict).toBe('continue');
    expect(decisive.reason).toContain('not enough to promote yet');
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
    expect(passing.reason).toContain('against a canary rate 0.5% above stable');
    // The default split of β leaves this route all of it: the final look adds nothing without errors.
    const passingByDefault = judge(metrics('8', [...cleanCanary, { invocations: 100, errors: 0 }]), metrics('7', [...cleanStable, { invocations: 900, errors: 0 }]), { config: DEFAULTS });
    expect(passingByDefault.verdict).toBe('pass');
    expect(passingByDefault.reason).toContain('≤ β = 0.1 against a canary rate 0.5% above stable');
    // 100 clean canary calls are not enough to promote.
    expect(judge(metrics('8', [{ invocations: 100, errors: 0 }]), metrics('7', [{ invocations: 900, errors: 0 }])).verdict).toBe('continue');
  });

  it('fails a canary p99 above (1 + tolerance) × stable, on the median of five well-filled minutes', () => {
    const minutesAt = (p99Ms: number, invocations = 300, count = 5) => Array.from({ length: count }, () => ({ invocations, errors: 0, p99Ms }));
    const verdict = judge(metrics('8', minutesAt(130)), metrics('7', minutesAt(100)), { requireEvidence: false });
    expect(verdict.verdict).toBe('fail');
    expect(verdict.reason).toContain('(median over the last 5 shared minutes) is 1.3× > 1.2× allowed');
    expect(judge(metrics('8', minutesAt(115)), metrics('7', minutesAt(100)), { requireEvidence: false }).verdict).toBe('pass');
    // Two cold-start minutes do not move a median of five.
    const coldStart = [{ invocations: 300, errors: 0, p99Ms: 900 }, { invocations: 300, errors: 0, p99Ms: 700 }, ...minutesAt(100, 300, 3)];
    expect(judge(metrics('8', coldStart), metrics('7', minutesAt(100)), { requireEvidence: false }).verdict).toBe('pass');
    // Not judged before five minutes with LATENCY_MIN_CALLS of each version: four are not enough,
    // and a minute with 299 canary calls does not count (its p99 is close to the sample maximum).
    expect(LATENCY_MIN_CALLS).toBe(300);
    const four = judge(metrics('8', minutesAt(500, 300, 4)), metrics('7', minutesAt(100, 300, 4)), { requireEvidence: false });
    expect(four.verdict).toBe('pass');
    expect(four.observed.p99Ratio).toBeNull();
    const thin = [...minutesAt(500, 300, 4), { invocations: 299, errors: 0, p99Ms: 500 }];
    expect(judge(metrics('8', thin), metrics('7', minutesAt(100)), { requireEvidence: false }).observed.p99Ratio).toBeNull();
    expect(judge(metrics('8', [...minutesAt(500, 300, 4), { invocations: 300, errors: 0, p99Ms: 500 }]), metrics('7', minutesAt(100)), { requireEvidence: false }).verdict).toBe('fail');
  });

  it('latency on simulated traffic: healthy releases are rarely failed, a 1.5× slower p99 is caught', () => {
    // Per-minute p99s (nearest rank, as CloudWatch and the simulator compute them) of lognormal
    // latencies with the simulator's healthy profile, p50 80 ms and p99 250 ms, over a rollout of
    // 5 minutes at 25% and 7 at 50%, judged after every minute.
    const p99 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.max(1, Math.ceil(0.99 * xs.length)) - 1]!;
    function failedOnLatency(seed: number, rpm: number, slowdown: number): boolean {
      const random = new SeededRandom(seed);
      const canary: Array<Partial<Period> & { invocations: number; errors: number }> = [];
      const stable: Array<Partial<Period> & { invocations: number; errors: number }> = [];
      for (const weight of [...Array<number>(5).fill(0.25), ...Array<number>(7).fill(0.5)]) {
        const draw = (n: number, factor: number) => Array.from({ length: n }, () => sampleLognormalLatency(random, 80 * factor, 250 * factor));
        const canaryCalls = Math.round(rpm * weight);
        canary.push({ invocations: canaryCalls, errors: 0, p99Ms: p99(draw(canaryCalls, slowdown)) });
        stable.push({ invocations: rpm - canaryCalls, errors: 0, p99Ms: p99(draw(rpm - canaryCalls, 1)) });
        if (judge(metrics('8', canary), metrics('7', stable), { requireEvidence: false }).verdict === 'fail') return true;
      }
      return false;
    }
    const share = (rpm: number, slowdown: number, runs: number) => {
      let failed = 0;
      for (let seed = 1; seed <= runs; seed++) if (failedOnLatency(seed, rpm, slowdown)) failed++;
      return failed / runs;
    };
    // 3 standard errors of Monte Carlo margin above 0.5%: 0.005 + 3·√(0.005·0.995/200) = 0.020.
    expect(share(400, 1, 200)).toBeLessThanOrEqual(0.02);
    expect(share(1200, 1, 200)).toBeLessThanOrEqual(0.02);
    expect(share(1200, 1.5, 60)).toBeGreaterThanOrEqual(0.95);
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
    expect(verdict.reason).toContain("≥ 1/0.025 = 40 (α 0.05 less the final look's 50%) for a ≥2× regression.");
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
    // 1% vs 2% at 1000 req/min, 30% canary, 9 minutes: about 27 vs 63 errors by the end.
    const runs = 200;
    let sequential = 0;
    let withFinalLook = 0;
    for (let seed = 1; seed <= runs; seed++) {
      if (firstFail(seed, 9, 1000, 0.3, 0.01, 0.02, CONFIG) !== null) sequential++;
      if (firstFail(seed, 9, 1000, 0.3, 0.01, 0.02, DEFAULTS) !== null) withFinalLook++;
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
    expect(decisive?.reason).toContain("≤ 0.05 (β 0.1 less the final look's share) against a ≥2× regression");
    // The judge read everything since the first shift, not a 5-minute window.
    const firstShiftAt = compare.target.appliedWrites().find((w) => w.op === 'shiftTraffic')?.atMs ?? NaN;
    expect(compare.target.metricReads.every((r) => r.window.startMs === firstShiftAt)).toBe(true);

    const seed = await run(healthy, { judge: { type: 'threshold', windowMs: 5 * MINUTE, maxErrors: 0 } });
    expect(seed.result.outcome).toBe('rolled-back');
  });

  it('rolls back a 3× regression within minutes', async () => {
    const { result, target } = await run(bernoulliErrors({ '7': 0.01, '8': 0.03 }));
    expect(result.outcome).toBe('rolled-back');
    expect(result.reason).toMatch(/evidence [\d.]+ ≥ 1\/0\.025 = 40 \(α 0\.05 less the final look's 50%\) for a ≥2× regression/);
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
