/**
 * Benchmark of the canary judges: `npx tsx bench/judge/run.ts [--runs 1000] [--out bench/judge]`.
 *
 * An in-process model of the simulator's traffic (test/sim/traffic.ts + behaviour.ts): Poisson
 * arrivals, each routed to the canary with the weight in force and failing with its version's
 * error probability. By Poisson thinning that is exactly Poisson(rate · w · Δt) canary and
 * Poisson(rate · (1 − w) · Δt) stable arrivals per 15 s slice, each with Binomial errors, which
 * is what is drawn here (seeded mulberry32 from test/sim/random.ts). Slices add up to per-minute
 * datapoints, readable 60 s after their minute ends (CloudWatch's delay, metric-delay 1m).
 *
 * The rollout follows src/rollout/loop.ts: steps from the real `buildSteps`, a poll every 15 s
 * (start to start) plus one at each step's end and deadline, fail → rollback at once, pass at
 * or after the step's end → next step, continue at the deadline → one extension of one step
 * interval, then inconclusive, the last step judged for one more period + delay. Each judge runs
 * under both `on-inconclusive` policies, as the loop applies them: `rollback` (the default) ends
 * the run at the first inconclusive step; `promote` lets that step pass and shifts to the next,
 * whose verdicts still count (a later `fail` still rolls back). The alarm never answers
 * `continue`, so its two policies are the same runs and it is run once. Every judge and policy
 * sees the same seeds, so the same traffic until its runs diverge.
 *
 * Before the simulations, an analytic table (`informationLimits`) gives per plan, traffic and
 * baseline the expected error counts per version and the power ANY level-α test could have on
 * that much data: the upper bound the simulated detection rates must be read against.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem, loadavg } from 'node:os';
import { join } from 'node:path';
import type { CompareJudgeConfig, PlanConfig, ThresholdJudgeConfig } from '../../src/config/types.js';
import { DEFAULT_COMPARE_JUDGE } from '../../src/config/defaults.js';
import type { Verdict } from '../../src/rollout/judge.js';
import { judgeThreshold } from '../../src/rollout/judge.js';
import { decisiveStepIndex, judgeCompare } from '../../src/rollout/judge-compare.js';
import type { RolloutStep } from '../../src/rollout/plan.js';
import { buildSteps } from '../../src/rollout/plan.js';
import type { VersionMetrics } from '../../src/targets/target.js';
import { SeededRandom } from '../../test/sim/random.js';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const SLICE_MS = 15 * SECOND;
const POLL_MS = 15 * SECOND;
const METRIC_DELAY_MS = MINUTE;
const SETTLE_MS = MINUTE + METRIC_DELAY_MS;
const MIN_INVOCATIONS = 10;
/** The CodeDeploy-style alarm: canary error rate above this in 1 of 1 one-minute datapoints. */
const ALARM_ERROR_RATE = 0.01;
/** One-sided z for alpha 0.05: the fixed-window test's critical value. */
const Z_05 = 1.6448536269514722;

// ---- arguments -----------------------------------------------------------------------

const args = process.argv.slice(2);
function arg(name: string, fallback: string): string {
  const at = args.indexOf(`--${name}`);
  return at >= 0 && args[at + 1] !== undefined ? args[at + 1]! : fallback;
}
const RUNS = Number(arg('runs', '1000'));
/** results.json goes here; the markdown table goes to stdout (results.md quotes it with its reading). */
const OUT_DIR = arg('out', 'bench/judge');
/** The machine is shared: the 1-minute load average at the start and the end go into the results. */
const LOAD_AT_START = loadavg()[0] ?? null;
/** `--limits-only`: print the analytic table and stop (seconds instead of minutes). */
const LIMITS_ONLY = args.includes('--limits-only');

// ---- scenarios -----------------------------------------------------------------------

interface Plan {
  name: string;
  config: PlanConfig;
  finalBakeMs: number;
  maxExtensionMs: number;
}

