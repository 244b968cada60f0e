/**
 * Benchmark of the canary judges: `npx tsx bench/judge/run.ts [--runs 1000] [--out bench/judge] [--only custom-rate]`.
 *
 * An in-process model of the simulator's traffic (test/sim/traffic.ts + behaviour.ts): Poisson
 * arrivals, each routed to the canary with the weight in force and failing with its version's
 * error probability. By Poisson thinning that is exactly Poisson(rate · w · Δt) canary and
 * Poisson(rate · (1 − w) · Δt) stable arrivals over any stretch of one weight, each with Binomial
 * errors, which is what is drawn (seeded mulberry32 from test/sim/random.ts), piece by piece
 * between minute boundaries, shifts and the start or end of a regression or spike, so that each
 * call lands in the minute it was served in. The first shift completes at a random whole second
 * of its minute (seeded), as in production; before it all traffic is stable's. Per-minute
 * datapoints are readable 60 s after their minute ends (CloudWatch's delay, metric-delay 1m), the
 * window starting at the first shift rounded down to its minute (as CloudWatch rounds it).
 *
 * The rollout follows src/rollout/loop.ts and timing.ts: steps from the real `buildSteps`, a poll
 * every 15 s from the first shift (start to start) plus one at each step's end and deadline, a
 * step's clock from `stepClockStartMs` (its shift for compare; for the threshold judge its first
 * whole minute when it could not otherwise read one), the threshold judge passing a step only on
 * its own whole minutes, fail → rollback at once, pass at or after the step's end → next step
 * (shifted at that poll), continue at the deadline → one extension of one step interval, then
 * inconclusive, the last step judged for one more period + delay, and the minutes in which a
 * shift completed passed to compare as `excludedMinutes`, as the loop does. Each judge runs
 * under both `on-inconclusive` policies, as the loop applies them: `rollback` (the default) ends
 * the run at the first inconclusive step; `promote` lets that step pass and shifts to the next,
 * whose verdicts still count (a later `fail` still rolls back). The alarm never answers
 * `continue`, so its two policies are the same runs and it is run once. Every judge and policy
 * sees the same seeds, so the same traffic until its runs diverge.
 *
 * Last in the scenario list, healthy canaries under a shared incident: both versions 5× as bad
 * for 2 minutes late in the plan, when the canary's weight is high. A test that conditions on
 * each minute's error total (compare) sees it cancel; a test pooled over the rollout (fixed)
 * sees the canary's pooled rate rise, and rolls a healthy release back.
 *
 * After the main grid, stress rows on their own seeds (stressScenarios): errors partly in runs of
 * consecutive failures, stable's Errors datapoint published 45 s after its Invocations (the
 * product leaves such a minute out until both are published), and a shared 5× spike starting at
 * the shift into the decisive step or the final bake (mid-minute); compare against the judge as
 * it was before (dispersion 1, the minutes of a shift compared) and the fixed-window test, with
 * Clopper–Pearson 95% intervals. Then a what-if table for the minutes of a shift on the default
 * plan. The model has no latencies: the latency rule is measured in test/unit/judge-compare.test.ts.
 *
 * Last, the custom rate metric (rollout.metrics compare, issue #15; `--only custom-rate` runs it
 * alone and merges its rows into results.json, `--no-custom-rate` leaves it out): a fallback rate
 * the model publishes in EMF, judged by the real MetricQuerySignal through an in-process
 * CloudWatch stub, beside the Lambda errors, with the EMF datapoints landing 0–90 s after
 * Lambda's own (runCustomRateSection).
 *
 * Before the simulations, an analytic table (`informationLimits`) gives per plan, traffic and
 * baseline the expected error counts per version and the power ANY level-α test could have on
 * that much data: the upper bound the simulated detection rates must be read against. Besides
 * the baseline known and estimated from all errors pooled, it gives the power with the baseline
 * estimated per minute (conditioning on each step's total): the limit for a test that must be
 * robust to shared incidents.
 */
import type { CloudWatchClient, GetMetricDataCommandInput } from '@aws-sdk/client-cloudwatch';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem, loadavg } from 'node:os';
import { join } from 'node:path';
import type { CompareJudgeConfig, MetricQueryConfig, PlanConfig, ThresholdJudgeConfig } from '../../src/config/types.js';
import { DEFAULT_COMPARE_JUDGE } from '../../src/config/defaults.js';
import type { StepEvidence, Verdict } from '../../src/rollout/judge.js';
import { judgeThreshold } from '../../src/rollout/judge.js';
import { countSumPmf } from '../../src/rollout/count-sum.js';
import { clopperPearson } from '../../test/support/clopper-pearson.js';
import { decisiveStepIndex, judgeCompare } from '../../src/rollout/judge-compare.js';
import type { RolloutStep } from '../../src/rollout/plan.js';
import { buildSteps } from '../../src/rollout/plan.js';
import { firstWholeMinuteMs, stepClockStartMs, stepJudgedMs } from '../../src/rollout/timing.js';
import type { VersionMetrics } from '../../src/targets/target.js';
import { SeededRandom } from '../../test/sim/random.js';
import type { MetricsTarget } from '../../src/signals/metrics.js';
import { MetricQuerySignal } from '../../src/signals/metrics.js';
import type { SignalPoll } from '../../src/signals/signal.js';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const POLL_MS = 15 * SECOND;
const METRIC_DELAY_MS = MINUTE;
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
/**
 * `--only custom-rate`: run the custom rate metric section alone (rollout.metrics compare) and
 * merge its rows into results.json under `customRateMetric`, leaving every other entry as it is.
 * `--no-custom-rate` leaves the section out of a full run.
 */
const ONLY = arg('only', '');
if (!['', 'custom-rate'].includes(ONLY)) throw new Error(`--only: unknown section '${ONLY}' (expected custom-rate)`);

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
  /**
   * A shared incident (a dependency outage): BOTH versions' error rates times `factor` for
   * `minutes` minutes from `fromFraction` of the plan's length after the first shift (rounded
   * down to a whole minute, as the middle is). Placed late, when the canary's weight is high,
   * it inflates the canary's rate pooled over the rollout, though the canary is not worse.
   */
  spike?: { factor: number; fromFraction: number; minutes: number };
  /** Stress rows: both versions' errors partly in runs of consecutive failures (errorsInRuns). */
  runs?: Runs;
  /**
   * Stress rows: the stable version's Errors datapoint of a minute is published this long after
   * its Invocations. The product counts a minute only once both are published (src/targets/
   * lambda.ts), so stable's newest minute is missing from the comparison for that long.
   */
  lateStableErrorsMs?: number;
  /** Stress rows: a shared spike (`factor`× in both versions for `minutes`) from the instant of the shift into this step. */
  spikeAtShift?: { into: 'final bake' | 'decisive step'; factor: number; minutes: number };
  /** The table the row belongs to: the main grid, or the stress rows. */
  stress?: true;
}

/** Errors partly in runs: `share` of them in runs of consecutive failures of mean length `length` (geometric, or exactly that long). */
interface Runs {
  label: string;
  share: number;
  length: number;
  geometric: boolean;
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

/** Both versions 5× as bad for 2 minutes at 70% of the plan: minutes 7–8 of the 10-minute linear plan (weights 0.8–0.9), 21–22 of the 30-minute steps plan (50%). */
const SHARED_SPIKE = { factor: 5, fromFraction: 0.7, minutes: 2 };

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
  // Appended after all the others: a scenario's seeds depend on its index, so the existing
  // scenarios keep theirs. A spike of 0% is 0%, hence no 0% baseline.
  for (const rpm of [10, 100, 1000]) {
    for (const stableRate of [0.001, 0.01, 0.05]) {
      list.push({ stableRate, canary: 'healthy, shared 5× spike', canaryRate: stableRate, regressionFromMs: 0, healthy: true, rpm, spike: SHARED_SPIKE });
    }
  }
  return list;
}