const PLANS: Plan[] = [
  { name: 'Linear10PercentEvery1Minute (default, 10 min)', config: { strategy: 'linear', stepPercent: 10, intervalMs: MINUTE }, finalBakeMs: MINUTE, maxExtensionMs: MINUTE },
  {
    name: 'steps 10% 10m, 25% 10m, 50% 10m (30 min)',
    config: { strategy: 'steps', steps: [{ percent: 10, durationMs: 10 * MINUTE }, { percent: 25, durationMs: 10 * MINUTE }, { percent: 50, durationMs: 10 * MINUTE }] },
    finalBakeMs: MINUTE,
    maxExtensionMs: 10 * MINUTE,
  },
];

interface Scenario {
  stableRate: number;
  /** Label of the canary's behaviour. */
  canary: string;
  canaryRate: number;
  /** The canary turns bad from this time after the first shift (0: from the start). */
  regressionFromMs: number | 'middle';
  healthy: boolean;
  rpm: number;
}

/**
 * Plans sized by the guidance in results.md ("Reading") for 100 req/min: about 120 baseline
 * errors (stable rate × req/min × minutes) at a 50% step. Compare only, both policies: they
 * check that the rule of thumb delivers the targets where the default plans cannot.
 */
const GUIDANCE_CHECKS: Array<{ plan: Plan; stableRate: number; rpm: number }> = [
  {
    plan: { name: 'steps 10% 5m, 50% 120m (1% baseline, 100 req/min)', config: { strategy: 'steps', steps: [{ percent: 10, durationMs: 5 * MINUTE }, { percent: 50, durationMs: 120 * MINUTE }] }, finalBakeMs: MINUTE, maxExtensionMs: 10 * MINUTE },
    stableRate: 0.01,
    rpm: 100,
  },
  {
    plan: { name: 'steps 10% 5m, 50% 25m (5% baseline, 100 req/min)', config: { strategy: 'steps', steps: [{ percent: 10, durationMs: 5 * MINUTE }, { percent: 50, durationMs: 25 * MINUTE }] }, finalBakeMs: MINUTE, maxExtensionMs: 10 * MINUTE },
    stableRate: 0.05,
    rpm: 100,
  },
];

function scenarios(): Scenario[] {
  const list: Scenario[] = [];
  for (const rpm of [10, 100, 1000]) {
    for (const stableRate of [0, 0.001, 0.01, 0.05]) {
      list.push({ stableRate, canary: 'healthy', canaryRate: stableRate, regressionFromMs: 0, healthy: true, rpm });
      for (const factor of [2, 5]) {
        // 2× or 5× of 0% is 0%: at a 0% baseline the regressions are absolute, +0.5 and +2.5 points.
        const canaryRate = stableRate > 0 ? stableRate * factor : factor === 2 ? 0.005 : 0.025;
        const label = stableRate > 0 ? `${factor}×` : `+${factor === 2 ? '0.5' : '2.5'}pt`;
        list.push({ stableRate, canary: `${label} from start`, canaryRate, regressionFromMs: 0, healthy: false, rpm });
        list.push({ stableRate, canary: `${label} from middle`, canaryRate, regressionFromMs: 'middle', healthy: false, rpm });
      }
    }
  }
  return list;
}

// ---- random draws --------------------------------------------------------------------

function poisson(random: SeededRandom, mean: number): number {
  if (mean <= 0) return 0;
  if (mean > 60) {
    // Normal approximation with continuity correction: at these means its error is far below
    // the Monte Carlo error of 1000 runs, and it keeps the run short.
    return Math.max(0, Math.round(mean + Math.sqrt(mean) * random.normal()));
  }
  const limit = Math.exp(-mean);
  let count = 0;
  let product = random.next();
  while (product > limit) {
    count++;
    product *= random.next();
  }
  return count;
}

/** Binomial(n, p) by geometric gaps between successes: O(n·p) draws. */
function binomial(random: SeededRandom, n: number, p: number): number {
  if (p <= 0 || n === 0) return 0;
  if (p >= 1) return n;
  const logQ = Math.log1p(-p);
  let successes = 0;
  let position = Math.floor(Math.log(1 - random.next()) / logQ);
  while (position < n) {
    successes++;
    position += 1 + Math.floor(Math.log(1 - random.next()) / logQ);
  }
  return successes;
}

// ---- judges --------------------------------------------------------------------------

interface JudgeContext {
  canary: VersionMetrics;
  stable: VersionMetrics;
  /** Metrics of [max(now − 5m, first shift), now], for the seed rule. */
  canaryWindow: VersionMetrics;
  stableWindow: VersionMetrics;
  requireEvidence: boolean;
  /** True at the poll at (or after) the current step's planned end. */
  stepEnd: boolean;
}

type Judge = (context: JudgeContext) => Verdict['verdict'];

const SEED_RULE: ThresholdJudgeConfig = { type: 'threshold', windowMs: 5 * MINUTE, maxErrors: 0 };
const COMPARE: CompareJudgeConfig = { ...DEFAULT_COMPARE_JUDGE, minEffect: { ...DEFAULT_COMPARE_JUDGE.minEffect } };

const JUDGES: Record<string, Judge> = {
  compare: (c) => judgeCompare({ canary: c.canary, stable: c.stable, config: COMPARE, minInvocations: MIN_INVOCATIONS, requireEvidence: c.requireEvidence }).verdict,
  seed: (c) => judgeThreshold({ canary: c.canaryWindow, stable: c.stableWindow, config: SEED_RULE, minInvocations: MIN_INVOCATIONS }).verdict,
  // CodeDeploy rolls back on an alarm; a CloudWatch alarm with 1 of 1 datapoints breaches on
  // any published minute above the threshold, and missing data does not breach.
  alarm: (c) => (c.canary.periods.some((p) => p.errors / p.invocations > ALARM_ERROR_RATE) ? 'fail' : 'pass'),
  // Fixed-window two-proportion z-test, pooled, one-sided, alpha 0.05, on all data since the
  // first shift, evaluated once at each step's end; no correction for the repeated looks.
  fixed: (c) => {
    if (!c.stepEnd) return 'continue';
    return twoProportionZ(c.canary, c.stable) > Z_05 ? 'fail' : c.canary.invocations >= MIN_INVOCATIONS ? 'pass' : 'continue';
  },
};

function twoProportionZ(canary: VersionMetrics, stable: VersionMetrics): number {
  const n1 = canary.invocations;
  const n2 = stable.invocations;
  if (n1 === 0 || n2 === 0) return 0;
  const pooled = (canary.errors + stable.errors) / (n1 + n2);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2));
  return se > 0 ? (canary.errors / n1 - stable.errors / n2) / se : 0;
}

// ---- one rollout ---------------------------------------------------------------------

interface Bucket {
  canaryInvocations: number;
  canaryErrors: number;
  stableInvocations: number;
  stableErrors: number;
}

type Policy = 'rollback' | 'promote';
const POLICIES: Policy[] = ['rollback', 'promote'];

interface RunResult {
  outcome: 'promoted' | 'fail' | 'inconclusive';
  atMs: number;
  requests: number;
  /** Steps that ended inconclusive and passed anyway (on-inconclusive: promote). */
  inconclusiveSteps: number;
}