/** A quarter of the errors in runs of 2 (dispersion 1.25), and half in runs of mean length 5 (geometric; dispersion 5). */
const MILD_RUNS: Runs = { label: 'a quarter of errors in runs of 2', share: 0.25, length: 2, geometric: false };
const STRONG_RUNS: Runs = { label: 'half of errors in runs of mean length 5', share: 0.5, length: 5, geometric: true };
/** How late stable's Errors datapoint of a minute is published after its Invocations (stress rows). */
const LATE_ERRORS_MS = 45 * SECOND;

/**
 * The stress rows, run after the main grid on their own seeds: errors in runs, a late Errors
 * series, a shared spike that starts at a shift (mid-minute, since every first shift is at a
 * random second). Healthy unless the label says otherwise.
 */
function stressScenarios(): Scenario[] {
  const list: Scenario[] = [];
  for (const rpm of [100, 1000]) {
    for (const stableRate of [0.01, 0.05]) {
      for (const runs of [MILD_RUNS, STRONG_RUNS]) {
        list.push({ stableRate, canary: `healthy, ${runs.label}`, canaryRate: stableRate, regressionFromMs: 0, healthy: true, rpm, runs, stress: true });
      }
      list.push({ stableRate, canary: `2× from start, ${STRONG_RUNS.label}`, canaryRate: 2 * stableRate, regressionFromMs: 0, healthy: false, rpm, runs: STRONG_RUNS, stress: true });
      list.push({ stableRate, canary: "healthy, stable's Errors published 45 s after its Invocations", canaryRate: stableRate, regressionFromMs: 0, healthy: true, rpm, lateStableErrorsMs: LATE_ERRORS_MS, stress: true });
      list.push({ stableRate, canary: "2× from start, stable's Errors published 45 s late", canaryRate: 2 * stableRate, regressionFromMs: 0, healthy: false, rpm, lateStableErrorsMs: LATE_ERRORS_MS, stress: true });
    }
    for (const stableRate of [0.001, 0.01, 0.05]) {
      for (const into of ['decisive step', 'final bake'] as const) {
        list.push({ stableRate, canary: `healthy, shared 5× spike for 2 min from the shift into the ${into}`, canaryRate: stableRate, regressionFromMs: 0, healthy: true, rpm, spikeAtShift: { into, factor: 5, minutes: 2 }, stress: true });
      }
    }
  }
  return list;
}

/** The spike's [from, to) in ms after the first shift, for a plan whose steps last `planMs` in all. */
function spikeWindowMs(spike: NonNullable<Scenario['spike']>, planMs: number): { fromMs: number; toMs: number } {
  const fromMs = Math.floor((spike.fromFraction * planMs) / MINUTE) * MINUTE;
  return { fromMs, toMs: fromMs + spike.minutes * MINUTE };
}

/** The scenario's label in the tables; a spike shows the minutes it covers in this plan. */
function scenarioLabel(scenario: Scenario, planMs: number): string {
  if (scenario.spike === undefined) return scenario.canary;
  const { fromMs, toMs } = spikeWindowMs(scenario.spike, planMs);
  return `${scenario.canary}, min ${fromMs / MINUTE}–${toMs / MINUTE - 1}`;
}

/** Sum of the steps' planned durations (the last step's bake included). */
function planLengthMs(steps: RolloutStep[]): number {
  return steps.reduce((s, st) => s + st.durationMs, 0);
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

/**
 * Errors of `calls` calls failing at `rate` on average, `runs.share` of them in runs of
 * consecutive failures (a bad container, a poisoned cache): run starts at rate·share/length per
 * call, each run `length` long or geometric with that mean. Without runs, Binomial(calls, rate).
 */
function errorsInRuns(random: SeededRandom, calls: number, rate: number, runs: Runs | undefined): number {
  if (runs === undefined) return binomial(random, calls, rate);
  let errors = binomial(random, calls, rate * (1 - runs.share));
  const starts = binomial(random, calls, (rate * runs.share) / runs.length);
  for (let r = 0; r < starts; r++) {
    if (!runs.geometric) errors += runs.length;
    else for (errors++; !random.chance(1 / runs.length); ) errors++;
  }
  return Math.min(calls, errors);
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
  /** True at the decisive step's last look (the loop's `finalLook`: its extension's deadline). */
  finalLook: boolean;
  /** True at the decisive step's planned end: the fixed-sample test's one look. */
  decisiveEnd: boolean;
  /** Starts of the minutes in which the weight changed (the loop passes them to the compare judge). */
  excludedMinutes: ReadonlySet<number>;
  /** The threshold judge's own-step evidence (src/rollout/loop.ts, `stepEvidence`) and its window length. */
  step: StepEvidence;
  windowMs: number;
}

type Judge = (context: JudgeContext) => Verdict['verdict'];

const SEED_RULE: ThresholdJudgeConfig = { type: 'threshold', windowMs: 5 * MINUTE, maxErrors: 0 };
/** `--final-look-share X` runs compare with another split of α and β (the default is the product's). */
const COMPARE: CompareJudgeConfig = {
  ...DEFAULT_COMPARE_JUDGE,
  minEffect: { ...DEFAULT_COMPARE_JUDGE.minEffect },
  finalLookShare: Number(arg('final-look-share', String(DEFAULT_COMPARE_JUDGE.finalLookShare))),
};

/** Whether a compare judge is told the minutes in which the weight changed (the loop tells it; the judge before did not exist with it). */
type Straddling = 'excluded' | 'ignored';

function compareJudge(config: CompareJudgeConfig, straddling: Straddling = 'excluded'): Judge {
  return (c) =>
    judgeCompare({
      canary: c.canary,
      stable: c.stable,
      config,
      minInvocations: MIN_INVOCATIONS,
      requireEvidence: c.requireEvidence,
      finalLook: c.finalLook,
      ...(straddling === 'excluded' ? { excludedMinutes: c.excludedMinutes } : {}),
    }).verdict;
}

const JUDGES: Record<string, Judge> = {
  compare: compareJudge(COMPARE),
  seed: (c) => judgeThreshold({ canary: c.canaryWindow, stable: c.stableWindow, config: SEED_RULE, minInvocations: MIN_INVOCATIONS, windowMs: c.windowMs, step: c.step }).verdict,
  // CodeDeploy rolls back on an alarm; a CloudWatch alarm with 1 of 1 datapoints breaches on
  // any published minute above the threshold, and missing data does not breach.
  alarm: (c) => (c.canary.periods.some((p) => p.errors / p.invocations > ALARM_ERROR_RATE) ? 'fail' : 'pass'),
  // The fixed-window two-proportion z-test (pooled, one-sided, alpha 0.05) on all data since
  // the first shift, as a fixed-sample design: ONE look, at the decisive step's planned end
  // (the last step with stable traffic); earlier steps pass on their minimum invocations.
  fixed: (c) => {
    if (!c.stepEnd) return 'continue';
    if (c.requireEvidence && !c.decisiveEnd) return 'continue'; // its one look is spent: the extension ends inconclusive
    if (c.decisiveEnd && twoProportionZ(c.canary, c.stable) > Z_05) return 'fail';
    return c.canary.invocations >= MIN_INVOCATIONS ? 'pass' : 'continue';
  },
  // The same test as practised without a sequential design: at every step's end, no correction
  // for the repeated looks (so more than alpha of healthy releases are rolled back).
  'fixed-every-step': (c) => {
    if (!c.stepEnd) return 'continue';
    return twoProportionZ(c.canary, c.stable) > Z_05 ? 'fail' : c.canary.invocations >= MIN_INVOCATIONS ? 'pass' : 'continue';
  },
};

/**
 * Stress rows only: the compare judge as it was before `dispersion` and `excludedMinutes` (errors
 * assumed independent, the minutes of a shift compared like any other), for the before/after.
 */
const COMPARE_BEFORE = compareJudge({ ...COMPARE, dispersion: 1 }, 'ignored');

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
  /** Time of the decision from the first shift. */
  atMs: number;
  requests: number;
  /** Steps that ended inconclusive and passed anyway (on-inconclusive: promote). */
  inconclusiveSteps: number;
}