function simulate(scenario: Scenario, steps: RolloutStep[], plan: Plan, judge: Judge, policy: Policy, seed: number, middleMs: number): RunResult {
  const random = new SeededRandom(seed);
  const buckets: Bucket[] = [];
  let simulatedToMs = 0;
  let weight = 0;
  let requests = 0;
  const badFromMs = scenario.regressionFromMs === 'middle' ? middleMs : scenario.regressionFromMs;

  const advanceTo = (nowMs: number) => {
    while (simulatedToMs + SLICE_MS <= nowMs) {
      const sliceMean = (scenario.rpm * SLICE_MS) / MINUTE;
      const canaryN = poisson(random, sliceMean * weight);
      const stableN = poisson(random, sliceMean * (1 - weight));
      const canaryRate = simulatedToMs >= badFromMs ? scenario.canaryRate : scenario.stableRate;
      const minute = Math.floor(simulatedToMs / MINUTE);
      const bucket = (buckets[minute] ??= { canaryInvocations: 0, canaryErrors: 0, stableInvocations: 0, stableErrors: 0 });
      bucket.canaryInvocations += canaryN;
      bucket.canaryErrors += binomial(random, canaryN, canaryRate);
      bucket.stableInvocations += stableN;
      bucket.stableErrors += binomial(random, stableN, scenario.stableRate);
      requests += canaryN + stableN;
      simulatedToMs += SLICE_MS;
    }
  };

  const metrics = (nowMs: number, fromMs: number, which: 'canary' | 'stable'): VersionMetrics => {
    const periods: VersionMetrics['periods'] = [];
    for (let minute = Math.floor(fromMs / MINUTE); (minute + 1) * MINUTE + METRIC_DELAY_MS <= nowMs; minute++) {
      const b = buckets[minute];
      if (b === undefined) continue;
      const invocations = which === 'canary' ? b.canaryInvocations : b.stableInvocations;
      if (invocations === 0) continue;
      periods.push({ startMs: minute * MINUTE, invocations, errors: which === 'canary' ? b.canaryErrors : b.stableErrors, throttles: 0, p99Ms: null });
    }
    return {
      version: which,
      invocations: periods.reduce((s, p) => s + p.invocations, 0),
      errors: periods.reduce((s, p) => s + p.errors, 0),
      throttles: 0,
      p99Ms: null,
      periods,
    };
  };

  const decisive = decisiveStepIndex(steps);
  let inconclusiveSteps = 0;
  let stepStartMs = 0;
  let nextPollMs = POLL_MS;
  for (const [index, step] of steps.entries()) {
    weight = step.weight;
    const isLast = index === steps.length - 1;
    const stepEndsAtMs = stepStartMs + step.durationMs + (isLast ? SETTLE_MS : 0);
    let deadlineMs = stepEndsAtMs;
    let extended = false;
    for (;;) {
      const nowMs = Math.min(nextPollMs, deadlineMs);
      nextPollMs = nowMs + POLL_MS;
      advanceTo(nowMs);
      const timeUp = nowMs >= stepEndsAtMs;
      const windowFrom = Math.max(nowMs - SEED_RULE.windowMs, 0);
      const verdict = judge({
        canary: metrics(nowMs, 0, 'canary'),
        stable: metrics(nowMs, 0, 'stable'),
        canaryWindow: metrics(nowMs, windowFrom, 'canary'),
        stableWindow: metrics(nowMs, windowFrom, 'stable'),
        requireEvidence: index === decisive,
        stepEnd: timeUp,
      });
      if (verdict === 'fail') return { outcome: 'fail', atMs: nowMs, requests, inconclusiveSteps };
      if (verdict === 'pass' && timeUp) break;
      if (verdict === 'continue' && nowMs >= deadlineMs) {
        if (!extended && plan.maxExtensionMs > 0) {
          extended = true;
          deadlineMs = stepEndsAtMs + plan.maxExtensionMs;
          continue;
        }
        if (policy === 'rollback') return { outcome: 'inconclusive', atMs: nowMs, requests, inconclusiveSteps };
        inconclusiveSteps++; // on-inconclusive: promote — the step passes, the next one is still judged
        break;
      }
    }
    stepStartMs = nextPollMs - POLL_MS; // the shift happens at the poll that passed the step
  }
  return { outcome: 'promoted', atMs: stepStartMs, requests, inconclusiveSteps };
}

// ---- information limits -------------------------------------------------------------

const ALPHA = COMPARE.alpha;