/** The loop's timing inputs (src/rollout/timing.ts) for the judge being run. */
function timingConfig(plan: Plan, judgeName: string) {
  // 'whole minutes': the threshold judge's schedule (a step counts from its first whole minute
  // when it could not otherwise read one), for the what-if table of compare on that schedule.
  return { metricDelayMs: METRIC_DELAY_MS, maxExtensionMs: plan.maxExtensionMs, judge: judgeName === 'seed' || judgeName === 'whole minutes' ? SEED_RULE : COMPARE };
}

/**
 * One rollout, in absolute time: minutes start at multiples of 60 s and the first shift completes
 * at a random whole second of its minute (seeded), as it does in production; traffic before it
 * goes to stable. Traffic is drawn piecewise between minute boundaries, shifts, and the start and
 * end of a regression or spike, so every count lands in the minute it was served in. The steps
 * follow src/rollout/loop.ts and timing.ts: a step's clock starts at `stepClockStartMs` (the
 * shift for compare; for the threshold judge the first whole minute when the step could not
 * otherwise read one before its deadline), the threshold judge passes a step only on its own whole
 * minutes (`stepEvidence`), polls run every 15 s start to start from the first shift plus one at
 * each step's end and deadline, the next step shifts at the poll that passed the step, and the
 * minutes in which a shift completed (more than SHIFT_TOLERANCE_MS after the minute began) are
 * passed to compare as excluded, as the loop will.
 */
function simulate(scenario: Scenario, steps: RolloutStep[], plan: Plan, judge: Judge, judgeName: string, policy: Policy, seed: number, middleMs: number, planMs: number): RunResult {
  const random = new SeededRandom(seed);
  const firstShiftAtMs = Math.floor(random.next() * 60) * SECOND;
  const buckets: Bucket[] = [];
  let simulatedToMs = 0;
  let weight = 0;
  let requests = 0;
  const badFromMs = firstShiftAtMs + (scenario.regressionFromMs === 'middle' ? middleMs : scenario.regressionFromMs);
  const staticSpike = scenario.spike === undefined ? null : spikeWindowMs(scenario.spike, planMs);
  let spike: { fromMs: number; toMs: number; factor: number } | null =
    staticSpike === null || scenario.spike === undefined ? null : { fromMs: firstShiftAtMs + staticSpike.fromMs, toMs: firstShiftAtMs + staticSpike.toMs, factor: scenario.spike.factor };
  const decisive = decisiveStepIndex(steps);
  const spikeStep = scenario.spikeAtShift === undefined ? -1 : scenario.spikeAtShift.into === 'final bake' ? steps.length - 1 : decisive;

  const advanceTo = (nowMs: number) => {
    while (simulatedToMs < nowMs) {
      const cuts = [nowMs, (Math.floor(simulatedToMs / MINUTE) + 1) * MINUTE, badFromMs, spike?.fromMs ?? Infinity, spike?.toMs ?? Infinity].filter((t) => t > simulatedToMs);
      const toMs = Math.min(...cuts);
      const mean = (scenario.rpm * (toMs - simulatedToMs)) / MINUTE;
      const canaryN = poisson(random, mean * weight);
      const stableN = poisson(random, mean * (1 - weight));
      const spikeFactor = spike !== null && simulatedToMs >= spike.fromMs && simulatedToMs < spike.toMs ? spike.factor : 1;
      const canaryRate = Math.min(1, (simulatedToMs >= badFromMs ? scenario.canaryRate : scenario.stableRate) * spikeFactor);
      const stableRate = Math.min(1, scenario.stableRate * spikeFactor);
      const bucket = (buckets[Math.floor(simulatedToMs / MINUTE)] ??= { canaryInvocations: 0, canaryErrors: 0, stableInvocations: 0, stableErrors: 0 });
      bucket.canaryInvocations += canaryN;
      bucket.canaryErrors += errorsInRuns(random, canaryN, canaryRate, scenario.runs);
      bucket.stableInvocations += stableN;
      bucket.stableErrors += errorsInRuns(random, stableN, stableRate, scenario.runs);
      if (simulatedToMs >= firstShiftAtMs) requests += canaryN + stableN;
      simulatedToMs = toMs;
    }
  };

  /** The minutes from `fromMs`'s minute (CloudWatch rounds a start time down) whose datapoints are readable at `nowMs`. */
  const metrics = (nowMs: number, fromMs: number, which: 'canary' | 'stable'): VersionMetrics => {
    const periods: VersionMetrics['periods'] = [];
    const lateMs = which === 'stable' ? (scenario.lateStableErrorsMs ?? 0) : 0;
    for (let minute = Math.floor(fromMs / MINUTE); (minute + 1) * MINUTE + METRIC_DELAY_MS + lateMs <= nowMs; minute++) {
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

  const timing = timingConfig(plan, judgeName);
  const excludedMinutes = new Set<number>();
  let inconclusiveSteps = 0;
  let shiftAtMs = firstShiftAtMs;
  let nextPollMs = firstShiftAtMs + POLL_MS;
  for (const [index, step] of steps.entries()) {
    advanceTo(shiftAtMs);
    weight = step.weight;
    // As the loop does: the minutes from the shift's up to the step's first whole minute hold two
    // weights' traffic (none when the shift completed within SHIFT_TOLERANCE_MS of a minute's start).
    const ownFromMs = firstWholeMinuteMs(shiftAtMs);
    for (let minuteMs = Math.floor(shiftAtMs / MINUTE) * MINUTE; minuteMs < ownFromMs; minuteMs += MINUTE) excludedMinutes.add(minuteMs);
    if (index === spikeStep && scenario.spikeAtShift !== undefined) {
      spike = { fromMs: shiftAtMs, toMs: shiftAtMs + scenario.spikeAtShift.minutes * MINUTE, factor: scenario.spikeAtShift.factor };
    }
    const judgedMs = stepJudgedMs(steps, index, timing);
    const stepEndsAtMs = stepClockStartMs(shiftAtMs, judgedMs, timing) + judgedMs;
    let deadlineMs = stepEndsAtMs;
    let extended = false;
    for (;;) {
      const nowMs = Math.min(nextPollMs, deadlineMs);
      nextPollMs = nowMs + POLL_MS;
      advanceTo(nowMs);
      const timeUp = nowMs >= stepEndsAtMs;
      const windowFrom = Math.max(nowMs - SEED_RULE.windowMs, firstShiftAtMs);
      const canaryWindow = metrics(nowMs, windowFrom, 'canary');
      let ownMinutes = 0;
      for (let startMs = ownFromMs; startMs + MINUTE + METRIC_DELAY_MS <= nowMs; startMs += MINUTE) if (startMs + MINUTE > windowFrom) ownMinutes++;
      const verdict = judge({
        canary: metrics(nowMs, firstShiftAtMs, 'canary'),
        stable: metrics(nowMs, firstShiftAtMs, 'stable'),
        canaryWindow,
        stableWindow: metrics(nowMs, windowFrom, 'stable'),
        requireEvidence: index === decisive,
        stepEnd: timeUp,
        finalLook: index === decisive && nowMs >= deadlineMs && (extended || plan.maxExtensionMs <= 0),
        decisiveEnd: index === decisive && timeUp && !extended,
        excludedMinutes,
        step: { step: index + 1, invocations: canaryWindow.periods.filter((p) => p.startMs >= ownFromMs).reduce((sum, p) => sum + p.invocations, 0), minutes: ownMinutes },
        windowMs: nowMs - windowFrom,
      });
      if (verdict === 'fail') return { outcome: 'fail', atMs: nowMs - firstShiftAtMs, requests, inconclusiveSteps };
      if (verdict === 'pass' && timeUp) break;
      if (verdict === 'continue' && nowMs >= deadlineMs) {
        if (!extended && plan.maxExtensionMs > 0) {
          extended = true;
          deadlineMs = stepEndsAtMs + plan.maxExtensionMs;
          continue;
        }
        if (policy === 'rollback') return { outcome: 'inconclusive', atMs: nowMs - firstShiftAtMs, requests, inconclusiveSteps };
        inconclusiveSteps++; // on-inconclusive: promote — the step passes, the next one is still judged
        break;
      }
    }
    shiftAtMs = nextPollMs - POLL_MS; // the shift happens at the poll that passed the step
  }
  return { outcome: 'promoted', atMs: shiftAtMs - firstShiftAtMs, requests, inconclusiveSteps };
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

/** Draws of the step totals the stratified power is averaged over, and their fixed seed (a reproducible table). */
const STRATIFIED_DRAWS = 200;
const STRATIFIED_SEED = 20_251;

/**
 * Given step totals t_s, the canary's errors are x_s ~ Binomial(t_s, w_s) healthy and
 * Binomial(t_s, θ_s) with θ_s its share of the step's expected errors if regressed. The odds
 * ratio θ_s/(1 − θ_s) ÷ w_s/(1 − w_s) is the same in every step (ρ), so X = Σ x_s is sufficient
 * and its likelihood ratio monotone: `monotonePower` on the pmfs of the two binomial sums is the
 * best level-α test given the totals. The totals are Poisson under the alternative, as for
 * `conditionalPower`, and the power is averaged over seeded draws of them.
 */
function stratifiedPower(byStep: Exposure['byStep'], rpm: number, stableRate: number, canaryRate: number): number {
  const strata = byStep
    .map(({ weight: w, minutes }) => {
      const canaryShare = w * canaryRate;
      const expected = canaryShare + (1 - w) * stableRate;
      return { w, mean: rpm * minutes * expected, theta: expected > 0 ? canaryShare / expected : 0 };
    })
    .filter((s) => s.mean > 0); // no errors expected in either version: the step carries nothing
  const random = new SeededRandom(STRATIFIED_SEED);
  let sum = 0;
  for (let draw = 0; draw < STRATIFIED_DRAWS; draw++) {
    const totals = strata.map((s) => poisson(random, s.mean));
    const pmf0 = countSumPmf(strata.map((s, i) => ({ kind: 'binomial', n: totals[i]!, p: s.w })));
    const pmf1 = countSumPmf(strata.map((s, i) => ({ kind: 'binomial', n: totals[i]!, p: s.theta })));
    sum += monotonePower((k) => pmf0[k] ?? 0, (k) => pmf1[k] ?? 0, pmf0.length - 1);
  }
  return sum / STRATIFIED_DRAWS;
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
  /**
   * Power of the best test that conditions on each step's error total, as a test robust to shared
   * incidents must (a spike in both versions then cancels out; within a step the weight is fixed,
   * so per minute and per step carry the same information). Averaged over STRATIFIED_DRAWS seeded
   * draws of the step totals under the 2× alternative (Monte Carlo error about a point). Neither
   * this nor `conditionalPower` bounds the other: pooling also compares across steps of different
   * weights (sound only with no incident), stratifying knows in which step each error fell.
   */
  stratifiedPower: number;
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
          stratifiedPower: stratifiedPower(ex.byStep, rpm, stableRate, canaryRate),
          healthyDriftNats,
          regressedDriftNats,
        });
      }
    }
  }
  return rows;
}