/** ln P(Poisson(mean) = k). */
function poissonLogPmf(k: number, mean: number): number {
  if (mean <= 0) return k === 0 ? 0 : Number.NEGATIVE_INFINITY;
  return k * Math.log(mean) - mean - logFactorial(k);
}
const LOG_FACTORIAL: number[] = [0];
function logFactorial(k: number): number {
  for (let i = LOG_FACTORIAL.length; i <= k; i++) LOG_FACTORIAL[i] = LOG_FACTORIAL[i - 1]! + Math.log(i);
  return LOG_FACTORIAL[k]!;
}
function binomialPmf(k: number, n: number, p: number): number {
  if (p <= 0) return k === 0 ? 1 : 0;
  if (p >= 1) return k === n ? 1 : 0;
  return Math.exp(logFactorial(n) - logFactorial(k) - logFactorial(n - k) + k * Math.log(p) + (n - k) * Math.log1p(-p));
}

/**
 * Power of the most powerful level-α test of "X ~ pmf0" against "X ~ pmf1" when the likelihood
 * ratio increases in X (Neyman–Pearson, randomized at the boundary): no test on X does better.
 */
function monotonePower(pmf0: (k: number) => number, pmf1: (k: number) => number, maxK: number): number {
  let tail0 = 0;
  let power = 0;
  for (let k = maxK; k >= 0; k--) {
    const p0 = pmf0(k);
    if (tail0 + p0 > ALPHA) {
      const gamma = p0 > 0 ? (ALPHA - tail0) / p0 : 0;
      return power + gamma * pmf1(k);
    }
    tail0 += p0;
    power += pmf1(k);
  }
  return power;
}

interface Exposure {
  /** Canary and stable calls per req/min of traffic, in minutes both versions served and whose datapoint is readable at the decision. */
  canaryMinutes: number;
  stableMinutes: number;
  /** Same, step by step (for the evidence drift, which depends on the weight). */
  byStep: Array<{ weight: number; minutes: number }>;
}

/**
 * The most concurrent traffic a decision can use: every partial step at its planned length plus
 * one extension of the decisive step (earlier steps pass as soon as they have min-invocations),
 * minus the last minute, whose datapoint is not yet published at the decisive deadline.
 */
function exposure(plan: Plan, steps: RolloutStep[]): Exposure {
  const decisive = decisiveStepIndex(steps);
  const byStep = steps.slice(0, decisive + 1).map((step, index) => ({
    weight: step.weight,
    minutes: (step.durationMs + (index === decisive ? plan.maxExtensionMs : 0) - (index === decisive ? METRIC_DELAY_MS : 0)) / MINUTE,
  }));
  return {
    canaryMinutes: byStep.reduce((s, x) => s + x.weight * x.minutes, 0),
    stableMinutes: byStep.reduce((s, x) => s + (1 - x.weight) * x.minutes, 0),
    byStep,
  };
}

interface LimitRow {
  plan: string;
  rpm: number;
  stableRate: number;
  canaryRate: number;
  canaryCalls: number;
  stableCalls: number;
  canaryErrorsHealthy: number;
  canaryErrorsRegressed: number;
  stableErrors: number;
  /** Power if the stable rate were known exactly: the canary's error count alone, Poisson. An upper bound for every test. */
  oraclePower: number;
  /** Power of the best test that estimates the baseline from the concurrent stable traffic (binomial split of all errors, given their total). */
  conditionalPower: number;
  /** Expected ln likelihood ratio (the compare judge's pass side, ρ = 2) on a healthy canary: promotion needs ≤ ln β. */
  healthyDriftNats: number;
  /** Expected ln likelihood ratio under the 2× regression: a rollback needs ≥ ln(1/α) + ln 2 (mixture). */
  regressedDriftNats: number;
}

function informationLimits(): LimitRow[] {
  const rows: LimitRow[] = [];
  const rho = 2;
  for (const plan of PLANS) {
    const steps = buildSteps(plan.config, plan.finalBakeMs);
    const ex = exposure(plan, steps);
    for (const rpm of [10, 100, 1000]) {
      for (const stableRate of [0, 0.001, 0.01, 0.05]) {
        const canaryRate = stableRate > 0 ? rho * stableRate : 0.005;
        const canaryCalls = rpm * ex.canaryMinutes;
        const stableCalls = rpm * ex.stableMinutes;
        const lambda0 = canaryCalls * stableRate;
        const lambda1 = canaryCalls * canaryRate;
        const lambdaStable = stableCalls * stableRate;
        const maxK = Math.ceil(lambda1 + lambdaStable + 12 * Math.sqrt(lambda1 + lambdaStable + 1) + 20);
        const oraclePower = monotonePower((k) => Math.exp(poissonLogPmf(k, lambda0)), (k) => Math.exp(poissonLogPmf(k, lambda1)), maxK);
        // Given t errors in all, the canary's share is Binomial(t, w) if healthy, Binomial(t, θ) if 2×.
        const w = canaryCalls / (canaryCalls + stableCalls);
        const theta = lambda1 / (lambda1 + lambdaStable);
        let conditionalPower = 0;
        for (let t = 0; t <= maxK; t++) {
          const pt = Math.exp(poissonLogPmf(t, lambda1 + lambdaStable));
          if (pt < 1e-15) continue;
          conditionalPower += pt * monotonePower((k) => binomialPmf(k, t, w), (k) => binomialPmf(k, t, theta), t);
        }
        // Drift per error of the per-minute ratio at weight v: healthy −(ln(1+(ρ−1)v) − v ln ρ),
        // regressed θv ln ρ − ln(1+(ρ−1)v); errors per minute rpm·p (healthy), rpm·p·(1+(ρ−1)v) (2×).
        let healthyDriftNats = 0;
        let regressedDriftNats = 0;
        for (const { weight: v, minutes } of ex.byStep) {
          const perMinute = rpm * stableRate * minutes;
          const thetaV = (rho * v) / (1 + (rho - 1) * v);
          healthyDriftNats -= perMinute * (Math.log1p((rho - 1) * v) - v * Math.log(rho));
          regressedDriftNats += perMinute * (1 + (rho - 1) * v) * (thetaV * Math.log(rho) - Math.log1p((rho - 1) * v));
        }
        rows.push({
          plan: plan.name,
          rpm,
          stableRate,
          canaryRate,
          canaryCalls,
          stableCalls,
          canaryErrorsHealthy: lambda0,
          canaryErrorsRegressed: lambda1,
          stableErrors: lambdaStable,
          oraclePower,
          conditionalPower,
          healthyDriftNats,
          regressedDriftNats,
        });
      }
    }
  }
  return rows;
}