/** The sequential bounds at an ordinary poll, in nats: pass side ln(β(1 − s)), fail side ln(1/(α(1 − s))) + ln 2 (the mixture's start weight). */
const PROMOTE_AT_NATS = Math.log(COMPARE.beta * (1 - COMPARE.finalLookShare));
const FAIL_AT_NATS = -Math.log(COMPARE.alpha * (1 - COMPARE.finalLookShare)) + Math.log(2);

function limitsMarkdown(rows: LimitRow[]): string[] {
  const out: string[] = [];
  const fmt = (x: number) => (x >= 100 ? Math.round(x).toLocaleString('en-US') : x >= 10 ? x.toFixed(0) : x >= 1 ? x.toFixed(1) : x.toFixed(2));
  for (const plan of PLANS) {
    out.push(`#### ${plan.name}`, '');
    out.push(
      `| req/min | stable | 2× canary | canary calls | stable calls | canary errors healthy / 2× | stable errors | power, baseline known | power, baseline estimated | power, baseline estimated per minute | E[ln LR] healthy (promote ≤ ${PROMOTE_AT_NATS.toFixed(1)}) | E[ln LR] 2× (fail ≥ ${FAIL_AT_NATS.toFixed(1)}) |`,
      '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    );
    for (const r of rows.filter((x) => x.plan === plan.name)) {
      // The drift is for ρ = 2; below stable = absolute / (ratio − 1) the judge tests a larger ρ (min-effect absolute).
      const ratioRoute = r.stableRate * (COMPARE.minEffect.ratio - 1) >= COMPARE.minEffect.absolute;
      out.push(
        `| ${r.rpm} | ${(r.stableRate * 100).toFixed(1)}% | ${(r.canaryRate * 100).toFixed(1)}% | ${fmt(r.canaryCalls)} | ${fmt(r.stableCalls)} | ${fmt(r.canaryErrorsHealthy)} / ${fmt(r.canaryErrorsRegressed)} | ${fmt(r.stableErrors)} | ${(100 * r.oraclePower).toFixed(0)}% | ${(100 * r.conditionalPower).toFixed(0)}% | ${(100 * r.stratifiedPower).toFixed(0)}% | ${ratioRoute ? r.healthyDriftNats.toFixed(1) : 'n/a'} | ${ratioRoute ? r.regressedDriftNats.toFixed(1) : 'n/a'} |`,
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

/** `judgeName` picks the loop's step timing (the seed rule is a threshold judge) and, with no `judge`, the judge itself. */
function runCell(scenario: Scenario, plan: Plan, steps: RolloutStep[], judgeName: string, policy: Policy, scenarioIndex: number, judge: Judge = JUDGES[judgeName]!): Cell {
  const planMs = planLengthMs(steps);
  const results: RunResult[] = [];
  for (let run = 0; run < RUNS; run++) {
    results.push(simulate(scenario, steps, plan, judge, judgeName, policy, 1 + run * 7919 + scenarioIndex * 104_729, Math.floor(planMs / 2 / MINUTE) * MINUTE, planMs));
  }
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

// ---- custom rate metric (rollout.metrics compare) -------------------------------------

/**
 * Issue #15: a custom rate metric judged by `rollout.metrics` (src/signals/metrics.ts) beside
 * the Lambda errors. The model prints `FallbackAnswers` 0/1 on every call in Embedded Metric
 * Format with a `ModelVersion` dimension (docs/rollout.md, "Custom metrics"), and the query
 * `{ stat: Sum, judge: { compare: { calls: invocations } } }` judges it as a rate, canary vs
 * stable. The REAL `MetricQuerySignal` reads it, through an in-process CloudWatch stub whose
 * `send()` answers GetMetricData from this model's minutes and a stub target whose
 * `readMetrics` gives the version's Lambda minutes: the published-minute rule (a minute counts
 * once the events and calls of both versions are published), the cap of events at calls and
 * `judgeCompare` are the product's own code, not a re-implementation.
 *
 * Traffic as in `simulate` (Poisson calls per piece between minute boundaries and shifts), each
 * call failing in Lambda with CUSTOM_LAMBDA_ERROR_RATE in both versions (the canary is healthy
 * by the target's own metrics) and, independently, answering with a fallback at its version's
 * event rate (the canary's `factor` times stable's from the first shift). A minute's
 * Invocations and Errors are readable 60 s after it ends (metric-delay 1m); its FallbackAnswers
 * datapoint of each version `emfDelayMaxMs · U(0, 1)` later (seeded, per minute and version,
 * from a stream of its own so that every variant of a row sees the same traffic until its
 * decisions differ): EMF metrics are extracted from the log stream and often land after
 * Lambda's own. The step's verdict is what the loop combines (src/rollout/loop.ts `observe`,
 * `withSignalNotes`): the signal's `fail` fails the step, else the Lambda judge's verdict, a
 * signal's `continue` keeping a passing step from passing. Steps, polls, extensions, the final
 * look and `excludedMinutes` as in `simulate` for the compare judge.
 */
const CUSTOM_LAMBDA_ERROR_RATE = 0.001;
/** The FallbackAnswers datapoint of a minute is readable up to this long after its Invocations (uniform, per version). */
const EMF_DELAY_MAX_MS = 90 * SECOND;
const FALLBACK_QUERY: MetricQueryConfig = {
  name: 'fallback-share',
  namespace: 'ChurnModel',
  metric: 'FallbackAnswers',
  dimensions: { ModelVersion: '{version}' },
  stat: 'Sum',
  judge: { type: 'compare', calls: 'invocations' },
};
const CANARY_VERSION = '2';
const STABLE_VERSION = '1';

interface CustomRateScenario {
  /** Stable's share of calls answered with a fallback. */
  stableEventRate: number;
  /** The canary's event rate is this times stable's, from the first shift. */
  factor: number;
  rpm: number;
  canary: string;
  healthy: boolean;
}

function customRateScenarios(): CustomRateScenario[] {
  const list: CustomRateScenario[] = [];
  for (const rpm of [100, 1000]) {
    for (const stableEventRate of [0.01, 0.05]) {
      for (const factor of [1, 2, 5]) list.push({ stableEventRate, factor, rpm, canary: factor === 1 ? 'healthy (same rate)' : `${factor}× from start`, healthy: factor === 1 });
    }
  }
  return list;
}

interface CustomRateVariant {
  name: string;
  /** Whether rollout.metrics holds the fallback query (else the Lambda errors alone). */
  metric: boolean;
  emfDelayMaxMs: number;
}

const CUSTOM_RATE_VARIANTS: CustomRateVariant[] = [
  { name: 'errors + fallback rate, EMF 0–90 s after Invocations', metric: true, emfDelayMaxMs: EMF_DELAY_MAX_MS },
  { name: 'errors + fallback rate, EMF with Invocations', metric: true, emfDelayMaxMs: 0 },
  { name: 'errors only (no rollout.metrics)', metric: false, emfDelayMaxMs: 0 },
];

/** Which of the two said `fail` (or, at an inconclusive deadline, `continue`). */
type Blame = 'errors' | 'metric' | 'both';
type Side = 'canary' | 'stable';

interface CustomRunResult extends RunResult {
  /** Of a `fail`: which judge failed at that poll (both are evaluated, though the loop asks the judge only when the signal did not fail). */
  failBy: Blame | null;
  /** Of the first step that ended inconclusive: which one still said `continue` at its deadline. */
  inconclusiveBy: Blame | null;
}

interface CustomCell extends Cell {
  failBy: Record<Blame, number>;
  inconclusiveBy: Record<Blame, number>;
  /** Median minutes from the first shift to the rollback write, over the runs rolled back (null: none). */
  medianMinutesToRollback: number | null;
}

/** The GetMetricData input the stub answers (what `getMetricSeries` sends). */
interface StubCommand {
  input: GetMetricDataCommandInput;
}

/** One rollout with the fallback query (or without it), as the loop runs it; see the section comment. */
async function simulateCustomRate(scenario: CustomRateScenario, steps: RolloutStep[], plan: Plan, variant: CustomRateVariant, policy: Policy, seed: number): Promise<CustomRunResult> {
  const random = new SeededRandom(seed);
  const delayRandom = new SeededRandom((seed ^ 0x5bd1e995) >>> 0);
  const firstShiftAtMs = Math.floor(random.next() * 60) * SECOND;
  const eventRate: Record<Side, number> = { canary: scenario.stableEventRate * scenario.factor, stable: scenario.stableEventRate };
  const buckets: Array<Record<Side, { calls: number; errors: number; events: number }>> = [];
  const delays: Array<Record<Side, number>> = [];
  let simulatedToMs = 0;
  let weight = 0;
  let requests = 0;
  let now = 0;

  const advanceTo = (nowMs: number) => {
    while (simulatedToMs < nowMs) {
      const toMs = Math.min(nowMs, (Math.floor(simulatedToMs / MINUTE) + 1) * MINUTE);
      const mean = (scenario.rpm * (toMs - simulatedToMs)) / MINUTE;
      const bucket = (buckets[Math.floor(simulatedToMs / MINUTE)] ??= { canary: { calls: 0, errors: 0, events: 0 }, stable: { calls: 0, errors: 0, events: 0 } });
      const canaryN = poisson(random, mean * weight);
      const stableN = poisson(random, mean * (1 - weight));
      for (const [side, n] of [['canary', canaryN], ['stable', stableN]] as const) {
        bucket[side].calls += n;
        bucket[side].errors += binomial(random, n, CUSTOM_LAMBDA_ERROR_RATE);
        bucket[side].events += binomial(random, n, eventRate[side]);
      }
      if (simulatedToMs >= firstShiftAtMs) requests += canaryN + stableN;
      simulatedToMs = toMs;
    }
  };
  /** Minute `minute`'s Invocations and Errors: readable 60 s after it ends. */
  const callsReadableAtMs = (minute: number) => (minute + 1) * MINUTE + METRIC_DELAY_MS;
  /** Its FallbackAnswers datapoint of `side`: the EMF delay later, drawn in minute order from the delay stream. */
  const eventsReadableAtMs = (minute: number, side: Side) => {
    while (delays.length <= minute) delays.push({ canary: delayRandom.next() * variant.emfDelayMaxMs, stable: delayRandom.next() * variant.emfDelayMaxMs });
    return callsReadableAtMs(minute) + delays[minute]![side];
  };
  /** The Lambda metrics of `side` from `fromMs`'s minute (CloudWatch rounds a start down) to `endMs`, readable now: a minute without calls has no datapoint. */
  const lambdaMetrics = (fromMs: number, side: Side, version: string, endMs = now): VersionMetrics => {
    const periods: VersionMetrics['periods'] = [];
    for (let minute = Math.floor(fromMs / MINUTE); minute * MINUTE < endMs && callsReadableAtMs(minute) <= now; minute++) {
      const b = buckets[minute]?.[side];
      if (b === undefined || b.calls === 0) continue;
      periods.push({ startMs: minute * MINUTE, invocations: b.calls, errors: b.errors, throttles: 0, p99Ms: null });
    }
    return { version, invocations: periods.reduce((s, p) => s + p.invocations, 0), errors: periods.reduce((s, p) => s + p.errors, 0), throttles: 0, p99Ms: null, periods };
  };
  const sideOf = (version: string | undefined): Side => {
    if (version === CANARY_VERSION) return 'canary';
    if (version === STABLE_VERSION) return 'stable';
    throw new Error(`custom-rate stub: unknown version ${String(version)}`);
  };
  // The target: the version's own Lambda minutes, and its dimension values.
  const target: MetricsTarget = {
    readMetrics: (version, window) => Promise.resolve(lambdaMetrics(window.startMs, sideOf(version), version, window.endMs)),
    metricDimensions: (version) => Promise.resolve({ version, alias: 'live', function: 'churn-model' }),
  };
  // CloudWatch: GetMetricData of FallbackAnswers Sum per ModelVersion, a minute's datapoint only
  // once it is published, none for a minute without calls (EMF prints on every call, so a minute
  // with calls has one). Anything else the product might ask is refused, loudly.
  const answer = (input: GetMetricDataCommandInput) => {
    if (input.StartTime === undefined || input.EndTime === undefined) throw new Error('custom-rate stub: GetMetricData without StartTime/EndTime');
    const fromMinute = Math.floor(new Date(input.StartTime).getTime() / MINUTE);
    const endMs = new Date(input.EndTime).getTime();
    return {
      MetricDataResults: (input.MetricDataQueries ?? []).map((q) => {
        const stat = q.MetricStat;
        if (stat?.Metric?.Namespace !== FALLBACK_QUERY.namespace || stat.Metric.MetricName !== FALLBACK_QUERY.metric || stat.Stat !== 'Sum' || stat.Period !== 60) {
          throw new Error(`custom-rate stub: unexpected query ${JSON.stringify(q)}`);
        }
        const side = sideOf(stat.Metric.Dimensions?.find((d) => d.Name === 'ModelVersion')?.Value);
        const timestamps: Date[] = [];
        const values: number[] = [];
        for (let minute = fromMinute; minute * MINUTE < endMs; minute++) {
          const b = buckets[minute]?.[side];
          if (b === undefined || b.calls === 0 || eventsReadableAtMs(minute, side) > now) continue;
          timestamps.push(new Date(minute * MINUTE));
          values.push(b.events);
        }
        return { Id: q.Id, Timestamps: timestamps, Values: values, StatusCode: 'Complete' };
      }),
    };
  };
  const cloudwatch = { send: (command: StubCommand) => Promise.resolve(answer(command.input)) } as unknown as CloudWatchClient;
  const signal = variant.metric ? new MetricQuerySignal(cloudwatch, target, [FALLBACK_QUERY], COMPARE) : null;

  const timing = timingConfig(plan, 'compare');
  const decisive = decisiveStepIndex(steps);
  const excludedMinutes = new Set<number>();
  let inconclusiveSteps = 0;
  let inconclusiveBy: Blame | null = null;
  let shiftAtMs = firstShiftAtMs;
  let nextPollMs = firstShiftAtMs + POLL_MS;
  const result = (outcome: RunResult['outcome'], atMs: number, failBy: Blame | null): CustomRunResult => ({ outcome, atMs: atMs - firstShiftAtMs, requests, inconclusiveSteps, failBy, inconclusiveBy });
  for (const [index, step] of steps.entries()) {
    now = shiftAtMs;
    advanceTo(shiftAtMs);
    weight = step.weight;
    const ownFromMs = firstWholeMinuteMs(shiftAtMs);
    for (let minuteMs = Math.floor(shiftAtMs / MINUTE) * MINUTE; minuteMs < ownFromMs; minuteMs += MINUTE) excludedMinutes.add(minuteMs);
    const judgedMs = stepJudgedMs(steps, index, timing);
    const stepEndsAtMs = stepClockStartMs(shiftAtMs, judgedMs, timing) + judgedMs;
    let deadlineMs = stepEndsAtMs;
    let extended = false;
    for (;;) {
      const nowMs = Math.min(nextPollMs, deadlineMs);
      nextPollMs = nowMs + POLL_MS;
      advanceTo(nowMs);
      now = nowMs;
      const timeUp = nowMs >= stepEndsAtMs;
      const requireEvidence = index === decisive;
      const finalLook = index === decisive && nowMs >= deadlineMs && (extended || plan.maxExtensionMs <= 0);
      const errors = judgeCompare({
        canary: lambdaMetrics(firstShiftAtMs, 'canary', CANARY_VERSION),
        stable: lambdaMetrics(firstShiftAtMs, 'stable', STABLE_VERSION),
        config: COMPARE,
        minInvocations: MIN_INVOCATIONS,
        requireEvidence,
        finalLook,
        excludedMinutes,
      }).verdict;
      const poll: SignalPoll = {
        candidateVersion: CANARY_VERSION,
        stableVersion: STABLE_VERSION,
        window: { startMs: firstShiftAtMs, endMs: nowMs },
        stepOwnFromMs: ownFromMs,
        firstShiftAtMs,
        excludedMinutes,
        requireEvidence,
        finalLook,
        minInvocations: MIN_INVOCATIONS,
      };
      const metric = signal === null ? 'pass' : (await signal.check(undefined, poll)).verdict;
      const blame = (v: Verdict['verdict']): Blame | null => (errors === v && metric === v ? 'both' : errors === v ? 'errors' : metric === v ? 'metric' : null);
      // As the loop combines them: a failing signal fails the step; else the judge's verdict, a signal's continue holding a pass.
      const verdict: Verdict['verdict'] = metric === 'fail' || errors === 'fail' ? 'fail' : errors === 'continue' || metric === 'continue' ? 'continue' : 'pass';
      if (verdict === 'fail') return result('fail', nowMs, blame('fail'));
      if (verdict === 'pass' && timeUp) break;
      if (verdict === 'continue' && nowMs >= deadlineMs) {
        if (!extended && plan.maxExtensionMs > 0) {
          extended = true;
          deadlineMs = stepEndsAtMs + plan.maxExtensionMs;
          continue;
        }
        inconclusiveBy ??= blame('continue');
        if (policy === 'rollback') return result('inconclusive', nowMs, null);
        inconclusiveSteps++;
        break;
      }
    }
    shiftAtMs = nextPollMs - POLL_MS;
  }
  return result('promoted', shiftAtMs, null);
}

async function runCustomRateCell(scenario: CustomRateScenario, plan: Plan, steps: RolloutStep[], variant: CustomRateVariant, policy: Policy, scenarioIndex: number): Promise<CustomCell> {
  const results: CustomRunResult[] = [];
  for (let run = 0; run < RUNS; run++) results.push(await simulateCustomRate(scenario, steps, plan, variant, policy, 1 + run * 7919 + scenarioIndex * 104_729));
  const count = (key: 'failBy' | 'inconclusiveBy') => ({
    errors: results.filter((r) => r[key] === 'errors').length,
    metric: results.filter((r) => r[key] === 'metric').length,
    both: results.filter((r) => r[key] === 'both').length,
  });
  const back = results.filter((r) => r.outcome !== 'promoted');
  return {
    runs: RUNS,
    promoted: results.filter((r) => r.outcome === 'promoted').length,
    promotedWithInconclusiveStep: results.filter((r) => r.outcome === 'promoted' && r.inconclusiveSteps > 0).length,
    fail: results.filter((r) => r.outcome === 'fail').length,
    inconclusive: results.filter((r) => r.outcome === 'inconclusive').length,
    medianRequests: median(results.map((r) => r.requests)),
    medianMinutes: median(results.map((r) => r.atMs / MINUTE)),
    failBy: count('failBy'),
    inconclusiveBy: count('inconclusiveBy'),
    medianMinutesToRollback: back.length > 0 ? median(back.map((r) => r.atMs / MINUTE)) : null,
  };
}

interface CustomRateRow {
  plan: string;
  scenario: CustomRateScenario;
  variants: Record<string, Partial<Record<Policy, CustomCell>>>;
}

/**
 * The section: both plans, both policies, every variant of every scenario on the same seeds
 * (5000 + the scenario's index), 1000 runs per cell. Cells as the stress rows: the rolled-back
 * share (split fail / inc. under `rollback`), median requests and minutes, the Clopper–Pearson
 * interval; then, when any run failed, how many runs each judge failed (the Lambda errors, the
 * metric, both at the same poll).
 */
async function runCustomRateSection(): Promise<{ markdown: string[]; rows: CustomRateRow[] }> {
  const markdown: string[] = ['## Custom rate metric (rollout.metrics compare)', ''];
  const rows: CustomRateRow[] = [];
  const scenarios = customRateScenarios();
  for (const plan of PLANS) {
    const steps = buildSteps(plan.config, plan.finalBakeMs);
    for (const policy of POLICIES) {
      markdown.push(
        `### Custom rate: ${plan.name} — on-inconclusive: ${policy}`,
        '',
        `| Lambda errors | fallbacks, stable | fallbacks, canary | req/min | ${CUSTOM_RATE_VARIANTS.map((v) => v.name).join(' | ')} |`,
        `| ---: | ---: | --- | ---: | ${CUSTOM_RATE_VARIANTS.map(() => '---').join(' | ')} |`,
      );
      for (const [index, scenario] of scenarios.entries()) {
        let row = rows.find((r) => r.plan === plan.name && r.scenario === scenario);
        if (row === undefined) rows.push((row = { plan: plan.name, scenario, variants: {} }));
        const cells: string[] = [];
        for (const variant of CUSTOM_RATE_VARIANTS) {
          const cell = await runCustomRateCell(scenario, plan, steps, variant, policy, 5000 + index);
          (row.variants[variant.name] ??= {})[policy] = cell;
          const bounds = clopperPearson(cell.fail + cell.inconclusive, cell.runs);
          const blame = cell.fail > 0 ? ` · failed by errors ${cell.failBy.errors}, metric ${cell.failBy.metric}, both ${cell.failBy.both} runs` : '';
          cells.push(`${cellText(cell, scenario.healthy, policy)} · [${(100 * bounds.lower).toFixed(1)}–${(100 * bounds.upper).toFixed(1)}%]${blame}`);
        }
        markdown.push(`| ${(CUSTOM_LAMBDA_ERROR_RATE * 100).toFixed(1)}% | ${(scenario.stableEventRate * 100).toFixed(1)}% | ${scenario.canary} | ${scenario.rpm} | ${cells.join(' | ')} |`);
        process.stderr.write('*');
      }
      markdown.push('');
    }
  }
  return { markdown, rows };
}

/** What results.json records of the section, beside its rows. */
function customRateMeta(command: string, startedAtMs: number, loadAtStart: number | null) {
  return {
    command,
    date: new Date().toISOString(),
    machine: `${cpus().length} CPUs (${cpus()[0]?.model ?? 'unknown'}), ${Math.round(totalmem() / 2 ** 30)} GiB, ${process.platform}-${process.arch}`,
    loadAverage1mAtStartAndEnd: [loadAtStart, loadavg()[0] ?? null],
    node: process.version,
    runsPerScenario: RUNS,
    elapsedSeconds: (Date.now() - startedAtMs) / 1000,
    compareConfig: COMPARE,
    lambdaErrorRate: CUSTOM_LAMBDA_ERROR_RATE,
    emfDelayMaxMs: EMF_DELAY_MAX_MS,
    query: FALLBACK_QUERY,
    variants: CUSTOM_RATE_VARIANTS,
    pollMs: POLL_MS,
    metricDelayMs: METRIC_DELAY_MS,
    minInvocations: MIN_INVOCATIONS,
  };
}

/** Which judges run under which policy: the alarm never says `continue`, so one policy covers both. */
const JUDGE_NAMES = args.includes('--judges') ? arg('judges', '').split(',') : Object.keys(JUDGES);
for (const name of JUDGE_NAMES) if (JUDGES[name] === undefined) throw new Error(`--judges: unknown judge '${name}' (expected some of ${Object.keys(JUDGES).join(', ')})`);
const RUNS_OF: Record<Policy, string[]> = {
  rollback: JUDGE_NAMES,
  promote: JUDGE_NAMES.filter((name) => name !== 'alarm'),
};

if (ONLY === 'custom-rate') {
  const started = Date.now();
  const section = await runCustomRateSection();
  process.stderr.write('\n');
  const meta = customRateMeta(`npx tsx bench/judge/run.ts --only custom-rate --runs ${RUNS}`, started, LOAD_AT_START);
  // Only this section is rerun: the other entries of results.json stay as they were committed.
  const path = join(OUT_DIR, 'results.json');
  const existing = existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>) : {};
  mkdirSync(OUT_DIR, { recursive: true });
  writeFileSync(path, JSON.stringify({ ...existing, customRateMetric: { meta, rows: section.rows } }, null, 2) + '\n');
  process.stdout.write(`${JSON.stringify(meta, null, 2)}\n\n${section.markdown.join('\n')}\n`);
  process.exit(0);
}

const startedAt = Date.now();
const limits = informationLimits();
const output: Array<{ plan: string; scenario: Scenario; judges: Record<string, Partial<Record<Policy, Cell>>> }> = [];
const markdown: string[] = ['## Information limits (analytic, 2× regressions from the start)', '', ...limitsMarkdown(limits)];
if (LIMITS_ONLY) {
  process.stdout.write(`${markdown.join('\n')}\n`);
  process.exit(0);
}
const STRESS_ONLY = args.includes('--stress-only');
for (const plan of args.includes('--guidance-only') || STRESS_ONLY ? [] : PLANS) {
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
      for (const name of RUNS_OF[policy]) (judges[name] ??= {})[policy] = runCell(scenario, plan, steps, name, policy, scenarioIndex);
      const cells = RUNS_OF[policy].map((n) => cellText(judges[n]![policy]!, scenario.healthy, policy));
      tables[policy].push(`| ${(scenario.stableRate * 100).toFixed(1)}% | ${scenarioLabel(scenario, planLengthMs(steps))} | ${scenario.rpm} | ${cells.join(' | ')} |`);
    }
    output.push({ plan: plan.name, scenario, judges });
    process.stderr.write('.');
  }
  for (const policy of POLICIES) markdown.push(...tables[policy], '');
}
const guidance: Array<{ plan: string; scenario: Scenario; compare: Record<Policy, Cell> }> = [];
markdown.push('### Guidance check: plans sized for 100 req/min (compare only)', '', '| plan | canary | on-inconclusive: rollback | on-inconclusive: promote |', '| --- | --- | --- | --- |');
for (const [checkIndex, check] of (STRESS_ONLY ? [] : GUIDANCE_CHECKS).entries()) {
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
      const compare = { rollback: runCell(scenario, check.plan, steps, 'compare', 'rollback', seedIndex), promote: runCell(scenario, check.plan, steps, 'compare', 'promote', seedIndex) };
      guidance.push({ plan: check.plan.name, scenario, compare });
      markdown.push(`| ${check.plan.name} | ${scenario.canary} | ${cellText(compare.rollback, scenario.healthy, 'rollback')} | ${cellText(compare.promote, scenario.healthy, 'promote')} |`);
      process.stderr.write('+');
    }
  }
}
markdown.push('');

// How the split of α and β between the looks at every poll and the final look trades speed for
// power, on the default plan (where the final look matters most). Under `promote`, so every
// rollback is a failing verdict: healthy rows are false rollbacks, the others detections.
const SHARES = [0, 0.5, 0.8];
const sweep: Array<{ scenario: Scenario; byShare: Record<string, Cell> }> = [];
if (!args.includes('--guidance-only') && !STRESS_ONLY) {
  const plan = PLANS[0]!;
  const steps = buildSteps(plan.config, plan.finalBakeMs);
  markdown.push(
    `### final-look-share sweep: ${plan.name}, compare, on-inconclusive: promote`,
    '',
    `| stable | canary | req/min | ${SHARES.map((share) => `share ${share}`).join(' | ')} |`,
    `| --- | --- | ---: | ${SHARES.map(() => '---').join(' | ')} |`,
  );
  for (const rpm of [100, 1000]) {
    for (const stableRate of [0.01, 0.05]) {
      for (const [variant, canary] of (['healthy', '2× from start', '2× from middle'] as const).entries()) {
        const scenario: Scenario = {
          stableRate,
          canary,
          canaryRate: variant === 0 ? stableRate : 2 * stableRate,
          regressionFromMs: variant === 2 ? 'middle' : 0,
          healthy: variant === 0,
          rpm,
        };
        const seedIndex = 2000 + rpm + stableRate * 1000 + variant;
        const byShare: Record<string, Cell> = {};
        for (const share of SHARES) byShare[String(share)] = runCell(scenario, plan, steps, 'compare', 'promote', seedIndex, compareJudge({ ...COMPARE, finalLookShare: share }));
        sweep.push({ scenario, byShare });
        const cells = SHARES.map((share) => cellText(byShare[String(share)]!, scenario.healthy, 'promote'));
        markdown.push(`| ${(stableRate * 100).toFixed(1)}% | ${canary} | ${rpm} | ${cells.join(' | ')} |`);
        process.stderr.write('~');
      }
    }
  }
  markdown.push('');
}
// Stress rows (own seeds): errors in runs, a late Errors series, a shared spike starting at a
// shift. compare against the judge as it was before (`compare before`: dispersion 1, the
// minutes of a shift compared) and the fixed-window test, both policies. Every cell gives the
// rolled-back share with its two-sided 95% Clopper–Pearson interval.
const STRESS_JUDGES: Array<{ name: string; timing: string; judge: Judge }> = [
  { name: 'compare', timing: 'compare', judge: JUDGES.compare! },
  { name: 'compare before', timing: 'compare', judge: COMPARE_BEFORE },
  { name: 'compare, shift minutes kept', timing: 'compare', judge: compareJudge(COMPARE, 'ignored') },
  { name: 'fixed', timing: 'fixed', judge: JUDGES.fixed! },
];
const stress: Array<{ plan: string; scenario: Scenario; judges: Record<string, Partial<Record<Policy, Cell>>> }> = [];
if (!args.includes('--guidance-only') && !args.includes('--no-stress')) {
  markdown.push('## Stress rows', '');
  const scenarios = stressScenarios();
  for (const plan of PLANS) {
    const steps = buildSteps(plan.config, plan.finalBakeMs);
    for (const policy of POLICIES) {
      markdown.push(
        `### Stress: ${plan.name} — on-inconclusive: ${policy}`,
        '',
        `| stable | canary | req/min | ${STRESS_JUDGES.map((j) => j.name).join(' | ')} |`,
        `| --- | --- | ---: | ${STRESS_JUDGES.map(() => '---').join(' | ')} |`,
      );
      for (const [index, scenario] of scenarios.entries()) {
        let row = stress.find((r) => r.plan === plan.name && r.scenario === scenario);
        if (row === undefined) stress.push((row = { plan: plan.name, scenario, judges: {} }));
        const cells = STRESS_JUDGES.map(({ name, timing, judge }) => {
          const cell = runCell(scenario, plan, steps, timing, policy, 3000 + index, judge);
          (row.judges[name] ??= {})[policy] = cell;
          const back = cell.fail + cell.inconclusive;
          const bounds = clopperPearson(back, cell.runs);
          return `${cellText(cell, scenario.healthy, policy)} · [${(100 * bounds.lower).toFixed(1)}–${(100 * bounds.upper).toFixed(1)}%]`;
        });
        markdown.push(`| ${(scenario.stableRate * 100).toFixed(1)}% | ${scenario.canary} | ${scenario.rpm} | ${cells.join(' | ')} |`);
        process.stderr.write('!');
      }
      markdown.push('');
    }
  }
}
// What-if (compare only, the default plan, both policies, own seeds): with 1-minute steps every
// minute holds a shift (the first one lands at a random second, and each step counts from its
// shift), so the loop's excludedMinutes leave compare almost nothing to compare. Against that:
// the same minutes kept, and compare on the threshold judge's schedule (steps from their first
// whole minute, so that only the first shift's minute mixes two weights).
const WHAT_IF: Array<{ name: string; timing: string; judge: Judge }> = [
  { name: 'as wired (minutes of a shift left out)', timing: 'compare', judge: JUDGES.compare! },
  { name: 'minutes of a shift kept', timing: 'compare', judge: compareJudge(COMPARE, 'ignored') },
  { name: 'left out, steps from their first whole minute', timing: 'whole minutes', judge: JUDGES.compare! },
];
const whatIf: Array<{ scenario: Scenario; byVariant: Record<string, Partial<Record<Policy, Cell>>> }> = [];
if (!args.includes('--guidance-only') && !args.includes('--no-stress')) {
  const plan = PLANS[0]!;
  const steps = buildSteps(plan.config, plan.finalBakeMs);
  for (const policy of POLICIES) {
    markdown.push(
      `### What-if: minutes of a shift on ${plan.name}, compare — on-inconclusive: ${policy}`,
      '',
      `| stable | canary | req/min | ${WHAT_IF.map((v) => v.name).join(' | ')} |`,
      `| --- | --- | ---: | ${WHAT_IF.map(() => '---').join(' | ')} |`,
    );
    let index = 0;
    for (const rpm of [100, 1000]) {
      for (const stableRate of [0.01, 0.05]) {
        for (const factor of [1, 2, 5]) {
          const scenario: Scenario = { stableRate, canary: factor === 1 ? 'healthy' : `${factor}× from start`, canaryRate: stableRate * factor, regressionFromMs: 0, healthy: factor === 1, rpm };
          let row = whatIf.find((r) => r.scenario.rpm === rpm && r.scenario.stableRate === stableRate && r.scenario.canary === scenario.canary);
          if (row === undefined) whatIf.push((row = { scenario, byVariant: {} }));
          const cells = WHAT_IF.map(({ name, timing, judge }) => {
            const cell = runCell(scenario, plan, steps, timing, policy, 4000 + index, judge);
            (row.byVariant[name] ??= {})[policy] = cell;
            const bounds = clopperPearson(cell.fail + cell.inconclusive, cell.runs);
            return `${cellText(cell, scenario.healthy, policy)} · [${(100 * bounds.lower).toFixed(1)}–${(100 * bounds.upper).toFixed(1)}%]`;
          });
          markdown.push(`| ${(stableRate * 100).toFixed(1)}% | ${scenario.canary} | ${rpm} | ${cells.join(' | ')} |`);
          process.stderr.write('?');
          index++;
        }
      }
    }
    markdown.push('');
  }
}
// The custom rate metric (rollout.metrics compare) beside the Lambda errors, own seeds.
const customRate = args.includes('--guidance-only') || STRESS_ONLY || args.includes('--no-custom-rate') ? null : await runCustomRateSection();
if (customRate !== null) markdown.push(...customRate.markdown);
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
writeFileSync(join(OUT_DIR, 'results.json'), JSON.stringify({ meta, informationLimits: limits, results: output, guidanceChecks: guidance, finalLookShareSweep: sweep, stressRows: stress, whatIfShiftMinutes: whatIf, ...(customRate !== null ? { customRateMetric: { meta: customRateMeta(meta.command, startedAt, LOAD_AT_START), rows: customRate.rows } } : {}) }, null, 2) + '\n');
process.stdout.write(`${JSON.stringify(meta, null, 2)}\n\n${markdown.join('\n')}\n`);