function limitsMarkdown(rows: LimitRow[]): string[] {
  const out: string[] = [];
  const fmt = (x: number) => (x >= 100 ? Math.round(x).toLocaleString('en-US') : x >= 10 ? x.toFixed(0) : x >= 1 ? x.toFixed(1) : x.toFixed(2));
  for (const plan of PLANS) {
    out.push(`#### ${plan.name}`, '');
    out.push(
      '| req/min | stable | 2× canary | canary calls | stable calls | canary errors healthy / 2× | stable errors | power, baseline known | power, baseline estimated | E[ln LR] healthy (promote ≤ −2.3) | E[ln LR] 2× (fail ≥ 3.7) |',
      '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    );
    for (const r of rows.filter((x) => x.plan === plan.name)) {
      // The drift is for ρ = 2; below stable = absolute / (ratio − 1) the judge tests a larger ρ (min-effect absolute).
      const ratioRoute = r.stableRate * (COMPARE.minEffect.ratio - 1) >= COMPARE.minEffect.absolute;
      out.push(
        `| ${r.rpm} | ${(r.stableRate * 100).toFixed(1)}% | ${(r.canaryRate * 100).toFixed(1)}% | ${fmt(r.canaryCalls)} | ${fmt(r.stableCalls)} | ${fmt(r.canaryErrorsHealthy)} / ${fmt(r.canaryErrorsRegressed)} | ${fmt(r.stableErrors)} | ${(100 * r.oraclePower).toFixed(0)}% | ${(100 * r.conditionalPower).toFixed(0)}% | ${ratioRoute ? r.healthyDriftNats.toFixed(1) : 'n/a'} | ${ratioRoute ? r.regressedDriftNats.toFixed(1) : 'n/a'} |`,
      );
    }
    out.push('');
  }
  return out;
}

// ---- the table -----------------------------------------------------------------------

interface Cell {
  runs: number;
  promoted: number;
  /** Promoted although at least one step was inconclusive (only under on-inconclusive: promote). */
  promotedWithInconclusiveStep: number;
  fail: number;
  inconclusive: number;
  medianRequests: number;
  medianMinutes: number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function runCell(scenario: Scenario, plan: Plan, steps: RolloutStep[], judge: Judge, policy: Policy, scenarioIndex: number): Cell {
  const planMs = steps.reduce((s, st) => s + st.durationMs, 0);
  const results: RunResult[] = [];
  for (let run = 0; run < RUNS; run++) results.push(simulate(scenario, steps, plan, judge, policy, 1 + run * 7919 + scenarioIndex * 104_729, Math.floor(planMs / 2 / MINUTE) * MINUTE));
  return {
    runs: RUNS,
    promoted: results.filter((r) => r.outcome === 'promoted').length,
    promotedWithInconclusiveStep: results.filter((r) => r.outcome === 'promoted' && r.inconclusiveSteps > 0).length,
    fail: results.filter((r) => r.outcome === 'fail').length,
    inconclusive: results.filter((r) => r.outcome === 'inconclusive').length,
    medianRequests: median(results.map((r) => r.requests)),
    medianMinutes: median(results.map((r) => r.atMs / MINUTE)),
  };
}

function pct(count: number, runs: number): string {
  return `${((100 * count) / runs).toFixed(1)}%`;
}

/**
 * `rollback`: **rolled back** = fail + inconclusive · promoted. `promote`: **rolled back** (all
 * by fail) · promoted (of which after an inconclusive step). Then median requests and minutes.
 */
function cellText(cell: Cell, healthy: boolean, policy: Policy): string {
  const back = pct(cell.fail + cell.inconclusive, cell.runs);
  const head = healthy ? back : `**${back}**`;
  const detail =
    policy === 'rollback'
      ? cell.inconclusive > 0
        ? ` = ${pct(cell.fail, cell.runs)} fail + ${pct(cell.inconclusive, cell.runs)} inc.`
        : ''
      : cell.promotedWithInconclusiveStep > 0
        ? ` · ${pct(cell.promoted, cell.runs)} prom. (${pct(cell.promotedWithInconclusiveStep, cell.runs)} via inc.)`
        : '';
  return `${head}${detail} · ${cell.medianRequests} req · ${cell.medianMinutes.toFixed(1)} min`;
}

/** Which judges run under which policy: the alarm never says `continue`, so one policy covers both. */
const RUNS_OF: Record<Policy, string[]> = {
  rollback: Object.keys(JUDGES),
  promote: Object.keys(JUDGES).filter((name) => name !== 'alarm'),
};

const startedAt = Date.now();
const limits = informationLimits();
const output: Array<{ plan: string; scenario: Scenario; judges: Record<string, Partial<Record<Policy, Cell>>> }> = [];
const markdown: string[] = ['## Information limits (analytic, 2× regressions from the start)', '', ...limitsMarkdown(limits)];
if (LIMITS_ONLY) {
  process.stdout.write(`${markdown.join('\n')}\n`);
  process.exit(0);
}
for (const plan of args.includes('--guidance-only') ? [] : PLANS) {
  const steps = buildSteps(plan.config, plan.finalBakeMs);
  const tables: Record<Policy, string[]> = { rollback: [], promote: [] };
  for (const policy of POLICIES) {
    tables[policy].push(
      `### Plan: ${plan.name} — on-inconclusive: ${policy}`,
      '',
      `| stable | canary | req/min | ${RUNS_OF[policy].join(' | ')} |`,
      `| --- | --- | ---: | ${RUNS_OF[policy].map(() => '---').join(' | ')} |`,
    );
  }
  for (const [scenarioIndex, scenario] of scenarios().entries()) {
    const judges: Record<string, Partial<Record<Policy, Cell>>> = {};
    for (const policy of POLICIES) {
      for (const name of RUNS_OF[policy]) (judges[name] ??= {})[policy] = runCell(scenario, plan, steps, JUDGES[name]!, policy, scenarioIndex);
      const cells = RUNS_OF[policy].map((n) => cellText(judges[n]![policy]!, scenario.healthy, policy));
      tables[policy].push(`| ${(scenario.stableRate * 100).toFixed(1)}% | ${scenario.canary} | ${scenario.rpm} | ${cells.join(' | ')} |`);
    }
    output.push({ plan: plan.name, scenario, judges });
    process.stderr.write('.');
  }
  for (const policy of POLICIES) markdown.push(...tables[policy], '');
}
const guidance: Array<{ plan: string; scenario: Scenario; compare: Record<Policy, Cell> }> = [];
markdown.push('### Guidance check: plans sized for 100 req/min (compare only)', '', '| plan | canary | on-inconclusive: rollback | on-inconclusive: promote |', '| --- | --- | --- | --- |');
for (const [checkIndex, check] of GUIDANCE_CHECKS.entries()) {
  const steps = buildSteps(check.plan.config, check.plan.finalBakeMs);
  for (const [factorIndex, factor] of [1, 2].entries()) {
    for (const from of factor === 1 ? (['start'] as const) : (['start', 'middle'] as const)) {
      const scenario: Scenario = {
        stableRate: check.stableRate,
        canary: factor === 1 ? 'healthy' : `2× from ${from}`,
        canaryRate: check.stableRate * factor,
        regressionFromMs: from === 'start' ? 0 : 'middle',
        healthy: factor === 1,
        rpm: check.rpm,
      };
      const seedIndex = 1000 + checkIndex * 10 + factorIndex * 2 + (from === 'middle' ? 1 : 0);
      const compare = { rollback: runCell(scenario, check.plan, steps, JUDGES.compare!, 'rollback', seedIndex), promote: runCell(scenario, check.plan, steps, JUDGES.compare!, 'promote', seedIndex) };
      guidance.push({ plan: check.plan.name, scenario, compare });
      markdown.push(`| ${check.plan.name} | ${scenario.canary} | ${cellText(compare.rollback, scenario.healthy, 'rollback')} | ${cellText(compare.promote, scenario.healthy, 'promote')} |`);
      process.stderr.write('+');
    }
  }
}
markdown.push('');
process.stderr.write('\n');
const elapsedS = (Date.now() - startedAt) / 1000;

const meta = {
  command: `npx tsx bench/judge/run.ts --runs ${RUNS}`,
  date: new Date().toISOString(),
  machine: `${cpus().length} CPUs (${cpus()[0]?.model ?? 'unknown'}), ${Math.round(totalmem() / 2 ** 30)} GiB, ${process.platform}-${process.arch}`,
  loadAverage1mAtStartAndEnd: [LOAD_AT_START, loadavg()[0] ?? null],
  node: process.version,
  runsPerScenario: RUNS,
  elapsedSeconds: elapsedS,
  compareConfig: COMPARE,
  alarmErrorRate: ALARM_ERROR_RATE,
  pollMs: POLL_MS,
  metricDelayMs: METRIC_DELAY_MS,
  minInvocations: MIN_INVOCATIONS,
  policies: RUNS_OF,
};
mkdirSync(OUT_DIR, { recursive: true });
writeFileSync(join(OUT_DIR, 'results.json'), JSON.stringify({ meta, informationLimits: limits, results: output, guidanceChecks: guidance }, null, 2) + '\n');
process.stdout.write(`${JSON.stringify(meta, null, 2)}\n\n${markdown.join('\n')}\n`);
